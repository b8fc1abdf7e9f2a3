"""Tests of CNNClassifier / CNNRegressor: image shapes, the conv arithmetic, digits."""

import inspect
import re

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdl.neural_network import CNNClassifier, CNNRegressor
from skdl.neural_network._modules import CNNModule, conv_plan

# trained-quality claims are asserted over seeds with measured bounds (nn_quality.py)
from nn_quality import assert_claim

SMALL = dict(conv_channels=(4,), hidden_layer_sizes=(8,), max_iter=2, random_state=0)


def _data(n=40, d=16, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X, (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize(
    "d, shape", [(1, (1, 1, 1)), (4, (1, 2, 2)), (16, (1, 4, 4)), (64, (1, 8, 8)), (10, (1, 1, 10))]
)
def test_2d_rows_become_square_or_row_images(d, shape):
    X, y = _data(d=d)
    clf = CNNClassifier(**SMALL).fit(X, y)
    assert clf.image_shape_ == shape
    assert clf.n_features_in_ == d
    assert clf.predict(X).shape == (len(X),)


def test_image_shape_overrides_and_is_checked():
    X, y = _data(d=24)
    clf = CNNClassifier(image_shape=(2, 3, 4), **SMALL).fit(X, y)
    assert clf.image_shape_ == (2, 3, 4)
    assert clf.net_.module_.features[0].in_channels == 2
    with pytest.raises(ValueError, match=r"image_shape=\(2, 3, 5\) holds 30 values.*24 features"):
        CNNClassifier(image_shape=(2, 3, 5), **SMALL).fit(X, y)
    with pytest.raises(ValueError, match="image_shape must be"):
        CNNClassifier(image_shape=(2, 12), **SMALL).fit(X, y)


def test_4d_input_equals_flattened_input_with_image_shape():
    rng = np.random.default_rng(1)
    X4 = rng.normal(size=(30, 3, 5, 6))
    y = rng.normal(size=30)
    a = CNNRegressor(**SMALL).fit(X4, y)
    b = CNNRegressor(image_shape=(3, 5, 6), **SMALL).fit(X4.reshape(30, -1), y)
    assert a.image_shape_ == b.image_shape_ == (3, 5, 6)
    np.testing.assert_allclose(a.predict(X4), b.predict(X4.reshape(30, -1)), rtol=1e-6)
    with pytest.raises(ValueError, match=r"images of shape \(3, 6, 5\).*fitted on.*\(3, 5, 6\)"):
        a.predict(X4.transpose(0, 1, 3, 2))


def test_3d_input_is_refused_with_a_clear_error():
    X, y = _data(d=16)
    with pytest.raises(ValueError, match="2-D input .* or 4-D input .* got a 3-D array"):
        CNNClassifier(**SMALL).fit(X.reshape(-1, 4, 4), y)


def test_too_small_image_raises_a_clear_error():
    X, y = _data(d=16)  # 4 x 4: 4 -> pool 2 -> 2 -> pool 2 -> 1 -> a third pool of 2 fails
    CNNClassifier(**{**SMALL, "conv_channels": (4, 4)}).fit(X, y)
    with pytest.raises(ValueError, match=r"\(1, 4, 4\).*too small.*block 3.*pool_size=2"):
        CNNClassifier(**{**SMALL, "conv_channels": (4, 4, 4)}).fit(X, y)
    X8 = np.random.default_rng(0).normal(size=(40, 64))
    with pytest.raises(ValueError, match=r"too small.*block 2.*kernel_size=5"):
        # 8 -> (8 - 5) + 1 = 4 -> pool 2 -> 2, smaller than the unpadded 5 x 5 kernel
        CNNClassifier(**{**SMALL, "conv_channels": (4, 4), "kernel_size": 5, "padding": 0}).fit(
            X8, y
        )


def test_tiny_images_clip_kernels_and_pools():
    # a 1 x d row: height 1 (< kernel) is clipped, the length keeps the kernel and pool
    blocks, out = conv_plan((1, 1, 10), 2, 3, 1, "same", 2)
    assert [b["kernel"] for b in blocks] == [(1, 3), (1, 3)]
    assert [b["pool"] for b in blocks] == [(1, 2), (1, 2)]
    assert out == (1, 2)
    # a 2 x 2 image: both sides tiny, so any depth works
    blocks, out = conv_plan((1, 2, 2), 3, 3, 1, "same", 2)
    assert blocks[0]["kernel"] == (2, 2) and out == (1, 1)
    X, y = _data(d=4)
    clf = CNNClassifier(**{**SMALL, "conv_channels": (4, 4, 4)}).fit(X, y)
    assert clf.predict_proba(X).shape == (40, 2)


@pytest.mark.parametrize(
    "shape, k, s, p, pool",
    [((3, 8, 8), 3, 2, 0, 1), ((1, 9, 7), 3, 1, 1, 2), ((2, 12, 10), 5, 1, 2, 3)],
)
def test_conv_plan_matches_torch_output_sizes(shape, k, s, p, pool):
    # note 000 §5: a side W becomes (W - K + 2P) / S + 1, then is divided by the pool
    blocks, out = conv_plan(shape, 1, k, s, p, pool)
    expected = [((w - k + 2 * p) // s + 1) // pool for w in shape[1:]]
    assert list(out) == expected
    module = CNNModule(
        shape,
        3,
        conv_channels=(5,),
        kernel_size=k,
        stride=s,
        padding=p,
        pool_size=pool,
        hidden_layer_sizes=(),
    )
    feats = module.features[:-1](torch.zeros(2, *shape))
    assert tuple(feats.shape) == (2, 5, *expected)
    assert module(torch.zeros(2, *shape)).shape == (2, 3)


def test_batch_norm_dropout_and_pipeline():
    X, y = _data(n=60, d=16)
    clf = CNNClassifier(**{**SMALL, "batch_norm": True, "dropout": 0.2})
    pipe = make_pipeline(StandardScaler(), clf).fit(X, y)
    layers = [type(m).__name__ for m in pipe[-1].net_.module_.modules()]
    assert "BatchNorm2d" in layers and "Dropout" in layers and "MaxPool2d" in layers
    assert pipe.predict(X).shape == (60,)


def test_regressor_multioutput_and_clone():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 16))
    Y = np.c_[X[:, :4].sum(1), X[:, 12:].sum(1)]
    reg = CNNRegressor(**SMALL).fit(X, Y)
    assert reg.predict(X).shape == (50, 2)
    assert clone(reg).get_params()["conv_channels"] == (4,)


def test_learns_a_local_pattern():
    # label: is the bright 2 x 2 blob in the left or the right half of a 6 x 6 image
    assert_claim("cnn_local_pattern")


def test_load_digits_cnn_beats_the_mlp():
    # the setting: 1 x 8 x 8 images, 70/30 split; pixels / 16 for the CNN
    assert_claim("cnn_digits")


@pytest.mark.parametrize("cls", [CNNClassifier, CNNRegressor])
def test_docstring_lists_the_signature_parameters(cls):
    section = cls.__doc__.split("Parameters\n    ----------")[1].split("Attributes\n")[0]
    documented = re.findall(r"^    (\w+) :|^    (\*\*\w+)$", section, flags=re.M)
    documented = [a or b for a, b in documented]
    signature = [
        ("**" + n if p.kind is p.VAR_KEYWORD else n)
        for n, p in inspect.signature(cls).parameters.items()
    ]
    assert documented == signature
