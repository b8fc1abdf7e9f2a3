"""skdl.decomposition"""

__all__ = []
