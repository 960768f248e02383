"""The read-only mentor-readiness API (/api/v1/), for the schools' mentor-matching systems."""
