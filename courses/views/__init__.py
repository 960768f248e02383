"""Views of courses, one module per area."""
