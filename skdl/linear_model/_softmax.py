"""Multinomial (softmax) logistic regression (note 001 §7.8-7.9).

The objective and its gradient are one pure function, :func:`_loss_grad`, of the
flat parameter vector; the solvers are pure functions that minimise it
(:func:`_solve_lbfgs` through ``scipy.optimize.minimize`` with the analytic gradient,
:func:`_solve_newton` by Newton's method with the full Hessian).  A first-order
solver needs nothing more than ``_loss_grad``: the gradient-descent solvers are
added by passing it to the update rules of :mod:`skdl.optim` and registering them
in ``_SOLVERS``.

Parameters are ``Θ`` of shape ``(m, p)``, one row per class, with the intercept in
column 0 when ``fit_intercept`` (the over-complete softmax parametrisation of the
notes, as sklearn's multinomial ``LogisticRegression``).  Every function works with
log-sum-exp, so large logits never overflow.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import optimize
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from skdl.linear_model._logistic import _blas_threads, _factor, _solve

_MAX_HALVINGS = 40


# --------------------------------------------------------------------------- #
# objective                                                                    #
# --------------------------------------------------------------------------- #
def _logits(X, coef, intercept):
    z = X @ coef.T
    if intercept is not None:
        z += intercept
    return z


def _log_softmax(z):
    """Row-wise log-softmax, in place on a copy, by log-sum-exp."""
    z = z - z.max(axis=1, keepdims=True)
    z -= np.log(np.exp(z).sum(axis=1, keepdims=True))
    return z


class _Problem:
    """The data of one fit: ``X``, integer labels, weights, penalty and shapes.

    Holds reusable work buffers so that an objective evaluation allocates only
    arrays of size ``n × m`` (the logits) and the gradient.
    """

    def __init__(self, X, y, w, n_classes, alpha, fit_intercept):
        self.X, self.y, self.w = X, y, w
        self.m = n_classes
        self.d = X.shape[1]
        self.off = 1 if fit_intercept else 0
        self.p = self.d + self.off
        self.alpha = float(alpha)
        self.fit_intercept = fit_intercept
        self.sw = float(w.sum())
        self.rows = np.arange(X.shape[0])

    def split(self, theta):
        t = theta.reshape(self.m, self.p)
        return t[:, self.off :], (t[:, 0] if self.fit_intercept else None)

    def _logits_t(self, coef, intercept):
        """Logits in the ``(m, n)`` layout: reductions over classes then run over m
        contiguous rows of length n (vectorised), not over n short rows of length m."""
        zt = coef @ self.X.T
        if intercept is not None:
            zt += intercept[:, None]
        return zt

    def loss_grad(self, theta):
        """Objective ``(Σ wᵢ (-log π_{i yᵢ}) + α/2 ‖coef‖²) / Σw`` and its gradient.

        Two GEMMs (the logits and the gradient ``(Π - Y)ᵀ W X``) and a few passes
        over the ``(m, n)`` logits; log-sum-exp throughout.
        """
        coef, intercept = self.split(theta)
        zt = self._logits_t(coef, intercept)
        zt -= zt.max(axis=0)
        z_true = zt[self.y, self.rows]
        np.exp(zt, out=zt)
        s = zt.sum(axis=0)
        # -log π_{i,yᵢ} = log Σ_c exp(z_ic) - z_{i,yᵢ}  (shifted logits: no overflow)
        loss = float((np.log(s) - z_true) @ self.w)
        # zt ← wᵢ (πᵢ - Yᵢ)ᵀ
        zt *= self.w / s
        zt[self.y, self.rows] -= self.w
        grad = np.empty((self.m, self.p))
        grad[:, self.off :] = zt @ self.X
        if self.fit_intercept:
            grad[:, 0] = zt.sum(axis=1)
        if self.alpha > 0:
            loss += 0.5 * self.alpha * float(np.sum(coef * coef))
            grad[:, self.off :] += self.alpha * coef
        return loss / self.sw, grad.ravel() / self.sw

    def loss_grad_batch(self, theta, idx):
        """Mini-batch estimate of :meth:`loss_grad` from the rows ``idx`` (for SGD).

        The data term is averaged over the batch's weights, the penalty is the full
        one (``α coef / Σw``), so the estimate is unbiased for uniformly drawn
        batches and equals :meth:`loss_grad` when ``idx`` holds every row.
        """
        sub = _Problem(self.X[idx], self.y[idx], self.w[idx], self.m, 0.0, self.fit_intercept)
        loss, grad = sub.loss_grad(theta)
        if self.alpha > 0:
            coef, _ = self.split(theta)
            loss += 0.5 * self.alpha * float(np.sum(coef * coef)) / self.sw
            g = grad.reshape(self.m, self.p)
            g[:, self.off :] += self.alpha * coef / self.sw
        return loss, grad

    def separates(self, theta):
        """True when every positively weighted sample scores its own class highest.

        Then scaling ``Θ`` up drives the unpenalised NLL to 0 without reaching it:
        no maximum-likelihood estimate exists (complete separation).
        """
        zt = self._logits_t(*self.split(theta))
        z_true = zt[self.y, self.rows]
        zt[self.y, self.rows] = -np.inf
        active = self.w > 0
        return bool(np.all(z_true[active] > zt.max(axis=0)[active]))

    def loss(self, theta):
        coef, intercept = self.split(theta)
        zt = self._logits_t(coef, intercept)
        zt -= zt.max(axis=0)
        z_true = zt[self.y, self.rows]
        np.exp(zt, out=zt)
        loss = float((np.log(zt.sum(axis=0)) - z_true) @ self.w)
        if self.alpha > 0:
            loss += 0.5 * self.alpha * float(np.sum(coef * coef))
        return loss / self.sw

    def hessian(self, theta):
        """Hessian of the objective (times Σw) ``(m p, m p)``, class-major blocks.

        ``H_kl = Xₐᵀ diag(wᵢ πᵢₖ (δ_kl - πᵢₗ)) Xₐ``: the block diagonal
        ``Xₐᵀ diag(w πₖ) Xₐ`` minus ``Qᵀ diag(w) Q`` with ``Q = [Xₐ π₁, ..., Xₐ πₘ]``,
        both by symmetric rank-k updates (BLAS ``syrk``, numpy's ``Bᵀ @ B``) over row
        blocks.
        """
        coef, intercept = self.split(theta)
        m, p, off = self.m, self.p, self.off
        X, w = self.X, self.w
        n = X.shape[0]
        # row blocks of at most ~4M entries of Q (32 MB)
        b = max(1, min(n, (1 << 22) // (m * p)))
        xa = np.empty((b, p))
        q = np.empty((b, m * p))
        big = np.zeros((m * p, m * p))
        diag = np.zeros((m, p, p))
        for start in range(0, n, b):
            stop = min(start + b, n)
            k = stop - start
            blk = xa[:k]
            if off:
                blk[:, 0] = 1.0
            blk[:, off:] = X[start:stop]
            z = _logits(X[start:stop], coef, intercept)
            pi = np.exp(_log_softmax(z))
            wb = w[start:stop]
            qb = q[:k]
            np.multiply(
                blk[:, None, :], (pi * np.sqrt(wb)[:, None])[:, :, None], out=qb.reshape(k, m, p)
            )
            big += qb.T @ qb  # numpy: syrk for Bᵀ @ B
            for c in range(m):
                sc = blk * np.sqrt(wb * pi[:, c])[:, None]
                diag[c] += sc.T @ sc
        big = -big
        for c in range(m):
            big[c * p : (c + 1) * p, c * p : (c + 1) * p] += diag[c]
        if self.alpha > 0:
            pen = np.tile(np.r_[np.zeros(off), np.full(self.d, self.alpha)], m)
            big.flat[:: m * p + 1] += pen
        return big

    def null_space_fix(self, hess):
        """Add ``c · (J/m ⊗ D)`` to lift the softmax's flat directions.

        Adding the same vector ``u`` to every class row leaves the probabilities, hence
        the NLL, unchanged: ``(u, ..., u)`` spans the null space of the Hessian on the
        intercepts (always, as they are unpenalised) and on the coefficients when
        ``alpha == 0``.  The gradient is orthogonal to those directions, so lifting
        them leaves the Newton step unchanged while making the matrix positive
        definite (the iterates keep a zero class-sum).
        """
        m, p = self.m, self.p
        dvec = np.zeros(p)
        if self.fit_intercept:
            dvec[0] = 1.0
        if self.alpha == 0:
            dvec[self.off :] = 1.0
        if not dvec.any():
            return hess
        scale = max(float(np.mean(np.diag(hess))), np.finfo(float).tiny)
        return hess + scale * np.kron(np.full((m, m), 1.0 / m), np.diag(dvec))


# --------------------------------------------------------------------------- #
# solvers                                                                      #
# --------------------------------------------------------------------------- #
def _initial_theta(prob):
    """Zero coefficients; intercepts at the centred log class frequencies."""
    theta = np.zeros((prob.m, prob.p))
    if prob.fit_intercept:
        freq = np.bincount(prob.y, weights=prob.w, minlength=prob.m) / prob.sw
        logf = np.log(np.clip(freq, 1e-12, None))
        theta[:, 0] = logf - logf.mean()
    return theta.ravel()


def _solve_lbfgs(prob, theta0, max_iter, tol):
    """L-BFGS-B (scipy) on the mean objective with the analytic gradient."""
    curve = [prob.loss_grad(theta0)[0]]
    separated = [False]

    def callback(intermediate_result):
        curve.append(float(intermediate_result.fun))
        if prob.alpha == 0 and prob.separates(intermediate_result.x):
            separated[0] = True
            raise StopIteration

    res = optimize.minimize(
        prob.loss_grad,
        theta0,
        method="L-BFGS-B",
        jac=True,
        callback=callback,
        options={
            "maxiter": max_iter,
            "maxls": 50,
            "gtol": tol,
            "ftol": 64 * np.finfo(float).eps,
        },
    )
    converged = res.status != 1  # 1: iteration (or evaluation) limit reached
    return res.x, int(res.nit), converged, separated[0], np.asarray(curve)


def _solve_newton(prob, theta0, max_iter, tol):
    """Newton's method with the full ``(m p)²`` Hessian, Cholesky and step-halving."""
    theta = theta0.copy()
    obj, grad = prob.loss_grad(theta)
    curve = [obj]
    n_iter = 0
    converged = separated = False
    while True:
        if np.max(np.abs(grad)) <= tol:
            converged = True
            break
        if n_iter >= max_iter:
            break
        hess = prob.null_space_fix(prob.hessian(theta)) / prob.sw
        # Cholesky, or the minimum-norm step when X is rank deficient and alpha = 0
        delta = _solve(_factor(hess), hess, grad)
        n_iter += 1
        t = 1.0
        for _ in range(_MAX_HALVINGS):
            theta_new = theta - t * delta
            obj_new = prob.loss(theta_new)
            if obj_new <= obj + 1e-12 * abs(obj):
                break
            t *= 0.5
        else:
            converged = True  # flat to machine precision along the Newton direction
            break
        theta = theta_new
        obj, grad = prob.loss_grad(theta)
        curve.append(obj)
        if prob.alpha == 0 and prob.separates(theta):
            separated = True
            break
    return theta, n_iter, converged, separated, np.asarray(curve)


# solver name -> pure function (prob, theta0, max_iter, tol) -> (theta, n_iter,
# converged, separated, loss_curve).  'gd' / 'sgd' plug in here once skdl.optim provides
# the update rules: they need only prob.loss_grad (full batch) or prob.loss_grad_batch.
_SOLVERS = {"lbfgs": _solve_lbfgs, "newton": _solve_newton}


class SoftmaxClassifier(ClassifierMixin, BaseEstimator):
    """Multinomial logistic regression: the softmax formulation (note 001 §7.8-7.9).

    One linear score per class, ``zᵢₖ = xᵢᵀcoef_ₖ + intercept_ₖ``, turned into
    probabilities by the softmax; the fit minimises the weighted negative
    log-likelihood (cross-entropy) plus an L2 penalty on the coefficients::

        Σᵢ wᵢ (-log πᵢ,yᵢ) + α/2 ‖coef‖²_F,   πᵢₖ = exp(zᵢₖ) / Σ_c exp(zᵢ_c).

    Parameters
    ----------
    alpha : float, default=1.0
        Non-negative L2 penalty on the coefficients (the intercepts are not
        penalised).  ``alpha = 1 / C`` gives the solution of sklearn's multinomial
        ``LogisticRegression(C=C)`` (sklearn minimises ``½‖coef‖² + C Σ wᵢ lossᵢ``);
        the default matches sklearn's ``C=1.0``.  ``alpha = 0`` is the
        maximum-likelihood fit.
    solver : {"lbfgs", "newton"}, default="lbfgs"
        ``"lbfgs"``: scipy's L-BFGS-B on the objective with its analytic gradient
        (note 001 eq. 7.12).  ``"newton"``: Newton's method with the full Hessian of
        size ``(n_classes · n_params)²``, Cholesky and step-halving; quadratic
        convergence, for small ``n_classes × n_features``.
    fit_intercept : bool, default=True
        Whether to fit one (unpenalised) intercept per class.
    max_iter : int, default=100
        Maximum number of iterations of the solver.
    tol : float, default=1e-4
        Stop when the largest absolute entry of the gradient of the mean objective
        (objective divided by the sum of sample weights) is at most ``tol``
        (``"lbfgs"``: scipy's ``gtol``, as sklearn passes its ``tol``).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    coef_ : ndarray of shape (n_classes, n_features)
        One row of coefficients per class (also for two classes: the softmax
        formulation keeps two sets of parameters, note 001 fig. 7.4).
    intercept_ : ndarray of shape (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``).
    solver_ : str
        The solver used.
    n_iter_ : int
        Number of iterations run.
    loss_curve_ : ndarray
        Mean objective at the start and after each iteration.
    separated_ : bool
        Whether complete separation was detected (``alpha = 0`` only): the fit then
        stops early with a :class:`~sklearn.exceptions.ConvergenceWarning`.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    LogisticIRLS : Binary logistic regression with standard errors.
    sklearn.linear_model.LogisticRegression : The reference (multinomial for more
        than two classes).

    Notes
    -----
    The loss is note 001 eq. 7.12, ``L = -Σᵢ Σⱼ Πⱼ(yᵢ) log πᵢⱼ``, with gradient
    ``∂L/∂θⱼ = Σᵢ xᵢ (πᵢⱼ - Πⱼ(yᵢ))`` (the printed 7.12 writes ``yᵢ`` for the
    indicator ``Πⱼ(yᵢ)``), plus ``α θⱼ`` from the penalty.  The Hessian blocks are
    ``Xᵀ diag(πₖ (δₖₗ - πₗ)) X``.  Probabilities and losses go through
    log-sum-exp, so no logit overflows.  The parametrisation is over-complete
    (adding one vector to every class row changes nothing); the penalty picks the
    solution with class-sums zero, and the Newton solver keeps the class-sums of the
    iterates at zero when ``alpha = 0``.

    With two classes the probabilities equal those of a binary logistic regression
    with ``θ = coef_[1] - coef_[0]`` and penalty ``alpha / 2``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skdl import SoftmaxClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SoftmaxClassifier(alpha=1.0, solver="newton").fit(X, y)
    >>> clf.coef_.shape
    (3, 4)
    >>> bool(clf.score(X, y) > 0.95)
    True
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "solver": [StrOptions(set(_SOLVERS))],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, alpha=1.0, *, solver="lbfgs", fit_intercept=True, max_iter=100, tol=1e-4):
        self.alpha = alpha
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels (any hashable, sortable values: numbers, strings, ...).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples; ``None`` weighs all equally.  An
            integer weight is equivalent to repeating the sample.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=np.float64, order="C")
        check_classification_targets(y)
        enc = LabelEncoder()
        y_enc = enc.fit_transform(y)
        classes = enc.classes_
        if classes.size < 2:
            raise ValueError(
                "SoftmaxClassifier needs samples of at least 2 classes; y contains only "
                f"one class: {classes.tolist()}."
            )
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        if not sample_weight.sum() > 0:
            raise ValueError("The sample weights sum to zero: there is nothing to fit.")

        prob = _Problem(X, y_enc, sample_weight, classes.size, self.alpha, self.fit_intercept)
        theta0 = _initial_theta(prob)
        with _blas_threads(X.shape[0] * prob.p * prob.m):
            theta, n_iter, converged, separated, curve = _SOLVERS[self.solver](
                prob, theta0, self.max_iter, self.tol
            )
        coef, intercept = prob.split(theta)
        self.classes_ = classes
        self.coef_ = np.array(coef)
        self.intercept_ = np.array(intercept) if intercept is not None else np.zeros(classes.size)
        self.solver_ = self.solver
        self.n_iter_ = n_iter
        self.loss_curve_ = curve
        self.separated_ = separated
        if separated:
            warnings.warn(
                "Perfect separation detected: the fitted scores already classify every "
                "training sample correctly, so the unpenalised maximum-likelihood estimate "
                "does not exist (the coefficients grow without bound). Stopped after "
                f"{n_iter} iteration(s) with finite coefficients. Use alpha > 0 (an L2 "
                "penalty) for a well-defined fit.",
                ConvergenceWarning,
                stacklevel=2,
            )
        elif not converged:
            warnings.warn(
                f"SoftmaxClassifier (solver={self.solver!r}) did not converge in "
                f"max_iter={self.max_iter} iterations (tol={self.tol}); increase max_iter, "
                "or alpha if the classes are (nearly) separable.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def _scores(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return _logits(X, self.coef_, self.intercept_)

    def decision_function(self, X):
        """Class scores (logits).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes) or (n_samples,)
            The logits; for two classes the log-odds ``z₁ - z₀`` of ``classes_[1]``
            (sklearn's convention for binary classifiers).
        """
        z = self._scores(X)
        if z.shape[1] == 2:
            return z[:, 1] - z[:, 0]
        return z

    def predict(self, X):
        """Predict class labels (the class of largest score).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels.
        """
        scores = self._scores(X)
        return self.classes_[np.argmax(scores, axis=1)]

    def predict_log_proba(self, X):
        """Log-probabilities by log-softmax (log-sum-exp; no overflow).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        return _log_softmax(self._scores(X))

    def predict_proba(self, X):
        """Class probabilities by softmax; rows sum to 1.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        z = self._scores(X)
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z
