"""Roster files: read CSV/XLSX bytes into rows and validate every row, without writing.

`read_roster` (reading.py) turns bytes into text cells; `validate_roster` and
`check_existing_users` (checking.py) check them; the shapes and vocabularies are in table.py.
"""

from .checking import check_existing_users, parse_title, validate_roster
from .reading import read_roster
from .table import (
    COLUMNS,
    OPTIONAL_USER_FIELDS,
    PROGRESS_EVERY,
    REQUIRED_COLUMNS,
    RosterCheck,
    RosterRow,
    RosterTable,
    RowError,
    chunked,
    sort_errors,
)

__all__ = [
    "COLUMNS",
    "OPTIONAL_USER_FIELDS",
    "PROGRESS_EVERY",
    "REQUIRED_COLUMNS",
    "RosterCheck",
    "RosterRow",
    "RosterTable",
    "RowError",
    "check_existing_users",
    "chunked",
    "parse_title",
    "read_roster",
    "sort_errors",
    "validate_roster",
]
