"""Admin screens: enrolment."""
