"""Guidance case library, case taxonomy, the privacy scanner and the review workflow."""
