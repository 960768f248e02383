"""Admin screens: h5p."""
