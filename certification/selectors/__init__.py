"""Reads of certification, one module per concern."""
