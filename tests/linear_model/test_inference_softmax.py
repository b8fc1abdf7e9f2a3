"""Statistical inference of SoftmaxClassifier (issue 19): covariance_, std_errors_,
conf_int, summary, against statsmodels' MNLogit / Logit and the formulas."""

import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skdl import LogisticIRLS, SoftmaxClassifier

sm = pytest.importorskip("statsmodels.api")

TIGHT = {"alpha": 0.0, "tol": 1e-10, "max_iter": 500}


# --------------------------------------------------------------------------- #
# helpers                                                                      #
# --------------------------------------------------------------------------- #
def _data(n=300, k=3, d=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    beta = rng.normal(scale=0.7, size=(k, d + 1))
    logits = np.column_stack([np.ones(n), X]) @ beta.T
    prob = np.exp(logits - logits.max(axis=1, keepdims=True))
    prob /= prob.sum(axis=1, keepdims=True)
    y = (prob.cumsum(axis=1) < rng.random(n)[:, None]).sum(axis=1)
    groups = rng.integers(0, 17, size=n)
    return X, y, groups


def _contrast(k, p):
    """Rows ``β_j - β_0`` for j = 1..k-1 (class-major): MNLogit's parametrisation."""
    c = np.zeros(((k - 1) * p, k * p))
    for j in range(1, k):
        c[(j - 1) * p : j * p, j * p : (j + 1) * p] = np.eye(p)
        c[(j - 1) * p : j * p, :p] = -np.eye(p)
    return c


def _mnlogit(y, Z, cov_type, groups=None, start=None):
    """statsmodels' MNLogit: at its own optimum, or evaluated at ``start``."""
    kw = {"cov_type": cov_type}
    if groups is not None:
        kw["cov_kwds"] = {"groups": groups}
    if start is None:
        kw.update(method="newton", tol=1e-14, maxiter=100)
    else:
        kw.update(start_params=start, method="newton", maxiter=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (maxiter=0: "did not converge")
        return sm.MNLogit(y, Z).fit(disp=0, **kw)


def _close(a, b, rtol):
    """``a ≈ b`` entrywise to ``rtol``, entries ~0 to ``rtol`` times the largest."""
    b = np.asarray(b)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * np.abs(b).max())


def _sm_cov(cov_type, y, Z, groups, n, p_eff, start=None):
    """statsmodels' covariance for our cov_type (HC1: its HC0 times n/(n - p_eff))."""
    res = _mnlogit(y, Z, "HC0" if cov_type == "HC1" else cov_type,
                   groups if cov_type == "cluster" else None, start)
    cov = np.asarray(res.cov_params())
    return (cov * n / (n - p_eff) if cov_type == "HC1" else cov), res


def _binary_sandwich(X, y, w, gamma, alpha, cov_type, fit_intercept=True):
    """common.md's binary logistic covariance assembled in numpy (penalty alpha on
    the coefficients of the logit ``gamma``)."""
    Z = np.column_stack([np.ones(len(y)), X]) if fit_intercept else X
    pi = 1.0 / (1.0 + np.exp(-Z @ gamma))
    s = pi * (1 - pi)
    F = (Z * (w * s)[:, None]).T @ Z
    pen = np.full(Z.shape[1], alpha)
    if fit_intercept:
        pen[0] = 0.0
    B = np.linalg.inv(F + np.diag(pen))
    if cov_type == "nonrobust":
        return B @ F @ B
    h = s * np.einsum("ij,jk,ik->i", Z, B, Z)
    power = {"HC0": 0, "HC1": 0, "HC2": 1, "HC3": 2}[cov_type]
    e2 = (y - pi) ** 2 / (1 - h) ** power
    M = (Z * (w * e2)[:, None]).T @ Z
    n = w.sum()
    c = n / (n - Z.shape[1]) if cov_type == "HC1" else 1.0
    return c * B @ M @ B


# --------------------------------------------------------------------------- #
# parity with statsmodels' MNLogit                                             #
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0", "HC1", "cluster"])
def test_mnlogit_parity_newton(cov_type):
    """At the optimum (Newton to tol 1e-10): C covariance_ Cᵀ is MNLogit's cov_params()
    (HC1: its HC0 · n/(n - (K-1)p); statsmodels' 'HC1' for MNLogit is plain HC0)."""
    X, y, g = _data()
    Z = sm.add_constant(X)
    est = SoftmaxClassifier(solver="newton", cov_type=cov_type, **TIGHT).fit(
        X, y, groups=g if cov_type == "cluster" else None)
    ref, res = _sm_cov(cov_type, y, Z, g, len(y), 2 * 3)
    C = _contrast(3, 3)
    _close(C @ est.covariance_ @ C.T, ref, 1e-8)
    _close(C @ est._inference_params().ravel(), np.asarray(res.params).ravel(order="F"), 1e-8)
    np.testing.assert_allclose(est.std_errors_, np.sqrt(np.diag(est.covariance_)).reshape(3, 3))
    assert est.covariance_.shape == (9, 9) and est.covariance_.dtype == np.float64
    if cov_type == "cluster":
        assert est.n_groups_ == 17
    else:
        assert not hasattr(est, "n_groups_")


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0", "HC1", "cluster"])
def test_mnlogit_parity_lbfgs(cov_type):
    """L-BFGS stops at ~1e-8 of the optimum (its relative objective test): the formulas
    match MNLogit's evaluated at the same parameters to 1e-8, the optimum to 1e-6."""
    X, y, g = _data(seed=1)
    Z = sm.add_constant(X)
    est = SoftmaxClassifier(solver="lbfgs", cov_type=cov_type, **TIGHT).fit(
        X, y, groups=g if cov_type == "cluster" else None)
    C = _contrast(3, 3)
    start = C @ est._inference_params().ravel()
    at_ours, _ = _sm_cov(cov_type, y, Z, g, len(y), 6, start=start)
    _close(C @ est.covariance_ @ C.T, at_ours, 1e-8)
    at_optimum, _ = _sm_cov(cov_type, y, Z, g, len(y), 6)
    _close(C @ est.covariance_ @ C.T, at_optimum, 1e-6)


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0", "cluster"])
def test_mnlogit_parity_anes96(cov_type):
    """A real data set statsmodels ships: party identification (7 classes) of the 1996
    American National Election Study on 5 covariates (statsmodels' MNLogit example)."""
    data = sm.datasets.anes96.load_pandas().data
    X = data[["logpopul", "selfLR", "age", "educ", "income"]]
    y = data["PID"].to_numpy()
    g = data["educ"].to_numpy()  # 7 education levels as clusters
    est = SoftmaxClassifier(solver="newton", cov_type=cov_type, **TIGHT).fit(
        X, y, groups=g if cov_type == "cluster" else None)
    ref, _ = _sm_cov(cov_type, y, sm.add_constant(X.to_numpy()), g, len(y), 6 * 6)
    C = _contrast(7, 6)
    _close(C @ est.covariance_ @ C.T, ref, 1e-8)
    table = est.summary()
    assert table.index.get_level_values("parameter")[:3].tolist() == [
        "intercept", "logpopul", "selfLR"]
    assert table.index.get_level_values("class").unique().tolist() == list(range(7))


def test_mnlogit_parity_no_intercept():
    X, y, g = _data(seed=2)
    X = X + 0.5  # (no intercept: keep the classes apart from the origin)
    for cov_type in ("nonrobust", "HC0", "cluster"):
        est = SoftmaxClassifier(solver="newton", fit_intercept=False, cov_type=cov_type,
                                **TIGHT).fit(X, y, groups=g if cov_type == "cluster" else None)
        ref, _ = _sm_cov(cov_type, y, X, g, len(y), 2 * 2)
        C = _contrast(3, 2)
        _close(C @ est.covariance_ @ C.T, ref, 1e-8)
        assert est.summary().index.get_level_values("parameter")[:2].tolist() == ["x0", "x1"]


# --------------------------------------------------------------------------- #
# the parametrisation                                                          #
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("alpha", [0.0, 3.0])
def test_sum_to_zero_parametrisation(alpha):
    """The fitted parameters sum to zero over the classes along the flat directions
    (intercepts; coefficients too at alpha 0), and covariance_ is that of the
    sum-to-zero parametrisation: it annihilates those directions."""
    X, y, _ = _data(seed=3)
    for solver in ("newton", "lbfgs"):
        est = SoftmaxClassifier(solver=solver, alpha=alpha, tol=1e-10,
                                cov_type="nonrobust").fit(X, y)
        theta = est._inference_params()
        np.testing.assert_allclose(theta.sum(axis=0), 0.0, atol=1e-10)
        cov = est.covariance_.reshape(3, 3, 3, 3)
        np.testing.assert_allclose(cov.sum(axis=0), 0.0, atol=1e-12)
        np.testing.assert_allclose(est.covariance_, est.covariance_.T)
        assert np.all(np.linalg.eigvalsh(est.covariance_) > -1e-12)


def test_penalised_nonrobust_and_hc0_are_the_sandwich():
    """alpha > 0: nonrobust is B F B and HC0 is B (Σ wᵢ gᵢgᵢᵀ) B with B the
    pseudo-inverse of the penalised Hessian F + P, assembled here in numpy."""
    X, y, _ = _data(seed=4)
    w = np.random.default_rng(4).uniform(0.5, 2.0, size=len(y))
    alpha = 5.0
    est = SoftmaxClassifier(alpha=alpha, solver="newton", tol=1e-10,
                            cov_type="nonrobust").fit(X, y, sample_weight=w)
    Z = np.column_stack([np.ones(len(y)), X])
    pi = est.predict_proba(X)
    K, p = 3, 3
    F = np.zeros((K * p, K * p))
    for i in range(len(y)):  # (the definition, row by row: a small test problem)
        Wi = np.diag(pi[i]) - np.outer(pi[i], pi[i])
        F += w[i] * np.kron(Wi, np.outer(Z[i], Z[i]))
    P = np.kron(np.eye(K), np.diag([0.0, alpha, alpha]))
    B = np.linalg.pinv(F + P, rcond=1e-12, hermitian=True)
    np.testing.assert_allclose(est.covariance_, B @ F @ B, rtol=1e-8, atol=1e-12)
    G = np.einsum("ik,ij->ikj", np.eye(K)[y] - pi, Z).reshape(len(y), -1)
    M = (G * w[:, None]).T @ G
    hc0 = SoftmaxClassifier(alpha=alpha, solver="newton", tol=1e-10, cov_type="HC0").fit(
        X, y, sample_weight=w)
    np.testing.assert_allclose(hc0.covariance_, B @ M @ B, rtol=1e-8, atol=1e-12)


# --------------------------------------------------------------------------- #
# frequency weights, sparse input, class relabelling                           #
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"])
def test_frequency_weights_equal_repeated_rows(cov_type):
    X, y, g = _data(n=120, seed=5)
    w = np.random.default_rng(5).integers(0, 4, size=len(y))  # zeros included
    kw = {"groups": g} if cov_type == "cluster" else {}
    weighted = SoftmaxClassifier(solver="newton", cov_type=cov_type, **TIGHT).fit(
        X, y, sample_weight=w.astype(float), **kw)
    kw_rep = {"groups": np.repeat(g, w)} if cov_type == "cluster" else {}
    repeated = SoftmaxClassifier(solver="newton", cov_type=cov_type, **TIGHT).fit(
        np.repeat(X, w, axis=0), np.repeat(y, w), **kw_rep)
    _close(weighted.covariance_, repeated.covariance_, 1e-8)
    if cov_type == "HC1":  # and the statsmodels parity of the expanded data
        ref, _ = _sm_cov("HC1", np.repeat(y, w), sm.add_constant(np.repeat(X, w, axis=0)),
                         None, w.sum(), 6)
        C = _contrast(3, 3)
        _close(C @ weighted.covariance_ @ C.T, ref, 1e-8)


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0", "HC3", "cluster"])
def test_sparse_equals_dense(cov_type):
    X, y, g = _data(n=150, seed=6)
    X[np.abs(X) < 0.5] = 0.0
    kw = {"groups": g} if cov_type == "cluster" else {}
    dense = SoftmaxClassifier(solver="newton", cov_type=cov_type, **TIGHT).fit(X, y, **kw)
    sp = SoftmaxClassifier(solver="newton", cov_type=cov_type, **TIGHT).fit(
        sparse.csr_array(X), y, **kw)
    _close(sp.covariance_, dense.covariance_, 1e-9)


def test_class_relabelling_permutes_the_covariance():
    """HC2/HC3 (and every type) do not depend on the order of the classes."""
    X, y, _ = _data(seed=7)
    perm = np.array([2, 0, 1])  # class c is relabelled perm[c]
    for cov_type in ("HC2", "HC3"):
        a = SoftmaxClassifier(solver="newton", cov_type=cov_type, **TIGHT).fit(X, y)
        b = SoftmaxClassifier(solver="newton", cov_type=cov_type, **TIGHT).fit(X, perm[y])
        # b's class perm[c] is a's class c
        cov_b = b.covariance_.reshape(3, 3, 3, 3)[perm][:, :, perm]
        _close(cov_b.reshape(9, 9), a.covariance_, 1e-8)


def test_float32_input_gives_float64_covariance():
    X, y, _ = _data(seed=8)
    est = SoftmaxClassifier(solver="newton", cov_type="nonrobust").fit(X.astype(np.float32), y)
    assert est.coef_.dtype == np.float32
    assert est.covariance_.dtype == np.float64 and est.std_errors_.dtype == np.float64


# --------------------------------------------------------------------------- #
# two classes: the binary logistic regression                                 #
# --------------------------------------------------------------------------- #
def _binary(seed=9, n=200):
    X, y, g = _data(n=n, k=2, seed=seed)
    w = np.random.default_rng(seed).integers(1, 4, size=n).astype(float)
    return X, y, g, w


@pytest.mark.parametrize("alpha", [0.0, 2.0])
@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0", "HC1", "HC2", "HC3"])
def test_two_classes_reduce_to_the_binary_formulas(cov_type, alpha):
    """K = 2: the covariance of β₁ - β₀ is common.md's binary logistic covariance of
    the logit (penalty alpha/2: the softmax with two classes), HC2/HC3 included
    (hᵢ = sᵢ zᵢᵀ B zᵢ, residuals (yᵢ - πᵢ)/(1 - hᵢ)^{1/2 or 1})."""
    X, y, _, w = _binary()
    est = SoftmaxClassifier(solver="newton", alpha=alpha, tol=1e-10, cov_type=cov_type).fit(
        X, y, sample_weight=w)
    C = _contrast(2, 3)
    gamma = C @ est._inference_params().ravel()
    ref = _binary_sandwich(X, y, w, gamma, alpha / 2.0, cov_type)
    _close(C @ est.covariance_ @ C.T, ref, 1e-9)


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0", "cluster"])
def test_two_classes_statsmodels_logit(cov_type):
    X, y, g, _ = _binary(seed=10)
    est = SoftmaxClassifier(solver="newton", cov_type=cov_type, **TIGHT).fit(
        X, y, groups=g if cov_type == "cluster" else None)
    kw = {"cov_kwds": {"groups": g}} if cov_type == "cluster" else {}
    res = sm.Logit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-14,
                                             cov_type=cov_type, **kw)
    C = _contrast(2, 3)
    _close(C @ est.covariance_ @ C.T, res.cov_params(), 1e-8)
    _close(C @ est._inference_params().ravel(), res.params, 1e-8)


