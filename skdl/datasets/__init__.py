"""Data generators and small data sets used by the notes."""

from skdl.datasets._bouc_wen import make_bouc_wen
from skdl.datasets._table31 import load_table31

__all__ = ["load_table31", "make_bouc_wen"]
