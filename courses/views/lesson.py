"""Lesson page serving."""

from wagtail.models import Page


def lesson_serve(page, request, *args, **kwargs):
    return Page.serve(page, request, *args, **kwargs)