def test_two_classes_logistic_irls_nonrobust():
    X, y, _, w = _binary(seed=11)
    est = SoftmaxClassifier(solver="newton", cov_type="nonrobust", **TIGHT).fit(
        X, y, sample_weight=w)
    irls = LogisticIRLS(alpha=0.0, tol=1e-10).fit(X, y, sample_weight=w)
    C = _contrast(2, 3)
    _close(C @ est.covariance_ @ C.T, irls.covariance_, 1e-8)


@pytest.mark.parametrize("cov_type", ["HC0", "HC1", "HC2", "HC3", "cluster"])
def test_two_classes_logistic_irls_robust(cov_type):
    """Against LogisticIRLS's own robust covariances (issue 19, built alongside)."""
    if "cov_type" not in LogisticIRLS().get_params():
        pytest.skip("LogisticIRLS has no cov_type on this branch yet")
    X, y, g, w = _binary(seed=12)
    kw = {"groups": g} if cov_type == "cluster" else {}
    est = SoftmaxClassifier(solver="newton", cov_type=cov_type, **TIGHT).fit(
        X, y, sample_weight=w, **kw)
    irls = LogisticIRLS(alpha=0.0, tol=1e-10, cov_type=cov_type).fit(
        X, y, sample_weight=w, **kw)
    C = _contrast(2, 3)
    _close(C @ est.covariance_ @ C.T, irls.covariance_, 1e-8)


