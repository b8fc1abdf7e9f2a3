"""RBFFeatures and RidgeRBF (note 001 §5.5-5.6)."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import linalg
from sklearn.base import clone
from sklearn.kernel_approximation import Nystroem
from sklearn.linear_model import Ridge as SkRidge
from sklearn.metrics import r2_score
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline

from skdl import RBFFeatures, Ridge, RidgeRBF
from skdl.linear_model import IllConditionedWarning, _basis


def _sine(n, noise=0.1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 2 * np.pi, size=(n, 1))
    return X, np.sin(X[:, 0]) + noise * rng.normal(size=n)


def _blobs(n=500, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    Y = np.c_[np.sin(X.sum(axis=1)), np.cos(X[:, 0]) * X[:, 1]] + 0.05 * rng.normal(size=(n, 2))
    return X, Y


# --------------------------------------------------------------------------- #
# RBFFeatures                                                                  #
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("centers", ["kmeans", "random", "grid"])
def test_features_match_sklearn_rbf_kernel(centers):
    X, _ = _blobs(300, 2)
    rbf = RBFFeatures(n_centers=25, centers=centers, width=0.7, random_state=0).fit(X)
    assert rbf.centers_.shape == (25, 2)
    assert rbf.n_centers_ == 25
    assert_allclose(rbf.transform(X), rbf_kernel(X, rbf.centers_, gamma=1 / 0.7), atol=1e-12)


def test_features_blocks_and_bias(monkeypatch):
    X, _ = _blobs(1000, 3)
    mu = X[:7]
    full = RBFFeatures(centers=mu, width=2.0, include_bias=True).fit_transform(X)
    monkeypatch.setattr(_basis, "_BLOCK_ELEMENTS", 7 * 64)  # 64-row blocks
    blocked = RBFFeatures(centers=mu, width=2.0, include_bias=True).fit_transform(X)
    assert_allclose(blocked, full, rtol=1e-12)
    assert_array_equal(full[:, 0], 1.0)
    # a centre on a training point evaluates to exactly 1 (distance clipped at 0)
    assert_allclose(np.diag(full[:7, 1:]), 1.0, rtol=0, atol=1e-12)


def test_features_width_scale_and_grid():
    X, _ = _blobs(200, 2)
    rbf = RBFFeatures(n_centers=20, centers="grid").fit(X)
    assert rbf.width_ == pytest.approx(2 * X.var())
    # q = floor(20 ** (1/2)) = 4 points per axis, spanning the bounding box
    assert rbf.centers_.shape == (16, 2)
    assert_allclose(rbf.centers_.min(axis=0), X.min(axis=0))
    assert_allclose(rbf.centers_.max(axis=0), X.max(axis=0))
    X1 = np.linspace(0, 1, 11)[:, None]
    assert_allclose(RBFFeatures(n_centers=5, centers="grid").fit(X1).centers_[:, 0],
                    [0, 0.25, 0.5, 0.75, 1])


def test_features_pandas_in_and_out():
    X, _ = _blobs(100, 3)
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    rbf = RBFFeatures(n_centers=4, include_bias=True, random_state=0).set_output(
        transform="pandas"
    )
    out = rbf.fit_transform(df)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["1", "rbffeatures0", "rbffeatures1", "rbffeatures2",
                                 "rbffeatures3"]
    assert_array_equal(out.index, df.index)
    assert_array_equal(rbf.feature_names_in_, ["a", "b", "c"])
    assert_allclose(out.to_numpy(), RBFFeatures(n_centers=4, include_bias=True,
                                                random_state=0).fit_transform(X))
    with pytest.raises(ValueError, match="input_features"):
        rbf.get_feature_names_out(["x", "y", "z"])
    # in a pipeline, the names flow to the next step
    pipe = make_pipeline(RBFFeatures(n_centers=3, random_state=0), SkRidge())
    pipe.set_output(transform="pandas").fit(df, X[:, 0])
    assert_array_equal(pipe[-1].feature_names_in_, ["rbffeatures0", "rbffeatures1",
                                                     "rbffeatures2"])


def test_explicit_centers_validation_and_clone():
    X, y = _sine(50)
    mu = [[1.0], [2.0], [4.0]]
    rbf = RBFFeatures(centers=mu).fit(X)
    assert_allclose(rbf.centers_, mu)
    assert rbf.centers is mu and mu == [[1.0], [2.0], [4.0]]  # parameter left unchanged
    assert clone(rbf).centers == mu
    with pytest.raises(ValueError, match="centers has 2 columns but X has 1 feature"):
        RidgeRBF(centers=np.ones((3, 2))).fit(X, y)
    with pytest.raises(ValueError, match="(?i)nan|infinity"):
        RBFFeatures(centers=[[np.nan]]).fit(X)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"width": 0.0}, "width"),
        ({"width": "auto"}, "width"),
        ({"n_centers": 0}, "n_centers"),
        ({"centers": "nonsense"}, "centers"),
        ({"alpha": -1.0}, "alpha"),
        ({"solver": "normal"}, "solver"),
    ],
)
def test_bad_parameters(params, match):
    X, y = _sine(20)
    with pytest.raises(ValueError, match=match):
        RidgeRBF(**params).fit(X, y)
    if "alpha" not in params and "solver" not in params:
        with pytest.raises(ValueError, match=match):
            RBFFeatures(**params).fit(X)


def test_kmeans_centres_on_a_subsample_are_reproducible():
    X, _ = _blobs(3000, 2)  # 20 centres: KMeans on a subsample of 1,000 rows
    a = RBFFeatures(n_centers=20, random_state=0).fit(X).centers_
    b = RBFFeatures(n_centers=20, random_state=0).fit(X).centers_
    c = RBFFeatures(n_centers=20, random_state=1).fit(X).centers_
    assert a.shape == (20, 2)
    assert_array_equal(a, b)
    assert not np.allclose(a, c)
    assert np.all(a.min(axis=0) >= X.min(axis=0)) and np.all(a.max(axis=0) <= X.max(axis=0))
    # the centres cover the data: every sample is near some centre
    d2 = ((X[:, None, :] - a[None]) ** 2).sum(axis=-1).min(axis=1)
    assert np.quantile(d2, 0.99) < 1.0


def test_more_centers_than_samples_warns():
    X, y = _sine(8)
    with pytest.warns(UserWarning, match="n_centers=10 > n_samples=8"):
        reg = RidgeRBF(n_centers=10, random_state=0).fit(X, y)
    assert reg.n_centers_ == 8


# --------------------------------------------------------------------------- #
# RidgeRBF: one code path with Ridge                                           #
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("solver", ["cholesky", "svd"])
def test_ridge_rbf_equals_ridge_on_features(solver, monkeypatch):
    """Blocked accumulation + merge gives the Ridge solution on the full basis."""
    monkeypatch.setattr(_basis, "_BLOCK_ELEMENTS", 40 * 64)  # 64-row blocks, 16 of them
    X, Y = _blobs(1000, 3)
    Y = Y + 10.0  # a non-zero mean: the intercept must not be shrunk
    kw = dict(n_centers=40, centers="random", width=3.0, random_state=0)
    reg = RidgeRBF(alpha=0.5, solver=solver, **kw).fit(X, Y)
    Phi = RBFFeatures(**kw).fit_transform(X)
    ref = Ridge(alpha=0.5, solver="svd").fit(Phi, Y)
    sk = SkRidge(alpha=0.5).fit(Phi, Y)
    assert reg.solver_ == solver
    assert_allclose(reg.coef_, ref.coef_, rtol=1e-7, atol=1e-9)
    assert_allclose(reg.coef_, sk.coef_, rtol=1e-6, atol=1e-8)
    assert_allclose(reg.intercept_, sk.intercept_, rtol=1e-8)
    assert_allclose(reg.sigma2_, ref.sigma2_, rtol=1e-7)
    Xt, _ = _blobs(50, 3, seed=1)
    pred, std = reg.predict(Xt, return_std=True)
    pred_ref, std_ref = ref.predict(RBFFeatures(centers=reg.centers_, width=3.0).fit_transform(Xt),
                                    return_std=True)
    assert pred.shape == std.shape == (50, 2)
    assert_allclose(pred, pred_ref, rtol=1e-8)
    assert_allclose(std, std_ref, rtol=1e-7)


@pytest.mark.parametrize("solver", ["cholesky", "svd"])
@pytest.mark.parametrize("gamma", [0.5, 0.05])
def test_rkhs_penalty_equals_nystroem_ridge(solver, gamma, monkeypatch):
    """penalty='rkhs' on Nystroem's components is Nystroem + Ridge, std included."""
    monkeypatch.setattr(_basis, "_WHITEN_BLOCK_ELEMENTS", 52 * 64)  # 64-row blocks, 10 of them
    X, Y = _blobs(600, 3)
    Xt, _ = _blobs(80, 3, seed=1)
    nys = Nystroem(gamma=gamma, n_components=50, random_state=0).fit(X)
    reg = RidgeRBF(centers=nys.components_, width=1 / gamma, alpha=1e-2, penalty="rkhs",
                   solver=solver).fit(X, Y)
    assert reg.solver_ == solver
    sk = SkRidge(alpha=1e-2).fit(nys.transform(X), Y)
    ref = Ridge(alpha=1e-2, solver="svd").fit(nys.transform(X), Y)
    pred, std = reg.predict(Xt, return_std=True)
    pred_ref, std_ref = ref.predict(nys.transform(Xt), return_std=True)
    # wide kernels (gamma=0.05): K's condition number is 1e10; the whitened blocks
    # keep the normal equations as accurate as Nystroem's explicit features
    assert_allclose(pred, sk.predict(nys.transform(Xt)), atol=1e-8)
    assert_allclose(pred, pred_ref, atol=1e-8)
    assert_allclose(std, std_ref, rtol=1e-6)
    assert_allclose(reg.sigma2_, ref.sigma2_, rtol=1e-6)


