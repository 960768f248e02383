"""Admin screens: lectures (registrations, attendance, upload)."""
