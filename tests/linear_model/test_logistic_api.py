"""What a scikit-learn user expects of LogisticIRLS and SoftmaxClassifier (issue 17):
``class_weight``, ``warm_start``, float32 kept, scipy.sparse input.

Tolerances, as measured when written: class_weight against repeated samples and
explicit sample weights ~1e-12 (the same optimum, other sums), against sklearn's
LogisticRegression (newton-cholesky / lbfgs at tol 1e-12) 2e-8 in the coefficients
and 2e-7 in the probabilities, hence 1e-6 / 1e-5; sparse against dense: LogisticIRLS,
'newton', 'gd', 'sgd' to ~1e-15, 'lbfgs' 5e-11 (the same iterates up to rounding),
all within the 1e-8 asked for.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from skdl import LogisticIRLS, SoftmaxClassifier

SPARSE = [sp.csr_matrix, sp.csc_matrix, sp.csr_array, sp.csc_array]


def _binary(n=300, seed=0, zeros=0.3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    X[X < zeros] = 0.0  # ~60% zeros: a sparse design
    y = (X @ [1.0, -1.0, 0.5, 0.0, 2.0] + rng.logistic(size=n) > 0.5).astype(int)
    return X, y


def _iris(zeros=0.5):
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    X[np.abs(X) < zeros] = 0.0
    return X, y


def _params(est):
    return np.r_[est.intercept_.ravel(), est.coef_.ravel()]


# --------------------------------------------------------------------------- #
# class_weight                                                                 #
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("make", [lambda: LogisticIRLS(alpha=0.5),
                                  lambda: SoftmaxClassifier(alpha=0.5, solver="newton",
                                                            tol=1e-10)])
def test_class_weight_dict_equals_repeated_samples_and_sample_weight(make):
    X, y = _binary()
    weighted = make().set_params(class_weight={0: 3, 1: 1}).fit(X, y)
    rep = np.where(y == 0, 3, 1)
    repeated = make().fit(np.repeat(X, rep, axis=0), np.repeat(y, rep))
    by_sw = make().fit(X, y, sample_weight=rep.astype(float))
    assert_allclose(_params(weighted), _params(repeated), rtol=1e-9, atol=1e-10)
    assert_allclose(_params(weighted), _params(by_sw), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("make", [lambda: LogisticIRLS(alpha=0.5),
                                  lambda: SoftmaxClassifier(alpha=0.5, tol=1e-10,
                                                            max_iter=1000)])
def test_balanced_class_weight_is_sklearns_formula_and_multiplies_sample_weight(make):
    X, y = _binary()
    sw = np.random.default_rng(1).uniform(0.5, 2.0, size=y.size)
    counts = np.bincount(y, weights=sw)
    expected = sw * (sw.sum() / (2 * counts))[y]  # Σw / (n_classes Σ_{yᵢ=c} wᵢ)
    bal = make().set_params(class_weight="balanced").fit(X, y, sample_weight=sw)
    ref = make().fit(X, y, sample_weight=expected)
    assert_allclose(_params(bal), _params(ref), rtol=1e-9, atol=1e-10)
    # without sample weights: n_samples / (n_classes * bincount(y))
    bal = make().set_params(class_weight="balanced").fit(X, y)
    ref = make().fit(X, y, sample_weight=(y.size / (2 * np.bincount(y)))[y])
    assert_allclose(_params(bal), _params(ref), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("class_weight", ["balanced", {0: 2.0, 1: 0.5}])
@pytest.mark.parametrize("alpha", [0.0, 2.0])
def test_logistic_irls_class_weight_matches_sklearn(class_weight, alpha):
    """alpha = 1/C; alpha = 0 is sklearn's C=inf (no penalty)."""
    X, y = _binary()
    ours = LogisticIRLS(alpha=alpha, class_weight=class_weight).fit(X, y)
    ref = LogisticRegression(
        C=np.inf if alpha == 0 else 1.0 / alpha, class_weight=class_weight,
        solver="newton-cholesky", tol=1e-12, max_iter=1000,
    ).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-6)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=0, atol=1e-6)
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-6)


@pytest.mark.parametrize("class_weight", ["balanced", {0: 2.0, 1: 0.5, 2: 3.0}])
def test_softmax_class_weight_matches_sklearn(class_weight):
    X, y = _iris()
    X, y = X[:120], y[:120]  # unbalanced: 50, 50, 20
    ours = SoftmaxClassifier(alpha=1.0, class_weight=class_weight, tol=1e-10,
                             max_iter=1000).fit(X, y)
    ref = LogisticRegression(C=1.0, class_weight=class_weight, tol=1e-12,
                             max_iter=10_000).fit(X, y)
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-5)