def test_random_centres_are_nystroem_components_for_the_same_seed():
    """centers='random' + penalty='rkhs' with Nystroem's seed is Nystroem + Ridge."""
    X, Y = _blobs(400, 3)
    y = Y[:, 0]
    nys = make_pipeline(Nystroem(gamma=0.5, n_components=40, random_state=3),
                        SkRidge(alpha=1e-2)).fit(X, y)
    reg = RidgeRBF(40, centers="random", width=2.0, alpha=1e-2, penalty="rkhs",
                   random_state=3).fit(X, y)
    order = np.lexsort(nys[0].components_.T)
    assert_array_equal(reg.centers_[np.lexsort(reg.centers_.T)], nys[0].components_[order])
    assert_allclose(reg.predict(X), nys.predict(X), atol=1e-9)


@pytest.mark.parametrize("alpha", [1e-3, 1.0])
def test_rkhs_with_a_centre_at_every_point_is_kernel_ridge(alpha):
    """Centres at the training points: kernel ridge regression with an intercept.

    Minimising ``‖y - Ka - b‖² + α aᵀKa`` over ``a`` and ``b`` gives
    ``(K + αI) a + b 1 = y`` and ``1ᵀa = 0`` (K invertible): a bordered n+1 system.
    """
    X, y = _sine(60)
    width = 0.5
    K = rbf_kernel(X, gamma=1 / width)
    n = len(y)
    system = np.block([[K + alpha * np.eye(n), np.ones((n, 1))], [np.ones((1, n)), 0.0]])
    sol = linalg.solve(system, np.r_[y, 0.0])
    reg = RidgeRBF(centers=X, width=width, alpha=alpha, penalty="rkhs").fit(X, y)
    Xt = np.linspace(0, 2 * np.pi, 50)[:, None]
    assert_allclose(reg.predict(Xt), rbf_kernel(Xt, X, gamma=1 / width) @ sol[:n] + sol[n],
                    atol=1e-8)
    assert_allclose(reg.intercept_, sol[n], atol=1e-8)