# --------------------------------------------------------------------------- #
# conf_int and summary                                                         #
# --------------------------------------------------------------------------- #
def test_conf_int_and_summary():
    import pandas as pd
    from scipy import stats

    X, y, _ = _data(seed=13)
    labels = np.array(["ant", "bee", "cat"])[y]
    df = pd.DataFrame(X, columns=["height", "width"])
    est = SoftmaxClassifier(solver="newton", cov_type="HC1", **TIGHT).fit(df, labels)
    ci = est.conf_int(alpha=0.1)
    assert ci.shape == (3, 3, 2)
    q = stats.norm.ppf(0.95)
    theta = est._inference_params()
    np.testing.assert_allclose(ci[..., 0], theta - q * est.std_errors_)
    np.testing.assert_allclose(ci[..., 1], theta + q * est.std_errors_)
    table = est.summary()
    assert table.columns.tolist() == ["Coef.", "Std.Err.", "z", "P>|z|", "[0.025", "0.975]"]
    assert table.index.names == ["class", "parameter"]
    assert table.index.tolist()[:4] == [("ant", "intercept"), ("ant", "height"),
                                        ("ant", "width"), ("bee", "intercept")]
    np.testing.assert_allclose(table.loc[("cat", "width"), "Coef."], est.coef_[2, 1])
    np.testing.assert_allclose(table["z"], (theta / est.std_errors_).ravel())
    np.testing.assert_allclose(table.loc["bee", "Std.Err."], est.std_errors_[1])
    named = est.summary(feature_names=["a", "b"])
    assert named.index.get_level_values("parameter")[:3].tolist() == ["intercept", "a", "b"]


