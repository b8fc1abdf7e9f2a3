"""Network estimators on skorch/torch (needs the ``nn`` extra)."""

__all__ = []
