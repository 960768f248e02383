"""API tokens of the mentor-readiness API: each scoped to one school or the whole district.
Only the sha256 of a key is stored; the key itself is shown once, when it is created."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from people.models import TimeStampedModel

# The key is "<prefix>.<secret>": the prefix finds the row by an index, the hash proves it.
KEY_PREFIX_LENGTH = 8
KEY_SEPARATOR = "."


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh (prefix, full key) pair; the prefix is random too, never derived from a name."""
    prefix = secrets.token_hex(KEY_PREFIX_LENGTH // 2)
    return prefix, f"{prefix}{KEY_SEPARATOR}{secrets.token_urlsafe(32)}"


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(TimeStampedModel):
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("Who uses it, e.g. the school's mentor-matching system."),
    )
    prefix = models.CharField(_("key prefix"), max_length=KEY_PREFIX_LENGTH, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    school = models.ForeignKey(
        "people.School",
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        help_text=_("Empty: the token reads every school of the district."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_district_wide(self) -> bool:
        return self.school_id is None

    def matches(self, key: str) -> bool:
        return secrets.compare_digest(self.key_hash, hash_key(key))