# --------------------------------------------------------------------------- #
# Pipeline and GridSearchCV                                                    #
# --------------------------------------------------------------------------- #
def test_pipeline_and_search_route_groups():
    import sklearn

    X, y, g = _data(n=200, seed=14)
    pipe = Pipeline([("scale", StandardScaler()),
                     ("model", SoftmaxClassifier(solver="newton", cov_type="cluster"))])
    pipe.fit(X, y, model__groups=g)
    assert pipe[-1].n_groups_ == 17
    direct = SoftmaxClassifier(solver="newton", cov_type="cluster").fit(
        StandardScaler().fit_transform(X), y, groups=g)
    np.testing.assert_allclose(pipe[-1].covariance_, direct.covariance_, rtol=1e-10)
    assert pipe[-1].summary().shape == (9, 6)
    with sklearn.config_context(enable_metadata_routing=True):
        routed = Pipeline([
            ("scale", StandardScaler()),
            ("model", SoftmaxClassifier(solver="newton", cov_type="cluster")
             .set_fit_request(groups=True, sample_weight=False)),
        ])
        routed.fit(X, y, groups=g)
        np.testing.assert_allclose(routed[-1].covariance_, direct.covariance_, rtol=1e-10)
        search = GridSearchCV(routed, {"model__alpha": [0.1, 1.0]}, cv=GroupKFold(3))
        search.fit(X, y, groups=g)
    best = search.best_estimator_[-1]
    assert best.n_groups_ == 17 and best.summary().shape == (9, 6)


