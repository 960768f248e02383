"""drf-spectacular hooks: the schema covers /api/v1/ only (Wagtail's own API views would
otherwise add errors), and documents the token scheme."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension

API_PREFIX = "/api/v1/"


def only_api_v1(endpoints, **kwargs):
    return [
        (path, path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
        if path.startswith(API_PREFIX) and not path.startswith(f"{API_PREFIX}schema")
    ]


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "certification.api.authentication.ApiTokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(
                _("“Token <key>” or “Bearer <key>”; keys are issued by the district admin.")
            ),
        }
