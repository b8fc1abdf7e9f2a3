"""skdl.metrics"""

__all__ = []