# --------------------------------------------------------------------------- #
# errors, failed fits, solvers without a covariance                            #
# --------------------------------------------------------------------------- #
def test_bad_input_raises_and_leaves_the_fit():
    X, y, g = _data(n=100, seed=15)
    est = SoftmaxClassifier(solver="newton", cov_type="nonrobust").fit(X, y)
    cov = est.covariance_
    with pytest.raises(ValueError, match="groups is used only by cov_type='cluster'"):
        est.fit(X, y, groups=g)
    assert est.covariance_ is cov
    est.set_params(cov_type="cluster")
    with pytest.raises(ValueError, match="needs the cluster of every sample"):
        est.fit(X, y)
    with pytest.raises(ValueError, match=r"groups must have shape \(100,\)"):
        est.fit(X, y, groups=g[:-1])
    with pytest.raises(ValueError, match="at least 2 clusters"):
        est.fit(X, y, groups=np.zeros(100))
    assert est.covariance_ is cov and not hasattr(est, "n_groups_")
    est.set_params(cov_type="HC4")
    with pytest.raises(ValueError, match="cov_type"):
        est.fit(X, y)
    est.set_params(cov_type="HC1", solver="sgd")
    with pytest.raises(ValueError, match="solver='sgd' does not compute"):
        est.fit(X, y)
    assert est.covariance_ is cov
    with pytest.raises(ValueError, match="alpha must be a float in"):
        est.conf_int(alpha=1.5)


