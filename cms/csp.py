"""Content-Security-Policy middleware: the strict site policy, Wagtail's admin its own one."""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

ADMIN_PREFIX = "/admin/"


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with CSP_ADMIN_DIRECTIVES under /admin/.

    Wagtail's admin renders inline scripts we do not control; rather than sending it no
    policy at all, it keeps every other directive of the site policy (object-src none,
    frame-ancestors self, form-action self, ...) and only allows inline scripts.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and request.path_info.startswith(ADMIN_PREFIX):
            parts.config = settings.CSP_ADMIN_DIRECTIVES
        return parts
