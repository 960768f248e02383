"""Request limit per API token (rate in settings.REST_FRAMEWORK, API_RATE_LIMIT)."""

from rest_framework.throttling import SimpleRateThrottle

from ..models.api import ApiToken


class ApiTokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None  # unauthenticated requests are refused before they cost anything
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
