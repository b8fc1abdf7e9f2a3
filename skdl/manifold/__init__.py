"""Manifold learning: UMAP on torch (needs the ``nn`` extra)."""

from ._umap import UMAP

__all__ = ["UMAP"]
