"""Token authentication of the API: `Authorization: Token <key>` (or `Bearer <key>`), each
token scoped to one school or the district. Sessions never authenticate here, so a signed-in
browser cannot read the API without a token."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from ..models.api import KEY_SEPARATOR, ApiToken

KEYWORDS = (b"token", b"bearer")
MAX_KEY_LENGTH = 200
# last_used_at is written at most once a minute per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class ApiClient:
    """The caller behind a token: not a person, and no Django user."""

    token: ApiToken
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_active: bool = True
    is_staff: bool = False
    is_superuser: bool = False
    pk: None = None

    def __str__(self):
        return str(self.token)


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate_header(self, request):
        # A challenge makes DRF answer 401 (not 403) when the token is missing or wrong.
        return self.keyword

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Malformed Authorization header: send “Token <key>”.")
            )
        try:
            key = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid API token.")) from None
        return self.authenticate_key(key)

    def authenticate_key(self, key: str):
        prefix, separator, _secret = key.partition(KEY_SEPARATOR)
        if not separator or len(key) > MAX_KEY_LENGTH:
            raise exceptions.AuthenticationFailed(_("Invalid API token."))
        token = ApiToken.objects.select_related("school").filter(prefix=prefix).first()
        if token is None or not token.matches(key):
            raise exceptions.AuthenticationFailed(_("Invalid API token."))
        if token.is_revoked:
            raise exceptions.AuthenticationFailed(_("This API token has been revoked."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return ApiClient(token=token), token


class HasApiToken(BasePermission):
    message = _("An API token is required: send the header “Authorization: Token <key>”.")

    def has_permission(self, request, view):
        return isinstance(request.auth, ApiToken)
