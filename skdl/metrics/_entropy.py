"""Shannon entropy of discrete distributions (note 001 eq. 4.16, note 002)."""

import numpy as np
from scipy.special import entr

from skdl.metrics._gaussian import _log_base
from skdl.metrics._validation import _as_float, _check_nonempty


def shannon_entropy(pk, *, base=None, axis=0):
    r"""Shannon entropy ``H = −Σ p log p`` of a discrete distribution.

    Parameters
    ----------
    pk : array-like
        Probabilities (or non-negative weights, normalised to sum to one along
        ``axis``, as ``scipy.stats.entropy`` does).  A 2-D array holds one
        distribution per column for ``axis=0`` (per row for ``axis=1``, e.g. the
        output of a classifier's ``predict_proba``).
    base : float, default=None
        Logarithm base: ``None`` gives nats (natural log), ``2`` bits.
    axis : int, default=0
        The axis along which the probabilities of one distribution lie.

    Returns
    -------
    entropy : float or ndarray
        The entropy, one per distribution (a float for a 1-D ``pk``).

    Raises
    ------
    ValueError
        If ``pk`` is empty, contains NaN/inf or negative entries, sums to zero along
        ``axis``, or ``base`` is invalid.
    TypeError
        If ``pk`` is not numeric.

    See Also
    --------
    gaussian_entropy : Differential entropy of a Gaussian.
    scipy.stats.entropy : The reference implementation (it also computes a KL divergence).

    Notes
    -----
    Note 001 eq. 4.16: :math:`H(x) = -\sum_x p(x|\theta)\log p(x|\theta)`, with
    :math:`0 \log 0 = 0`; for a Bernoulli variable it is eq. 4.18,
    :math:`-[(1-\theta)\log(1-\theta) + \theta\log\theta]`, at most ``log 2`` (one bit)
    at ``θ = ½``.  Note 002 writes it as the expected information
    :math:`\mathbb{E}[-\log_b p(\omega)]`.

    Examples
    --------
    >>> from skdl.metrics import shannon_entropy
    >>> shannon_entropy([0.5, 0.5], base=2)
    1.0
    >>> round(shannon_entropy([0.9, 0.1]), 6)
    0.325083
    >>> shannon_entropy([[1.0, 0.0], [0.25, 0.25], [0.25, 0.25]], base=2, axis=1)
    array([0., 1., 1.])
    """
    scale = _log_base(base)
    pk = _check_nonempty(_as_float(pk, "pk"), "pk")
    if pk.ndim == 0:
        raise ValueError("pk must be array-like of probabilities, got a scalar.")
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise TypeError(f"axis must be an integer, got {axis!r}.")
    if not -pk.ndim <= axis < pk.ndim:
        raise ValueError(f"axis {axis} is out of bounds for pk with {pk.ndim} dimensions.")
    if np.any(pk < 0):
        raise ValueError("pk must be non-negative; it holds negative entries.")
    total = pk.sum(axis=axis, keepdims=True)
    if np.any(total <= 0):
        raise ValueError(f"pk sums to zero along axis {axis}: no distribution to measure.")
    h = entr(pk / total).sum(axis=axis) / scale
    return h.item() if h.ndim == 0 else h