def test_rkhs_duplicate_centres_are_harmless():
    """A singular K (repeated centres) is pseudo-inverted, not an error."""
    X, y = _sine(200)
    C = np.repeat(np.linspace(0, 2 * np.pi, 10)[:, None], 2, axis=0)
    reg = RidgeRBF(centers=C, width=1.0, alpha=1e-3, penalty="rkhs").fit(X, y)
    single = RidgeRBF(centers=C[::2], width=1.0, alpha=1e-3, penalty="rkhs").fit(X, y)
    assert reg.solver_ == "cholesky"
    assert_allclose(reg.predict(X), single.predict(X), atol=1e-8)
    assert np.all(np.isfinite(reg.coef_))


def test_multi_output_equals_separate_fits():
    X, Y = _blobs(300, 3)
    kw = dict(n_centers=30, width=2.0, alpha=1e-2, random_state=0)
    joint = RidgeRBF(**kw).fit(X, Y)
    for j in range(2):
        single = RidgeRBF(**kw).fit(X, Y[:, j])
        assert np.ndim(single.intercept_) == 0 and single.coef_.shape == (30,)
        assert_allclose(joint.coef_[j], single.coef_, rtol=1e-9)
        assert_allclose(joint.predict(X)[:, j], single.predict(X), rtol=1e-9)


def test_return_std_grows_away_from_data():
    X, y = _sine(200)
    reg = RidgeRBF(n_centers=20, width=1.0, alpha=1e-3, random_state=0).fit(X, y)
    _, std_in = reg.predict(np.array([[np.pi]]), return_std=True)
    _, std_out = reg.predict(np.array([[4 * np.pi]]), return_std=True)
    assert np.sqrt(reg.sigma2_) <= std_in[0] < std_out[0]
    assert 0.07 < np.sqrt(reg.sigma2_) < 0.13  # the noise level is 0.1


def test_ill_conditioned_falls_back_to_lstsq():
    X, y = _sine(100)
    reg = RidgeRBF(n_centers=50, width=50.0, alpha=0.0, random_state=0)
    with pytest.warns(IllConditionedWarning, match="svd"):
        reg.fit(X, y)
    assert reg.solver_ == "svd"
    with pytest.raises(np.linalg.LinAlgError, match="solver='cholesky'"):
        clone(reg).set_params(solver="cholesky").fit(X, y)


