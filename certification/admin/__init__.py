"""Wagtail admin screens of certification, one module per area; `certification.wagtail_hooks`
imports them so their hooks register."""
