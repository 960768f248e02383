"""Course catalog, lessons, enrolments, H5P activities and the monthly lecture series."""
