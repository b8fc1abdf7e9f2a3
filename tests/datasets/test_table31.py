"""load_table31: note 001 table 3.1."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skdl.datasets import load_table31


def test_table31_values_and_bunch():
    data = load_table31()
    assert_array_equal(data.data, [[100, 2], [50, 42], [45, 31], [60, 35]])
    assert_array_equal(data.target, [5, 25, 22, 18])
    assert data.feature_names == ["wind", "people"]
    assert data.target_names == ["energy"]
    assert data.frame is None
    assert "table 3.1" in data.DESCR
    # note 001 §3.5: θ = [1, 0, 0.5] predicts [2, 22, 16.5, 18.5] and 11 at x = [50, 20]
    theta = np.array([1.0, 0.0, 0.5])
    assert_allclose(np.c_[np.ones(4), data.data] @ theta, [2, 22, 16.5, 18.5])
    assert np.r_[1.0, 50.0, 20.0] @ theta == 11.0
    # copies: the module's table cannot be modified through the result
    data.data[0, 0] = -1
    assert load_table31().data[0, 0] == 100


def test_table31_as_frame():
    pytest.importorskip("pandas")
    X, y = load_table31(return_X_y=True, as_frame=True)
    assert list(X.columns) == ["wind", "people"]
    assert y.name == "energy"
    frame = load_table31(as_frame=True).frame
    assert frame.shape == (4, 3)
    with pytest.raises(ValueError, match="return_X_y"):
        load_table31(return_X_y="yes")
