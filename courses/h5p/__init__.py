"""H5P package handling: validation (before anything is extracted) and extraction."""
