"""Helpers shared by the admin screen tests."""

from django.test import Client

DENIED = "/admin/"  # Wagtail answers PermissionDenied in the admin with a redirect here


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed_ids(response) -> set[int]:
    """Primary keys of the objects an admin index page lists."""
    return {obj.pk for obj in response.context["object_list"]}


def assert_denied(response):
    assert response.status_code == 302
    assert response["Location"] == DENIED
