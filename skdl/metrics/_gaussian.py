"""Closed forms for Gaussian distributions: KL divergence, negative log-likelihood, entropy.

Notes 000 §3.7 and 001 eq. 11.2 (KL divergence), note 001 eq. 4.13 and note 002
("Negative Log-Likelihood") for the Gaussian NLL, note 001 §4.9 and note 002 ("Shannon's
differential entropy") for the entropy of a Gaussian.  The printed formulas carry slips,
corrected here (each function's Notes section says which).
"""

import numpy as np
from sklearn.utils import check_array, check_consistent_length

from skdl.metrics._validation import _as_float, _check_nonempty, _check_positive
from skdl.utils._sklearn_compat import _check_sample_weight

_LOG_2PI = np.log(2.0 * np.pi)
_COVARIANCE_TYPES = ("full", "diag")


def _log_base(base):
    if base is None:
        return 1.0
    if isinstance(base, bool) or not isinstance(base, int | float | np.number):
        raise TypeError(f"base must be a number > 1 or None, got {base!r}.")
    if not np.isfinite(base) or base <= 1:
        raise ValueError(f"base must be a number > 1 or None, got {base!r}.")
    return np.log(base)


def _check_covariance_type(covariance_type):
    if covariance_type not in _COVARIANCE_TYPES:
        raise ValueError(
            f"covariance_type must be one of {_COVARIANCE_TYPES}, got {covariance_type!r}."
        )


def _cholesky(cov, name):
    """Batched Cholesky factor of a stack of covariance matrices, with clear errors."""
    if cov.ndim < 2 or cov.shape[-1] != cov.shape[-2]:
        raise ValueError(
            f"{name} must be a square matrix (or a stack of them) of shape (..., d, d) "
            f"for covariance_type='full', got shape {cov.shape}."
        )
    scale = np.maximum(np.abs(cov).max(axis=(-2, -1), keepdims=True), np.finfo(float).tiny)
    if not np.allclose(cov / scale, np.swapaxes(cov, -1, -2) / scale, rtol=0, atol=1e-10):
        raise ValueError(f"{name} is not symmetric.")
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError as exc:
        raise ValueError(f"{name} is not positive definite.") from exc


def _logdet_from_cholesky(chol):
    return 2.0 * np.log(np.diagonal(chol, axis1=-2, axis2=-1)).sum(axis=-1)


def normal_kl_divergence(mu_p, sigma_p, mu_q, sigma_q):
    r"""Kullback-Leibler divergence ``KL(p ‖ q)`` between two univariate normals.

    ``p = N(mu_p, sigma_p²)`` and ``q = N(mu_q, sigma_q²)``; the arguments broadcast
    against each other, so one call computes many divergences (e.g. one per latent
    unit of a VAE).

    Parameters
    ----------
    mu_p : float or array-like
        Mean of ``p``.
    sigma_p : float or array-like
        Standard deviation of ``p`` (strictly positive).
    mu_q : float or array-like
        Mean of ``q``.
    sigma_q : float or array-like
        Standard deviation of ``q`` (strictly positive).

    Returns
    -------
    kl : float or ndarray
        ``KL(p ‖ q) ≥ 0`` in nats, with the broadcast shape of the arguments (a Python
        float when they are all scalars).

    Raises
    ------
    ValueError
        If an argument contains NaN or infinity, a standard deviation is not strictly
        positive, or the shapes do not broadcast.
    TypeError
        If an argument is not numeric.

    See Also
    --------
    multivariate_normal_kl_divergence : The same for multivariate normals.
    gaussian_entropy : Differential entropy of a Gaussian.

    Notes
    -----
    Note 000 §3.7 derives

    .. math::

        KL(p \| q) = \log\frac{\sigma_q}{\sigma_p}
                   + \frac{\sigma_p^2 + (\mu_p - \mu_q)^2}{2\sigma_q^2} - \frac{1}{2},

    but prints the last term as :math:`-1/(2\sigma_p^2)`: the integral
    :math:`\int p\,(x-\mu_p)^2/(2\sigma_p^2)\,dx` equals :math:`1/2`, not
    :math:`1/(2\sigma_p^2)`.  The printed form is not zero for ``p = q`` unless
    ``sigma = 1``; this function implements the correct one.

    Examples
    --------
    >>> from skdl.metrics import normal_kl_divergence
    >>> normal_kl_divergence(0.0, 1.0, 0.0, 1.0)
    0.0
    >>> round(normal_kl_divergence(1.0, 2.0, 0.0, 1.0), 6)
    1.306853
    """
    mu_p = _as_float(mu_p, "mu_p")
    mu_q = _as_float(mu_q, "mu_q")
    sigma_p = _check_positive(_as_float(sigma_p, "sigma_p"), "sigma_p")
    sigma_q = _check_positive(_as_float(sigma_q, "sigma_q"), "sigma_q")
    try:
        np.broadcast_shapes(mu_p.shape, sigma_p.shape, mu_q.shape, sigma_q.shape)
    except ValueError as exc:
        raise ValueError(
            "mu_p, sigma_p, mu_q and sigma_q do not broadcast together: shapes "
            f"{mu_p.shape}, {sigma_p.shape}, {mu_q.shape}, {sigma_q.shape}."
        ) from exc
    ratio = (sigma_p / sigma_q) ** 2
    kl = 0.5 * (ratio - 1.0 - np.log(ratio) + ((mu_p - mu_q) / sigma_q) ** 2)
    return kl.item() if kl.ndim == 0 else kl


