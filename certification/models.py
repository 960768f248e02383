"""Models of certification; they arrive with their issue."""
