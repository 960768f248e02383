"""Lecture series and lecture page contexts."""


def series_context(page, request) -> dict:
    return {}


def lecture_context(page, request) -> dict:
    return {}