def multivariate_normal_kl_divergence(mean_p, cov_p, mean_q, cov_q, *, covariance_type="full"):
    r"""Kullback-Leibler divergence ``KL(p ‖ q)`` between two multivariate normals.

    ``p = N(mean_p, cov_p)`` and ``q = N(mean_q, cov_q)`` in ``d`` dimensions.  Leading
    (batch) dimensions broadcast, so a batch of encodings ``(n, d)`` against a single
    prior ``(d,)`` gives ``n`` divergences, as in a VAE's loss.

    Parameters
    ----------
    mean_p : array-like of shape (..., d)
        Mean of ``p``.
    cov_p : array-like of shape (..., d, d) or (..., d)
        Covariance of ``p``: full symmetric positive-definite matrices when
        ``covariance_type='full'``, the diagonal (the variances) when ``'diag'``.
    mean_q : array-like of shape (..., d)
        Mean of ``q``.
    cov_q : array-like of shape (..., d, d) or (..., d)
        Covariance of ``q``, in the same form as ``cov_p``.
    covariance_type : {"full", "diag"}, default="full"
        Whether the covariances are given as full matrices or as their diagonals.

    Returns
    -------
    kl : float or ndarray of shape (...)
        ``KL(p ‖ q) ≥ 0`` in nats, one per broadcast batch element (a Python float when
        there is no batch dimension).

    Raises
    ------
    ValueError
        If an argument contains NaN or infinity, the dimensions ``d`` disagree, a
        variance is not strictly positive, a full covariance is not symmetric positive
        definite, or ``covariance_type`` is unknown.
    TypeError
        If an argument is not numeric.

    See Also
    --------
    normal_kl_divergence : The univariate case.
    gaussian_entropy : Differential entropy of a Gaussian.

    Notes
    -----
    Note 001 eq. 11.2:

    .. math::

        KL(p \| q) = \int p(x) \log\frac{p(x)}{q(x)}\,dx
        = \frac{1}{2}\left\{\log\frac{|\Sigma_q|}{|\Sigma_p|} - d
          + \operatorname{Tr}(\Sigma_q^{-1}\Sigma_p)
          + (\mu_p - \mu_q)^T \Sigma_q^{-1} (\mu_p - \mu_q)\right\}.

    The note prints the integral with a leading minus sign, which would make the
    divergence non-positive; the closed form on its right-hand side is the correct
    (non-negative) one, implemented here.  With ``q = N(0, I)`` and a diagonal
    ``Σ_p`` it reduces to note 001 eq. 11.3, the VAE's KL term.  The full case uses
    Cholesky factors ``Σ = L Lᵀ``: ``log|Σ| = 2 Σ log Lᵢᵢ``,
    ``Tr(Σ_q⁻¹ Σ_p) = ‖L_q⁻¹ L_p‖²_F`` and the Mahalanobis term ``‖L_q⁻¹ (μ_p − μ_q)‖²``;
    no inverse is formed.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.metrics import multivariate_normal_kl_divergence
    >>> mu = np.array([[0.0, 0.0], [1.0, -1.0]])
    >>> var = np.array([[1.0, 1.0], [0.5, 2.0]])
    >>> kl = multivariate_normal_kl_divergence(mu, var, np.zeros(2), np.ones(2),
    ...                                        covariance_type="diag")
    >>> np.round(kl, 6)
    array([0.  , 1.25])
    >>> cov_p = np.array([[2.0, 0.5], [0.5, 1.0]])
    >>> round(multivariate_normal_kl_divergence([1.0, 0.0], cov_p, [0.0, 0.0], np.eye(2)), 6)
    0.720192
    """
    _check_covariance_type(covariance_type)
    mean_p = _check_nonempty(_as_float(mean_p, "mean_p"), "mean_p")
    mean_q = _check_nonempty(_as_float(mean_q, "mean_q"), "mean_q")
    cov_p = _check_nonempty(_as_float(cov_p, "cov_p"), "cov_p")
    cov_q = _check_nonempty(_as_float(cov_q, "cov_q"), "cov_q")
    for name, mean in (("mean_p", mean_p), ("mean_q", mean_q)):
        if mean.ndim == 0:
            raise ValueError(f"{name} must have shape (..., d), got a scalar.")
    d = mean_p.shape[-1]
    if mean_q.shape[-1] != d:
        raise ValueError(
            f"mean_p and mean_q have different dimensions: {d} and {mean_q.shape[-1]}."
        )
    diff = mean_p - mean_q if _broadcasts(mean_p, mean_q, "mean_p", "mean_q") else None

    if covariance_type == "diag":
        for name, cov in (("cov_p", cov_p), ("cov_q", cov_q)):
            if cov.ndim == 0 or cov.shape[-1] != d:
                raise ValueError(
                    f"{name} must hold the d={d} variances (shape (..., {d})) for "
                    f"covariance_type='diag', got shape {cov.shape}."
                )
            _check_positive(cov, name)
        ratio = cov_p / cov_q
        terms = ratio - 1.0 - np.log(ratio) + diff**2 / cov_q
        kl = 0.5 * terms.sum(axis=-1)
    else:
        for name, cov in (("cov_p", cov_p), ("cov_q", cov_q)):
            if cov.ndim < 2 or cov.shape[-2:] != (d, d):
                raise ValueError(
                    f"{name} must have shape (..., {d}, {d}) for covariance_type='full', "
                    f"got shape {cov.shape}."
                )
        chol_p = _cholesky(cov_p, "cov_p")
        chol_q = _cholesky(cov_q, "cov_q")
        batch = np.broadcast_shapes(chol_p.shape[:-2], chol_q.shape[:-2], diff.shape[:-1])
        chol_q_b = np.broadcast_to(chol_q, (*batch, d, d))
        a = np.linalg.solve(chol_q_b, np.broadcast_to(chol_p, (*batch, d, d)))
        b = np.linalg.solve(chol_q_b, np.broadcast_to(diff, (*batch, d))[..., None])[..., 0]
        kl = 0.5 * (
            _logdet_from_cholesky(chol_q)
            - _logdet_from_cholesky(chol_p)
            - d
            + (a**2).sum(axis=(-2, -1))
            + (b**2).sum(axis=-1)
        )
    # rounding can leave -1e-16 for identical distributions
    kl = np.maximum(kl, 0.0)
    return kl.item() if kl.ndim == 0 else kl