def test_hc1_needs_more_observations_than_parameters():
    X, y, _ = _data(n=6, seed=16)
    y[:3] = [0, 1, 2]
    est = SoftmaxClassifier(alpha=1.0, solver="newton", cov_type="HC1")
    with pytest.raises(ValueError, match="more observations"):
        est.fit(X, y)


@pytest.mark.parametrize("warm_start", [False, True])
def test_gradient_solver_refit_removes_the_covariance(warm_start):
    X, y, g = _data(n=100, seed=17)
    est = SoftmaxClassifier(solver="newton", cov_type="cluster", warm_start=warm_start).fit(
        X, y, groups=g)
    assert hasattr(est, "covariance_") and hasattr(est, "n_groups_")
    est.set_params(solver="sgd", cov_type=None, max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    for attr in ("covariance_", "std_errors_", "n_groups_"):
        assert not hasattr(est, attr)
    with pytest.raises(NotFittedError, match="cov_type=None"):
        est.summary()
    est.set_params(solver="lbfgs", max_iter=100, cov_type="nonrobust").fit(X, y)
    assert est.std_errors_.shape == (3, 3)
    est.summary()


def test_no_covariance_by_default():
    """cov_type=None (the default): the fit costs what sklearn's does, no covariance;
    summary() says how to get one; 'gd'/'sgd' refuse any cov_type."""
    X, y, _ = _data(n=100, seed=18)
    est = SoftmaxClassifier().fit(X, y)
    assert est.cov_type is None and not hasattr(est, "covariance_")
    with pytest.raises(NotFittedError, match="cov_type='nonrobust'"):
        est.conf_int()
    assert SoftmaxClassifier(cov_type="nonrobust").fit(X, y).covariance_.shape == (9, 9)
    with pytest.raises(ValueError, match="solver='gd' does not compute"):
        SoftmaxClassifier(solver="gd", cov_type="nonrobust").fit(X, y)
