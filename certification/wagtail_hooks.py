"""Registers the certification admin screens (see `certification.admin`)."""

from .admin import (  # noqa: F401  (their hooks register on import)
    cycles,
    dashboards,
    imports,
    ledger,
    tokens,
)
