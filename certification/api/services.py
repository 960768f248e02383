"""Writes of API tokens: issue (the key is returned once and never stored) and revoke.
Only district admins manage tokens."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from people.models import School
from people.selectors import user_is_district_admin

from ..models.api import ApiToken, hash_key, new_key


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # show it to the admin once; only its hash is kept


def _require_district_admin(user) -> None:
    if not user_is_district_admin(user):
        raise PermissionDenied


@transaction.atomic
def api_token_create(*, name: str, school: School | None, created_by) -> IssuedToken:
    _require_district_admin(created_by)
    prefix, key = new_key()
    while ApiToken.objects.filter(prefix=prefix).exists():  # 2^32 prefixes: a rare retry
        prefix, key = new_key()
    token = ApiToken(
        name=name.strip(),
        prefix=prefix,
        key_hash=hash_key(key),
        school=school,
        created_by=created_by,
    )
    token.full_clean()
    token.save()
    return IssuedToken(token=token, key=key)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, revoked_by) -> ApiToken:
    """Revoking twice keeps the first time."""
    _require_district_admin(revoked_by)
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token
