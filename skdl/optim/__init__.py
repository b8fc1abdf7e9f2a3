"""skdl.optim"""

__all__ = []
