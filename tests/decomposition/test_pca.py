"""PCA: parity with sklearn's PCA per solver, exact streaming, pandas output, pipelines."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA as SkPCA
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdl import PCA
from skdl.decomposition._pca import _chunk_moments, _merge_moments

EXACT = ("covariance_eigh", "full")
# randomized vs sklearn's randomized with the same seed: the same random draws, so the
# results agree up to rounding (our centring is implicit, sklearn's explicit)
RANDOMIZED_RTOL = 1e-8


def _data(kind):
    rng = np.random.default_rng(42)
    if kind == "digits":
        return load_digits().data
    if kind == "tall":
        n, d = 3000, 40
    else:  # wide
        n, d = 80, 400
    scales = np.geomspace(10.0, 0.1, d)
    return rng.normal(size=(n, d)) * scales + rng.normal(scale=5.0, size=d)


def _align_signs(a, b):
    """Flip the rows of ``a`` to best match ``b`` (components are defined up to sign)."""
    signs = np.sign(np.sum(a * b, axis=1))
    return a * signs[:, None], signs


def _assert_same_fit(ours, ref, X, rtol, atol_scale=1.0, noise=True):
    assert ours.n_components_ == ref.n_components_
    assert_allclose(ours.mean_, ref.mean_, rtol=rtol, atol=1e-12)
    for name in ("explained_variance_", "explained_variance_ratio_", "singular_values_"):
        a, b = getattr(ours, name), getattr(ref, name)
        assert_allclose(a, b, rtol=rtol, atol=1e-14 * b.max(), err_msg=name)
    comps, signs = _align_signs(ours.components_, ref.components_)
    assert_allclose(comps, ref.components_, rtol=0, atol=rtol * atol_scale)
    Xt, Xt_ref = ours.transform(X) * signs, ref.transform(X)
    assert_allclose(Xt, Xt_ref, rtol=0, atol=rtol * atol_scale * np.abs(Xt_ref).max())
    if noise:
        assert_allclose(ours.noise_variance_, ref.noise_variance_, rtol=rtol,
                        atol=1e-14 * ref.explained_variance_.max())


@pytest.mark.parametrize("kind", ["digits", "tall", "wide"])
@pytest.mark.parametrize("solver", ["covariance_eigh", "full", "randomized"])
def test_parity_with_sklearn(solver, kind):
    X = _data(kind)
    k = 20
    ours = PCA(n_components=k, svd_solver=solver, random_state=0).fit(X)
    ref = SkPCA(n_components=k, svd_solver=solver, random_state=0).fit(X)
    assert ours.svd_solver_ == solver
    # sklearn's covariance_eigh divides the discarded variance by n_features - k even
    # when n_samples < n_features; ours, like sklearn's other solvers, by min(n, d) - k
    noise = not (solver == "covariance_eigh" and kind == "wide")
    _assert_same_fit(ours, ref, X, rtol=RANDOMIZED_RTOL if solver == "randomized" else 1e-8,
                     noise=noise)
    # same sign convention as sklearn: the largest |loading| of each component is positive
    rows = np.arange(k)
    assert np.all(ours.components_[rows, np.argmax(np.abs(ours.components_), axis=1)] > 0)


@pytest.mark.parametrize("kind", ["tall", "wide"])
def test_exact_solvers_all_components(kind):
    X = _data(kind)
    for solver in EXACT:
        if solver == "covariance_eigh" and kind == "wide":
            continue  # trailing eigenvectors of a rank-deficient scatter are arbitrary
        # the centred data have rank min(n - 1, d): the last direction is arbitrary
        k = min(X.shape[0] - 1, X.shape[1])
        ours = PCA(n_components=k, svd_solver=solver).fit(X)
        ref = SkPCA(n_components=k, svd_solver="full").fit(X)
        _assert_same_fit(ours, ref, X, rtol=1e-8)
        assert_allclose(ours.inverse_transform(ours.transform(X)), X, rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("kind", ["tall", "wide"])
def test_randomized_close_to_exact(kind):
    # a rank-5 signal plus small noise: the range finder captures the top 5 directions
    rng = np.random.default_rng(1)
    n, d = (3000, 40) if kind == "tall" else (80, 400)
    X = 10 * rng.normal(size=(n, 5)) @ rng.normal(size=(5, d)) + 0.1 * rng.normal(size=(n, d))
    exact = PCA(n_components=5, svd_solver="full").fit(X)
    rand = PCA(n_components=5, svd_solver="randomized", random_state=1).fit(X)
    assert_allclose(rand.explained_variance_, exact.explained_variance_, rtol=1e-10)
    comps, _ = _align_signs(rand.components_, exact.components_)
    assert_allclose(comps, exact.components_, atol=1e-6)
    assert rand.n_iter_ == (7 if 5 < 0.1 * min(n, d) else 4)


@pytest.mark.parametrize("solver", ["covariance_eigh", "full", "randomized"])
def test_score_parity(solver):
    X = _data("tall")
    X_test = X[::7] + 0.3
    ours = PCA(n_components=10, svd_solver=solver, random_state=0).fit(X)
    ref = SkPCA(n_components=10, svd_solver=solver, random_state=0).fit(X)
    assert_allclose(ours.score_samples(X_test), ref.score_samples(X_test), rtol=1e-8)
    assert_allclose(ours.score(X_test), ref.score(X_test), rtol=1e-8)
    assert_allclose(ours.get_covariance(), ref.get_covariance(), rtol=1e-8, atol=1e-10)


def test_score_parity_wide_and_full_rank():
    Xw = _data("wide")
    ours = PCA(n_components=10, svd_solver="full").fit(Xw)
    ref = SkPCA(n_components=10, svd_solver="full").fit(Xw)
    assert_allclose(ours.score_samples(Xw), ref.score_samples(Xw), rtol=1e-8)
    Xt = _data("tall")[:, :6]  # all components kept: noise variance 0, covariance inverted
    ours = PCA(svd_solver="covariance_eigh").fit(Xt)
    ref = SkPCA(svd_solver="covariance_eigh").fit(Xt)
    assert ours.noise_variance_ == 0.0
    assert_allclose(ours.score(Xt), ref.score(Xt), rtol=1e-8)


@pytest.mark.parametrize("whiten", [False, True])
@pytest.mark.parametrize("solver", ["covariance_eigh", "full"])
def test_whiten_and_inverse_transform_parity(solver, whiten):
    X = load_digits().data
    ours = PCA(n_components=15, whiten=whiten, svd_solver=solver).fit(X)
    ref = SkPCA(n_components=15, whiten=whiten, svd_solver=solver).fit(X)
    Xt, Xt_ref = ours.transform(X), ref.transform(X)
    _, signs = _align_signs(ours.components_, ref.components_)
    assert_allclose(Xt * signs, Xt_ref, atol=1e-8 * np.abs(Xt_ref).max())
    if whiten:
        assert_allclose(Xt.var(axis=0, ddof=1), 1.0, rtol=1e-8)
    assert_allclose(ours.inverse_transform(Xt), ref.inverse_transform(Xt_ref), atol=1e-8)
    assert_allclose(ours.fit_transform(X), Xt, atol=1e-10 * np.abs(Xt).max())


@pytest.mark.parametrize("fraction", [0.5, 0.9, 0.99])
@pytest.mark.parametrize("solver", ["auto", "covariance_eigh", "full"])
def test_variance_fraction(solver, fraction):
    X = load_digits().data
    ours = PCA(n_components=fraction, svd_solver=solver).fit(X)
    ref = SkPCA(n_components=fraction, svd_solver="full").fit(X)
    assert ours.n_components_ == ref.n_components_
    assert ours.explained_variance_ratio_.sum() > fraction
    assert ours.explained_variance_ratio_[:-1].sum() <= fraction
    assert_allclose(ours.explained_variance_, ref.explained_variance_, rtol=1e-8)


def test_partial_fit_ten_chunks_equals_full_fit():
    X = _data("tall")
    full = PCA(n_components=12, svd_solver="full").fit(X)
    stream = PCA(n_components=12)
    for chunk in np.array_split(X, 10):
        stream.partial_fit(chunk)
    assert stream.n_samples_ == X.shape[0] and stream.svd_solver_ == "covariance_eigh"
    _assert_same_fit(stream, full, X, rtol=1e-8)
    # and the same as sklearn's exact PCA, not only as ours
    _assert_same_fit(stream, SkPCA(n_components=12).fit(X), X, rtol=1e-8)


def test_partial_fit_digits_uneven_chunks_and_single_rows():
    X = load_digits().data[:400]
    full = PCA(n_components=10, svd_solver="covariance_eigh").fit(X)
    stream = PCA(n_components=10)
    # chunks of 1 row (the running update of note 000 §8) and of uneven sizes
    bounds = [0, 1, 2, 3, 50, 51, 199, 400]
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        stream.partial_fit(X[a:b])
    _assert_same_fit(stream, full, X, rtol=1e-8)


def test_partial_fit_continues_covariance_fit_and_restarts_otherwise():
    X = _data("tall")
    a, b = X[:1000], X[1000:]
    cont = PCA(n_components=5, svd_solver="covariance_eigh").fit(a).partial_fit(b)
    _assert_same_fit(cont, PCA(n_components=5, svd_solver="full").fit(X), X, rtol=1e-8)
    est = PCA(n_components=5, svd_solver="full").fit(a)
    with pytest.warns(UserWarning, match="restarts"):
        est.partial_fit(b)
    assert est.n_samples_ == b.shape[0]
    with pytest.raises(ValueError, match="features"):
        est.partial_fit(b[:, :-1])


def test_merge_moments_is_exact_and_associative():
    rng = np.random.default_rng(0)
    parts = [rng.normal(loc=100.0, size=(m, 5)) for m in (7, 1, 30)]
    X = np.vstack(parts)
    m = [_chunk_moments(p) for p in parts]
    left = _merge_moments(_merge_moments(m[0], m[1]), m[2])
    right = _merge_moments(m[0], _merge_moments(m[1], m[2]))
    Xc = X - X.mean(axis=0)
    for n, mean, scatter in (left, right):
        assert n == X.shape[0]
        assert_allclose(mean, X.mean(axis=0), rtol=1e-13)
        assert_allclose(scatter, Xc.T @ Xc, rtol=1e-10)
    # pure: the inputs are left untouched
    assert_allclose(m[0][2], (parts[0] - parts[0].mean(0)).T @ (parts[0] - parts[0].mean(0)))
    empty = (0, np.zeros(5), np.zeros((5, 5)))
    assert_allclose(_merge_moments(empty, m[0])[2], m[0][2])


@pytest.mark.parametrize(
    "shape, k",
    [((3000, 40), 5), ((400, 300), 5), ((1200, 520), 20), ((520, 600), 500), ((520, 600), 0.9)],
)
def test_auto_picks_as_sklearn(shape, k):
    rng = np.random.default_rng(0)
    X = rng.normal(size=shape)
    ours = PCA(n_components=k, random_state=0).fit(X)
    ref = SkPCA(n_components=k, random_state=0).fit(X)
    assert ref._fit_svd_solver == ours.svd_solver_ == ours._fit_svd_solver


def test_set_output_pandas_names():
    X = pd.DataFrame(load_digits().data[:200], columns=[f"px{i}" for i in range(64)])
    pca = PCA(n_components=4).set_output(transform="pandas")
    out = pca.fit_transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["pca0", "pca1", "pca2", "pca3"]
    assert list(pca.get_feature_names_out()) == ["pca0", "pca1", "pca2", "pca3"]
    assert_allclose(out.to_numpy(), PCA(n_components=4).fit(X).transform(X))


def test_pipeline_matches_sklearn_pipeline():
    digits = load_digits()
    X, y = digits.data, digits.target
    ours = make_pipeline(StandardScaler(), PCA(n_components=30),
                         LogisticRegression(max_iter=2000))
    ref = make_pipeline(StandardScaler(), SkPCA(n_components=30),
                        LogisticRegression(max_iter=2000))
    ours.fit(X[:1200], y[:1200])
    ref.fit(X[:1200], y[:1200])
    acc = ours.score(X[1200:], y[1200:])
    assert acc > 0.9
    assert acc == pytest.approx(ref.score(X[1200:], y[1200:]), abs=0.005)
    assert clone(ours).get_params()["pca__n_components"] == 30


@pytest.mark.parametrize("solver", ["covariance_eigh", "full", "randomized"])
def test_float32_preserved_and_close(solver):
    X = _data("tall")
    ours32 = PCA(n_components=5, svd_solver=solver, random_state=0).fit(X.astype(np.float32))
    ours64 = PCA(n_components=5, svd_solver=solver, random_state=0).fit(X)
    assert ours32.components_.dtype == np.float32
    assert ours32.transform(X.astype(np.float32)).dtype == np.float32
    assert_allclose(ours32.explained_variance_, ours64.explained_variance_, rtol=1e-4)


def test_copy_false_svd_overwrites_x_and_agrees():
    X = _data("wide")
    ref = PCA(n_components=5, svd_solver="full").fit(X)
    X2 = X.copy()
    est = PCA(n_components=5, svd_solver="full", copy=False).fit(X2)
    assert_allclose(est.components_, ref.components_, rtol=1e-12, atol=1e-14)
    assert not np.allclose(X2, X)  # documented: X served as the LAPACK workspace
    for Xin in (X.copy(), _data("tall")):  # copy=True, or tall data: X is left alone
        before = Xin.copy()
        PCA(n_components=5, svd_solver="full", copy=False if Xin.shape[0] > 100 else True).fit(Xin)
        assert_allclose(Xin, before, rtol=0, atol=0)


@pytest.mark.parametrize("n", [7, 64, 65, 1000])
def test_tall_blocked_qr_matches_lapack_svd(n, monkeypatch):
    # blocks of 64 rows: fewer rows than one block, exactly one, one more, many
    import skdl.decomposition._pca as mod

    monkeypatch.setattr(mod, "_QR_BLOCK_ROWS", 64)
    rng = np.random.default_rng(n)
    X = rng.normal(size=(n, 5)) * [5, 4, 3, 2, 1] + 7.0
    s, Vt = mod._solve_svd(X, X.mean(axis=0), lambda s: 5)
    _, s_ref, Vt_ref = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
    assert_allclose(s, s_ref, rtol=1e-12)
    assert_allclose(np.abs(Vt), np.abs(Vt_ref), atol=1e-10)


def test_errors_name_the_parameters():
    X = _data("tall")[:50, :8]
    with pytest.raises(ValueError, match=r"n_components=9 must be between 0 and min\("):
        PCA(n_components=9, svd_solver="full").fit(X)
    with pytest.raises(ValueError, match=r"n_components=0.5 .*svd_solver='randomized'"):
        PCA(n_components=0.5, svd_solver="randomized").fit(X)
    with pytest.raises(ValueError, match="n_components=0 must be between 1"):
        PCA(n_components=0, svd_solver="randomized").fit(X)
    with pytest.raises(ValueError, match="svd_solver"):
        PCA(svd_solver="svd").fit(X)
    with pytest.raises(ValueError, match="n_components"):
        PCA(n_components=1.5).fit(X)
    with pytest.raises(ValueError, match="n_features=8"):
        PCA(n_components=9).partial_fit(X)
    with pytest.raises(ValueError, match="features"):
        PCA(n_components=3).fit(X).inverse_transform(np.zeros((2, 4)))


@pytest.mark.parametrize("offset", [0.0, 3.0, 1e6])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_chunk_moments_accurate_for_large_means(offset, dtype):
    # offset 1e6 against unit spreads: XᵀX - n x̄x̄ᵀ would cancel ~12 digits, so the
    # shifted blocked path must be taken; the others use the direct syrk
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(5000, 6)) * [1, 2, 3, 4, 5, 0] + offset).astype(dtype)
    n, mean, scatter = _chunk_moments(X)
    X64 = X.astype(np.float64)
    Xc = X64 - X64.mean(axis=0)
    assert n == 5000
    assert_allclose(mean, X64.mean(axis=0), rtol=1e-13)
    assert_allclose(scatter, Xc.T @ Xc, rtol=1e-9, atol=1e-9 * np.abs(Xc.T @ Xc).max())
    pca = PCA(n_components=5, svd_solver="covariance_eigh").fit(X)
    exact = np.linalg.eigvalsh(Xc.T @ Xc / (n - 1))[::-1][:5]
    assert_allclose(pca.explained_variance_, exact,
                    rtol=1e-4 if dtype == np.float32 else 1e-9)


def test_docstring_lists_exactly_the_parameters():
    import inspect
    import re

    doc = PCA.__doc__
    section = doc.split("Parameters\n    ----------\n")[1].split("\n    Attributes")[0]
    documented = re.findall(r"^    (\w+) :", section, flags=re.M)
    assert documented == list(inspect.signature(PCA).parameters)


def test_n_components_zero_and_transform_shapes():
    X = _data("tall")[:100, :6]
    pca = PCA(n_components=0, svd_solver="full").fit(X)
    assert pca.components_.shape == (0, 6) and pca.transform(X).shape == (100, 0)
    assert_allclose(pca.noise_variance_, np.var(X, axis=0, ddof=1).sum() / 6)
    assert np.isfinite(pca.score(X))


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize("bad, match", [(np.nan, "NaN"), (np.inf, "infinity"),
                                        (-np.inf, "infinity"), (1e200, "overflow")])
def test_covariance_route_rejects_non_finite(method, bad, match):
    for offset in (0.0, 1e6):  # direct and shifted-block accumulation
        X = _data("tall")[:200, :5] + offset
        X[17, 3] = bad
        with pytest.raises(ValueError, match=match):
            getattr(PCA(svd_solver="covariance_eigh"), method)(X)


def test_score_does_not_depend_on_whiten():
    # the probabilistic PCA likelihood models X; whitening only rescales the projections
    # (sklearn's differs here, scikit-learn issue #13898; it agrees without whitening)
    X = load_digits().data
    plain = PCA(n_components=10).fit(X)
    white = PCA(n_components=10, whiten=True).fit(X)
    assert_allclose(white.score_samples(X), plain.score_samples(X), rtol=1e-12)
    assert_allclose(white.get_precision(), plain.get_precision(), rtol=1e-10, atol=1e-12)
    assert_allclose(plain.score(X), SkPCA(n_components=10).fit(X).score(X), rtol=1e-8)


@pytest.mark.parametrize("solver", ["covariance_eigh", "auto", "full"])
def test_default_n_components_with_fewer_rows_than_features(solver):
    # was a TypeError (the moments' float row count used as a slice bound); sklearn
    # keeps min(n_samples, n_features) components
    X = np.random.RandomState(0).randn(30, 100)
    pca = PCA(svd_solver=solver).fit(X)
    assert pca.components_.shape == (30, 100)
    assert PCA().partial_fit(X[:20, :20]).components_.shape == (20, 20)
