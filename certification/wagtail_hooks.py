"""Registers the certification admin screens (see `certification.admin`)."""

from .admin import dashboards, tokens  # noqa: F401  (their hooks register on import)