@pytest.mark.parametrize("cls", [LogisticIRLS, SoftmaxClassifier])
def test_class_weight_bad_values_raise(cls):
    X, y = _binary()
    with pytest.raises(ValueError, match="class_weight"):
        cls(class_weight="auto").fit(X, y)
    with pytest.raises(ValueError, match="not in class_weight|classes"):
        cls(class_weight={5: 1.0}).fit(X, y)
    with pytest.raises(ValueError, match="non-negative"):
        cls(class_weight={0: -1.0, 1: 1.0}).fit(X, y)
    with pytest.raises(ValueError, match="sum to zero"):
        cls(class_weight={0: 0.0, 1: 0.0}).fit(X, y)


def test_class_weight_does_not_modify_sample_weight():
    X, y = _binary()
    sw = np.ones(y.size)
    LogisticIRLS(class_weight={0: 5.0, 1: 1.0}).fit(X, y, sample_weight=sw)
    SoftmaxClassifier(class_weight="balanced").fit(X, y, sample_weight=sw)
    assert np.all(sw == 1.0)


# --------------------------------------------------------------------------- #
# warm_start                                                                   #
# --------------------------------------------------------------------------- #
WARM = [
    lambda **kw: LogisticIRLS(**kw),
    lambda **kw: LogisticIRLS(alpha=1.0, fit_intercept=False, **kw),
    lambda **kw: SoftmaxClassifier(tol=1e-8, max_iter=1000, **kw),
    lambda **kw: SoftmaxClassifier(solver="newton", tol=1e-8, **kw),
    lambda **kw: SoftmaxClassifier(solver="gd", learning_rate_init=0.5, tol=1e-6,
                                   max_iter=5000, **kw),
]


