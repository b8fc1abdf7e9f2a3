"""What a solver returns.

Solvers are pure functions: they take validated arrays and options, never an
estimator, and return one :class:`SolverResult`; the estimator's ``fit`` validates,
calls the solver and then publishes the result as fitted attributes in one step
(see :class:`skdl.utils._atomic.AtomicFitMixin`: a failed fit leaves the estimator
as it was).
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["SolverResult"]


@dataclass
class SolverResult:
    """The outcome of one solve.

    Parameters
    ----------
    coef : ndarray of shape (n_targets, n_features) or (n_features,)
        The coefficients, float64.
    intercept : ndarray of shape (n_targets,) or float
        The intercept (zeros without one).
    n_iter : int
        Iterations (epochs for gradient loops; 1 for a direct solve).
    diagnostics : dict
        Solver-specific extras the estimator may publish: the loss curve, the
        factor for standard errors, the solver actually used, convergence flags...
    """

    coef: np.ndarray
    intercept: Any
    n_iter: int = 1
    diagnostics: dict = field(default_factory=dict)
