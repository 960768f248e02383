"""Writes of courses; one module per concern."""
