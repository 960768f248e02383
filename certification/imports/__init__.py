"""Training-record files (offline and school-based training, 校本研修): read CSV/XLSX bytes
into rows (reading.py, through the roster import's cell reader) and check every row
(checking.py), without writing. The writes are in certification.services.imports."""

from .checking import TrainingCheck, TrainingRow, natural_key, parse_date, validate_training
from .reading import COLUMNS, REQUIRED_COLUMNS, read_training, sort_errors

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "TrainingCheck",
    "TrainingRow",
    "natural_key",
    "parse_date",
    "read_training",
    "sort_errors",
    "validate_training",
]
