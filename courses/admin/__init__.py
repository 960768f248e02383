"""Wagtail admin screens of courses, one module per area; `courses.wagtail_hooks` imports
them so their hooks register."""
