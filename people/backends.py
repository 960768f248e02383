"""The authentication backend: Django's ModelBackend, with the session's user read by one
hand-written SELECT (cms.hotpath). `get_user` runs on every signed-in request, and
`User.objects.get(pk=…)` spent 0.4 ms of CPU building and compiling its query each time,
about a tenth of an xAPI statement's whole cost."""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection

from cms.hotpath import fetch_one, instance_from_row, model_columns_sql


@functools.cache
def _user_sql(vendor: str) -> str:
    model = get_user_model()
    meta = model._meta
    columns = model_columns_sql(model, lambda field: "u")
    return f"SELECT {columns} FROM {meta.db_table} u WHERE u.{meta.pk.column} = %s"  # noqa: S608


def user_by_pk(user_id):
    """The user with this primary key (as the session stores it: a string), or None."""
    model = get_user_model()
    try:
        pk = model._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    if pk is None:
        return None
    row = fetch_one(_user_sql(connection.vendor), [pk])
    if row is None:
        return None
    user, _rest = instance_from_row(model, row)
    return user


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        user = user_by_pk(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
