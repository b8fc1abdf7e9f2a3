"""The exceptions and warnings skdl raises, in one place.

They are re-exported where they were first defined (``skdl.optim``,
``skdl.neural_network``, ``skdl.linear_model``), as the same classes: catching
``skdl.optim.DivergenceError`` also catches a network's divergence.
"""

__all__ = ["DivergenceError", "FeatureScaleWarning", "IllConditionedWarning"]


class DivergenceError(ValueError):
    """The loss became infinite or NaN: the learning rate is too large for the data
    (or the inputs/targets need standardising)."""


class FeatureScaleWarning(UserWarning):
    """Feature scales differ by orders of magnitude: gradient methods will be slow."""


class IllConditionedWarning(UserWarning):
    """The normal equations were not safely positive definite; another solver was used."""