def test_pickle_and_pandas_names():
    X, y = _sine(60)
    df = pd.DataFrame(X, columns=["x"])
    reg = RidgeRBF(n_centers=10, random_state=0).fit(df, y)
    assert_array_equal(reg.feature_names_in_, ["x"])
    reg2 = pickle.loads(pickle.dumps(reg))
    assert_allclose(reg2.predict(df), reg.predict(df))


# --------------------------------------------------------------------------- #
# the notes' claims                                                            #
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("solver", ["auto", "svd"])
def test_interpolates_with_a_centre_at_every_point(solver):
    """Φ with a centre at every training point is invertible: alpha=0 interpolates."""
    rng = np.random.default_rng(0)
    X = np.sort(rng.uniform(0, 10, size=(40, 1)), axis=0)
    y = np.sin(X[:, 0]) + 0.3 * rng.normal(size=40)  # noisy: interpolation is not smoothing
    reg = RidgeRBF(centers=X, width=0.05, alpha=0.0, solver=solver)
    with pytest.warns(IllConditionedWarning) if solver == "auto" else _no_warning():
        # with the intercept the centred basis has rank n - 1: the normal equations are
        # singular and 'auto' falls back to the minimum-norm solution
        reg.fit(X, y)
    assert reg.n_centers_ == 40
    assert_allclose(reg.predict(X), y, atol=1e-8)
    assert reg.sigma2_ < 1e-15
    # a little regularisation no longer interpolates
    smooth = RidgeRBF(centers=X, width=0.05, alpha=1.0).fit(X, y)
    assert np.abs(smooth.predict(X) - y).max() > 0.05
    # nor does the kernel-norm penalty, which without regularisation interpolates too
    rkhs = RidgeRBF(centers=X, width=0.05, alpha=0.0, penalty="rkhs", solver=solver)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IllConditionedWarning)
        assert_allclose(rkhs.fit(X, y).predict(X), y, atol=1e-8)
    smooth = RidgeRBF(centers=X, width=0.05, alpha=1.0, penalty="rkhs").fit(X, y)
    assert np.abs(smooth.predict(X) - y).max() > 0.05


class _no_warning:
    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


def test_grid_search_picks_an_inner_width_on_noisy_sine():
    X, y = _sine(300, noise=0.1, seed=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=100, random_state=0)
    widths = np.logspace(-4, 3, 8)  # 1e-4 ... 1e3 on an input range of 2π
    search = GridSearchCV(
        RidgeRBF(n_centers=30, centers="grid"),
        {"width": widths, "alpha": np.logspace(-6, 0, 4)},
        cv=5,
        scoring="neg_mean_squared_error",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IllConditionedWarning)
        search.fit(X_tr, y_tr)
    best = search.best_params_["width"]
    assert widths[0] < best < widths[-1], search.best_params_
    r2 = r2_score(y_te, search.predict(X_te))
    assert r2 > 0.95, r2


@pytest.mark.parametrize("cls", [RBFFeatures, RidgeRBF])
def test_docstring_lists_exactly_the_parameters(cls):
    import inspect
    import re

    section = cls.__doc__.split("Parameters\n    ----------")[1].split("Attributes")[0]
    documented = re.findall(r"^    (\w+) : ", section, re.M)
    assert documented == list(inspect.signature(cls).parameters)


@pytest.mark.parametrize("centers", ["kmeans", "random", "grid"])
@pytest.mark.parametrize("penalty", ["l2", "rkhs"])
def test_sparse_input_equals_dense(centers, penalty):
    import scipy.sparse as sp

    X = sp.random(300, 6, density=0.3, format="csr", random_state=0) * 3
    y = np.asarray(X.sum(axis=1)).ravel() + np.sin(np.asarray(X[:, 0].todense()).ravel())
    kw = dict(n_centers=20, centers=centers, random_state=0)
    a = RidgeRBF(penalty=penalty, **kw).fit(X.tocsc(), y)
    b = RidgeRBF(penalty=penalty, **kw).fit(X.toarray(), y)
    np.testing.assert_allclose(a.centers_, b.centers_, atol=1e-12)
    np.testing.assert_allclose(a.width_, b.width_, rtol=1e-12)
    np.testing.assert_allclose(a.predict(X), b.predict(X.toarray()), rtol=1e-9, atol=1e-10)
    f = RBFFeatures(**kw).fit(X)
    np.testing.assert_allclose(f.transform(X), RBFFeatures(**kw).fit(X.toarray()).transform(
        X.toarray()), rtol=1e-12, atol=1e-14)
    assert isinstance(a.n_iter_, int) and isinstance(f.n_iter_, int)
