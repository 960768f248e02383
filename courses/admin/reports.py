"""Admin screens: reports."""
