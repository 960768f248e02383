"""Models of courses; they arrive with their issue."""
