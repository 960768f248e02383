"""Models of casebank; they arrive with their issue."""
