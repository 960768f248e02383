"""Admin screens: API tokens of the mentor-readiness API (district admins only). Creating one
shows its key once — only the hash is kept; revoking is immediate and final."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django.views.defaults import permission_denied
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from people.models import School
from people.selectors import user_is_district_admin

from ..api.services import api_token_create, api_token_revoke
from ..models.api import ApiToken

app_name = "certification_tokens"
TOKENS_PER_PAGE = 50


def district_admin_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            if not user_is_district_admin(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return permission_denied(request, exc)

    return wrapper


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("Who uses it, e.g. the school's mentor-matching system."),
    )
    school = forms.ModelChoiceField(
        label=gettext_lazy("School"),
        queryset=School.objects.filter(is_active=True).order_by("code"),
        required=False,
        empty_label=gettext_lazy("The whole district"),
        help_text=gettext_lazy("A school token reads only that school's teachers."),
    )


def _context(title: str, *crumbs) -> dict:
    return {
        "page_title": title,
        "header_title": title,
        "header_icon": "key",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse(f"{app_name}:index"), "label": _("API tokens")},
            *crumbs,
        ],
    }


@district_admin_only
def index(request):
    tokens = ApiToken.objects.select_related("school", "created_by").order_by("-created_at", "-pk")
    page = Paginator(tokens, TOKENS_PER_PAGE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "certification/tokens/index.html",
        {
            "tokens": list(page.object_list),
            "items": page,
            "elided_page_range": page.paginator.get_elided_page_range(page.number),
            "api_url": reverse("api_v1:mentor_readiness"),
            "schema_url": reverse("api_v1:schema"),
            **_context(_("API tokens")),
        },
    )


@district_admin_only
@require_http_methods(["GET", "POST"])
def create(request):
    form = ApiTokenForm(request.POST or None)
    context = _context(_("New API token"), {"url": "", "label": _("New API token")})
    if request.method == "POST" and form.is_valid():
        issued = api_token_create(
            name=form.cleaned_data["name"],
            school=form.cleaned_data["school"],
            created_by=request.user,
        )
        # The key is in this response only; it is never stored or shown again.
        response = TemplateResponse(
            request,
            "certification/tokens/created.html",
            {"token": issued.token, "key": issued.key, **context},
        )
        response["Cache-Control"] = "no-store"
        return response
    return TemplateResponse(request, "certification/tokens/create.html", {"form": form, **context})


@district_admin_only
@require_POST
def revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk)
    api_token_revoke(token=token, revoked_by=request.user)
    messages.success(request, _("Revoked the API token “%(name)s”.") % {"name": token.name})
    return redirect(f"{app_name}:index")


urlpatterns = [
    path("", index, name="index"),
    path("new/", create, name="create"),
    path("<int:pk>/revoke/", revoke, name="revoke"),
]


@hooks.register("register_admin_urls")
def register_token_urls():
    return [path("api-tokens/", include((urlpatterns, app_name), namespace=app_name))]


class ApiTokenMenuItem(MenuItem):
    def is_shown(self, request):
        return user_is_district_admin(request.user)


@hooks.register("register_settings_menu_item")
def register_token_menu_item():
    return ApiTokenMenuItem(
        gettext_lazy("API tokens"),
        reverse_lazy(f"{app_name}:index"),
        name="api-tokens",
        icon_name="key",
        order=900,
    )