def _broadcasts(a, b, name_a, name_b):
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError as exc:
        raise ValueError(
            f"{name_a} and {name_b} do not broadcast together: shapes {a.shape} and {b.shape}."
        ) from exc
    return True


def gaussian_nll(y_true, y_pred, y_var, *, sample_weight=None, multioutput="uniform_average"):
    r"""Mean negative log-likelihood of targets under Gaussian predictions.

    Each target ``y_true[i]`` is scored under ``N(y_pred[i], y_var[i])``; the result is
    the (weighted) mean over samples of
    ``½ log(2π) + ½ log(σ²) + (y − μ)² / (2σ²)``.  Lower is better.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Observed targets.
    y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Predicted means ``μ``.
    y_var : float or array-like broadcastable to the shape of ``y_true``
        Predicted variances ``σ²`` (strictly positive): one for all, one per output
        (shape ``(n_outputs,)``) or one per sample and output.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    multioutput : {"raw_values", "uniform_average"}, default="uniform_average"
        With several outputs, return one NLL per output (``'raw_values'``) or their
        mean.  The NLL of the whole target vector under the diagonal Gaussian is
        ``n_outputs`` times the uniform average.

    Returns
    -------
    nll : float or ndarray of shape (n_outputs,)
        Mean negative log-likelihood in nats per sample (per output).

    Raises
    ------
    ValueError
        If the inputs are empty, contain NaN/inf, have inconsistent shapes, or a
        variance is not strictly positive.

    See Also
    --------
    sklearn.metrics.mean_squared_error : The NLL's data term with ``σ² = ½``, up to a constant.
    normal_kl_divergence : KL divergence between two univariate normals.

    Notes
    -----
    Note 001 eq. 4.13 and note 002 ("Negative Log-Likelihood"):

    .. math::

        \frac{NLL}{N} = \frac{1}{2}\log(2\pi) + \log\sigma
                      + \frac{1}{2\sigma^2 N}\sum_{i=1}^N (y_i - \mu_i)^2,

    so with a constant ``σ`` minimising the NLL is least squares.  It equals
    ``-scipy.stats.norm.logpdf(y_true, y_pred, sqrt(y_var)).mean()`` and torch's
    ``GaussianNLLLoss(full=True)``.

    Examples
    --------
    >>> from skdl.metrics import gaussian_nll
    >>> round(gaussian_nll([0.0, 1.0], [0.0, 0.0], 1.0), 6)
    1.168939
    >>> import numpy as np
    >>> y = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> gaussian_nll(y, y, [1.0, 4.0], multioutput="raw_values").round(6)
    array([0.918939, 1.612086])
    """
    if multioutput not in ("raw_values", "uniform_average"):
        raise ValueError(
            f"multioutput must be 'raw_values' or 'uniform_average', got {multioutput!r}."
        )
    y_true = check_array(y_true, ensure_2d=False, input_name="y_true", dtype=np.float64)
    y_pred = check_array(y_pred, ensure_2d=False, input_name="y_pred", dtype=np.float64)
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.ndim not in (1, 2):
            raise ValueError(f"{name} must be 1-D or 2-D, got {y.ndim} dimensions.")
    check_consistent_length(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred have different shapes: {y_true.shape} and {y_pred.shape}."
        )
    y_var = _check_positive(_as_float(y_var, "y_var"), "y_var")
    try:
        y_var = np.broadcast_to(y_var, y_true.shape)
    except ValueError as exc:
        raise ValueError(
            f"y_var of shape {y_var.shape} does not broadcast to the targets' shape {y_true.shape}."
        ) from exc
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, y_true)
    nll = 0.5 * (_LOG_2PI + np.log(y_var) + (y_true - y_pred) ** 2 / y_var)
    per_output = np.average(nll, axis=0, weights=sample_weight)
    if multioutput == "raw_values" or per_output.ndim == 0:
        return per_output if per_output.ndim else float(per_output)
    return float(per_output.mean())


