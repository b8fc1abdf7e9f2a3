"""skdl.datasets"""

__all__ = []
