"""Catalog page context."""


def catalog_context(page, request) -> dict:
    return {}