@pytest.mark.parametrize("make", WARM)
def test_warm_start_from_the_optimum_stops_at_once(make):
    X, y = _iris() if "Softmax" in repr(make()) else _binary()
    cold = make().fit(X, y)
    warm = make(warm_start=True).fit(X, y)
    assert cold.n_iter_ > 2
    warm.fit(X, y)
    assert warm.n_iter_ <= 1
    assert len(warm.loss_curve_) == warm.n_iter_
    assert_allclose(_params(warm), _params(cold), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("make", WARM[:4])
def test_warm_start_after_a_change_of_alpha_equals_the_cold_fit(make):
    X, y = _iris() if "Softmax" in repr(make()) else _binary()
    warm = make(warm_start=True).set_params(alpha=0.3).fit(X, y)
    n_cold = make().set_params(alpha=0.5).fit(X, y).n_iter_
    warm.set_params(alpha=0.5).fit(X, y)
    cold = make().set_params(alpha=0.5).fit(X, y)
    assert warm.n_iter_ <= n_cold
    assert_allclose(_params(warm), _params(cold), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cls", [LogisticIRLS, SoftmaxClassifier])
def test_warm_start_other_classes_starts_cold_other_features_raises(cls):
    X, y = _binary()
    est = cls(warm_start=True).fit(X, y)
    cold = cls().fit(X, 1 - 2 * y)  # labels -1 / 1: another fit's coefficients
    est.fit(X, 1 - 2 * y)
    assert_allclose(_params(est), _params(cold), rtol=1e-6, atol=1e-6)
    before = est.coef_
    with pytest.raises(ValueError, match="X has 3 features, but .* is expecting 5"):
        est.fit(X[:, :3], y)
    assert est.coef_ is before
    # without warm_start another number of features is a new fit
    assert est.set_params(warm_start=False).fit(X[:, :3], y).coef_.shape[1] == 3


def test_warm_start_false_ignores_the_previous_fit():
    X, y = _binary()
    est = LogisticIRLS().fit(X, y)
    n = est.n_iter_
    assert est.fit(X, y).n_iter_ == n


# --------------------------------------------------------------------------- #
# float32                                                                      #
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("make", [LogisticIRLS, lambda: SoftmaxClassifier(solver="newton"),
                                  SoftmaxClassifier])
@pytest.mark.parametrize("sparse", [None, sp.csr_matrix])
def test_float32_in_float32_out(make, sparse):
    X, y = _binary()
    X32 = X.astype(np.float32)
    wrap = (lambda a: a) if sparse is None else sparse
    est = make().fit(wrap(X32), y)
    ref = make().fit(X32.astype(np.float64), y)
    assert est.coef_.dtype == np.float32 and est.intercept_.dtype == np.float32
    for method in ("decision_function", "predict_proba", "predict_log_proba"):
        out = getattr(est, method)(wrap(X32))
        assert out.dtype == np.float32, method
        # fitted in float64: the float64 fit on the same values, rounded to float32
        assert_allclose(out, getattr(ref, method)(X32.astype(np.float64)), rtol=1e-5,
                        atol=1e-6)
    assert_allclose(est.coef_, ref.coef_.astype(np.float32), rtol=0, atol=0)
    # float64 X for prediction with a float32 fit: float64 scores, as sklearn
    assert est.decision_function(X).dtype == np.float64
    if hasattr(est, "covariance_"):
        assert est.covariance_.dtype == np.float64 and est.std_errors_.dtype == np.float64


def test_float64_and_integer_input_give_float64():
    X, y = _binary()
    for Xin in (X, np.round(X * 10).astype(np.int64)):
        for est in (LogisticIRLS().fit(Xin, y), SoftmaxClassifier().fit(Xin, y)):
            assert est.coef_.dtype == np.float64
            assert est.predict_proba(Xin).dtype == np.float64


# --------------------------------------------------------------------------- #
# sparse input                                                                 #
# --------------------------------------------------------------------------- #
def _no_densify(monkeypatch):
    """Fail on densifying a sparse matrix of more than 10 rows (X has 150-300; the
    Hessian blocks and the column magnitudes, at most 5 x 5, may be made dense)."""
    for cls in (sp.csr_matrix, sp.csc_matrix, sp.csr_array, sp.csc_array, sp.coo_array,
                sp.coo_matrix):
        orig = cls.toarray

        def toarray(self, *a, _orig=orig, **k):
            assert self.shape[0] <= 10, f"densified a sparse {self.shape}"
            return _orig(self, *a, **k)

        monkeypatch.setattr(cls, "toarray", toarray)
        monkeypatch.setattr(cls, "todense", lambda self, *a, **k: pytest.fail("todense"))


@pytest.mark.parametrize("sparse", SPARSE)
@pytest.mark.parametrize("params", [{}, {"alpha": 1.0}, {"fit_intercept": False},
                                    {"class_weight": "balanced"}])
def test_logistic_irls_sparse_equals_dense(sparse, params, monkeypatch):
    X, y = _binary()
    sw = np.random.default_rng(2).uniform(0.0, 2.0, size=y.size)
    dense = LogisticIRLS(**params).fit(X, y, sample_weight=sw)
    _no_densify(monkeypatch)
    est = LogisticIRLS(**params).fit(sparse(X), y, sample_weight=sw)
    assert_allclose(_params(est), _params(dense), rtol=1e-8, atol=1e-10)
    assert_allclose(est.covariance_, dense.covariance_, rtol=1e-8, atol=1e-12)
    assert est.n_iter_ == dense.n_iter_
    for method in ("decision_function", "predict_proba", "predict_log_proba", "predict"):
        assert_allclose(getattr(est, method)(sparse(X)), getattr(dense, method)(X),
                        rtol=1e-8, atol=1e-10)


SOFTMAX_SPARSE = [
    {"solver": "lbfgs", "tol": 1e-10, "max_iter": 1000},
    {"solver": "newton", "tol": 1e-10},
    {"solver": "newton", "alpha": 0.1, "fit_intercept": False, "tol": 1e-10},
    {"solver": "gd", "max_iter": 50, "tol": 0.0},  # 'auto' rate from the sparse curvature
    {"solver": "sgd", "optimizer": "adam", "max_iter": 20, "tol": 0.0, "random_state": 0,
     "batch_size": 32},
    {"solver": "sgd", "early_stopping": True, "max_iter": 20, "random_state": 0},
]


@pytest.mark.parametrize("sparse", SPARSE)
@pytest.mark.parametrize("params", SOFTMAX_SPARSE)
def test_softmax_sparse_equals_dense(sparse, params, monkeypatch):
    X, y = _iris()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = SoftmaxClassifier(**params).fit(X, y)
        _no_densify(monkeypatch)
        est = SoftmaxClassifier(**params).fit(sparse(X), y)
    assert_allclose(_params(est), _params(dense), rtol=1e-8, atol=1e-8)
    assert est.n_iter_ == dense.n_iter_
    if "learning_rate_" in vars(dense):
        assert_allclose(est.learning_rate_, dense.learning_rate_, rtol=1e-8)
    for method in ("decision_function", "predict_proba", "predict_log_proba", "predict"):
        assert_allclose(getattr(est, method)(sparse(X)), getattr(dense, method)(X),
                        rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("cls", [LogisticIRLS, SoftmaxClassifier])
def test_sparse_column_magnitudes_checked(cls):
    """The column-scale checks read the stored entries: a column of 1e-200 is refused
    on sparse input as on dense."""
    X, y = _binary()
    X[:, 2] *= 1e-200
    for Xin in (X, sp.csr_matrix(X)):
        with pytest.raises(ValueError, match="cannot fit features of these magnitudes"):
            cls().fit(Xin, y)


def test_sparse_fit_predicts_on_dense_and_coo():
    X, y = _binary()
    est = SoftmaxClassifier().fit(sp.csr_array(X), y)
    assert_allclose(est.predict_proba(X), est.predict_proba(sp.coo_array(X)), rtol=1e-12)