def gaussian_entropy(cov, *, covariance_type="full", base=None):
    r"""Differential (Shannon) entropy of a Gaussian distribution.

    ``H(N(μ, Σ)) = ½ log((2πe)^d |Σ|)``; it does not depend on the mean.

    Parameters
    ----------
    cov : float or array-like of shape (..., d, d) or (..., d)
        Covariance: a scalar is the variance of a univariate normal; otherwise full
        symmetric positive-definite matrices (``covariance_type='full'``) or their
        diagonals (``'diag'``), with optional leading batch dimensions.
    covariance_type : {"full", "diag"}, default="full"
        How ``cov`` is given (ignored for a scalar ``cov``).
    base : float, default=None
        Logarithm base: ``None`` gives nats (natural log), ``2`` bits.

    Returns
    -------
    entropy : float or ndarray of shape (...)
        The differential entropy, one per batch element.

    Raises
    ------
    ValueError
        If ``cov`` is empty, contains NaN/inf, is not positive (definite), or
        ``covariance_type``/``base`` is invalid.

    See Also
    --------
    shannon_entropy : Entropy of a discrete distribution.
    scipy.stats.multivariate_normal : Its ``entropy()`` gives the same value.

    Notes
    -----
    Note 001 §4.9 (exercise) gives :math:`H = \frac{1}{2}\log[(2\pi e)^d|\Sigma|]`.  Note 002
    ("Shannon's differential entropy") prints
    :math:`\frac{d}{2}\ln 2\pi + \frac{1}{2}\operatorname{Tr}(\Sigma)`, which is a slip:
    the correct form is :math:`\frac{d}{2}(1 + \ln 2\pi) + \frac{1}{2}\ln|\Sigma|`, and
    the note's own numerical value for ``d = 1, Σ = 1`` (1.418938533…) is that of the
    correct form.

    Examples
    --------
    >>> from skdl.metrics import gaussian_entropy
    >>> round(gaussian_entropy(1.0), 9)
    1.418938533
    >>> import numpy as np
    >>> round(gaussian_entropy(np.array([[2.0, 0.3], [0.3, 1.0]])), 6)
    3.161429
    """
    _check_covariance_type(covariance_type)
    scale = _log_base(base)
    cov = _check_nonempty(_as_float(cov, "cov"), "cov")
    if cov.ndim == 0:
        _check_positive(cov, "cov")
        h = 0.5 * (1.0 + _LOG_2PI + np.log(cov))
    elif covariance_type == "diag":
        _check_positive(cov, "cov")
        d = cov.shape[-1]
        h = 0.5 * (d * (1.0 + _LOG_2PI) + np.log(cov).sum(axis=-1))
    else:
        chol = _cholesky(cov, "cov")
        d = cov.shape[-1]
        h = 0.5 * (d * (1.0 + _LOG_2PI) + _logdet_from_cholesky(chol))
    h = np.asarray(h) / scale
    return h.item() if h.ndim == 0 else h
