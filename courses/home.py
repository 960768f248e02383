"""Home page section of courses."""
