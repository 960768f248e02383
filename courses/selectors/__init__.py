"""Reads of courses; one module per concern."""
