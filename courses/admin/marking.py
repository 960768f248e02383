"""Admin screens: lecturer marks lessons complete."""
