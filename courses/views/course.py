"""Course overview context."""


def course_context(page, request) -> dict:
    return {}
