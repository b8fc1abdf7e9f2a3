"""Errors and warnings of gradient-based fitting."""


class DivergenceError(ValueError):
    """The loss became infinite or NaN: the learning rate is too large for the data."""


class FeatureScaleWarning(UserWarning):
    """Feature scales differ by orders of magnitude: gradient methods will be slow."""
