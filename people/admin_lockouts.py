"""Admin screen: current login lockouts (django-axes) and their unlock, district admins only."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.defaults import permission_denied
from wagtail.admin.menu import MenuItem

from people.lockout import lockout_clear, lockouts_current
from people.selectors import user_is_district_admin

app_name = "people_lockouts"
KEY_MAX_LENGTH = 150


def district_admin_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not user_is_district_admin(request.user):
            return permission_denied(request, PermissionDenied())
        return view(request, *args, **kwargs)

    return wrapper


@district_admin_only
@require_GET
def index(request):
    title = _("Login lockouts")
    return TemplateResponse(
        request,
        "people/admin/lockouts/index.html",
        {
            "lockouts": lockouts_current(),
            "page_title": title,
            "header_title": title,
            "header_icon": "lock",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": "", "label": title},
            ],
        },
    )


@district_admin_only
@require_POST
def unlock(request):
    kind = request.POST.get("kind", "")
    key = (request.POST.get("key") or "").strip()[:KEY_MAX_LENGTH]
    if kind not in {"account", "ip"} or not key:
        messages.error(request, _("Nothing to unlock: choose an account or an address."))
        return redirect(f"{app_name}:index")
    if kind == "account":
        removed = lockout_clear(username=key)
    else:
        removed = lockout_clear(ip_address=key)
    if removed:
        messages.success(request, _("Unlocked “%(key)s”.") % {"key": key})
    else:
        messages.warning(request, _("“%(key)s” was not locked.") % {"key": key})
    return redirect(f"{app_name}:index")


urlpatterns = [
    path("", index, name="index"),
    path("unlock/", unlock, name="unlock"),
]


class LockoutMenuItem(MenuItem):
    def is_shown(self, request):
        return user_is_district_admin(request.user)


def lockout_menu_item() -> MenuItem:
    return LockoutMenuItem(
        gettext_lazy("Login lockouts"),
        reverse_lazy(f"{app_name}:index"),
        name="login-lockouts",
        icon_name="lock",
        order=910,
    )
