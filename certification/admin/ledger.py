"""The credit ledger in the admin (学分台账): a read-only, filtered list — no add, edit or
delete screens exist — and the district admin's 冲正 (reversal) with a required reason.

School admins see their own school's teachers, HR and district admins everyone
(`certification.selectors.ledger.credit_entries_visible_to`).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from certification.models import CreditCycle, CreditEntry, CreditSource
from certification.selectors.ledger import credit_entries_visible_to
from certification.services.ledger import credit_reverse
from people import selectors as people_selectors
from people.models import School
from people.views.admin_roster import forbidden_is_403

VIEW_PERMISSION = "certification.view_creditentry"
ENTRIES_PER_PAGE = 50
SEARCH_MAX_LENGTH = 50
app_name = "certification_ledger"


def may_reverse(user) -> bool:
    return people_selectors.user_is_district_admin(user) and user.has_perm(
        "certification.add_creditentry"
    )


class LedgerFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Staff number or name"), required=False, max_length=SEARCH_MAX_LENGTH
    )
    school = forms.ModelChoiceField(
        label=gettext_lazy("School"), queryset=School.objects.none(), required=False
    )
    source = forms.ChoiceField(label=gettext_lazy("Source"), required=False)
    cycle = forms.ModelChoiceField(
        label=gettext_lazy("Cycle"), queryset=CreditCycle.objects.all(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = people_selectors.schools_visible_to(user).order_by("code")
        self.fields["source"].choices = [("", "---------"), *CreditSource.choices]


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the correction"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _breadcrumbs(*items):
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse(f"{app_name}:index"), "label": _("Credit ledger")},
        *items,
    ]


@forbidden_is_403
@require_GET
def index(request):
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    form = LedgerFilterForm(request.GET or None, user=request.user)
    entries = credit_entries_visible_to(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            entries = entries.filter(
                Q(user__staff_no=data["q"]) | Q(user__full_name__contains=data["q"])
            )
        if data["school"]:
            entries = entries.filter(user__school=data["school"])
        if data["source"]:
            entries = entries.filter(source=data["source"])
        if data["cycle"]:
            entries = entries.filter(cycle=data["cycle"])
    entries = entries.select_related(
        "user", "user__school", "cycle", "created_by", "reverses", "reversed_by"
    ).order_by("-id")
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    title = _("Credit ledger")
    return TemplateResponse(
        request,
        "certification/ledger/index.html",
        {
            "form": form,
            "page": page,
            "entries": list(page.object_list),
            "elided_page_range": list(page.paginator.get_elided_page_range(page.number)),
            "query": query.urlencode(),
            "may_reverse": may_reverse(request.user),
            "page_title": title,
            "header_title": title,
            "header_icon": "list-ul",
            "breadcrumbs_items": _breadcrumbs(),
        },
    )


@forbidden_is_403
@require_http_methods(["GET", "POST"])
def reverse_entry(request, pk):
    if not may_reverse(request.user):
        raise PermissionDenied
    entry = get_object_or_404(
        credit_entries_visible_to(request.user).select_related("user", "reversed_by"), pk=pk
    )
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            credit_reverse(
                entry=entry, reason=form.cleaned_data["reason"], corrected_by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("The entry was reversed."))
            return redirect(f"{app_name}:index")
    title = _("Reverse a credit entry")
    return TemplateResponse(
        request,
        "certification/ledger/reverse.html",
        {
            "form": form,
            "entry": entry,
            "already_reversed": hasattr(entry, "reversed_by") or entry.reverses_id is not None,
            "page_title": title,
            "header_title": title,
            "header_icon": "undo",
            "breadcrumbs_items": _breadcrumbs({"url": "", "label": title}),
        },
    )


urlpatterns = [
    path("", index, name="index"),
    path("<int:pk>/reverse/", reverse_entry, name="reverse"),
]


class LedgerMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW_PERMISSION)


@hooks.register("register_admin_urls")
def register_ledger_urls():
    import certification.admin.ledger as module

    return [path("credit-ledger/", include(module, namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_ledger_menu_item():
    return LedgerMenuItem(
        gettext_lazy("Credit ledger"),
        reverse_lazy(f"{app_name}:index"),
        name="credit-ledger",
        icon_name="list-ul",
        order=310,
    )


# --- Deleting staff who hold credit -------------------------------------------------------
# CreditEntry.user is PROTECT: the ledger outlives accounts. The user admin's delete (one or
# in bulk) is stopped here with a message instead of failing on the database's refusal.


def _refuse_delete_of_credited(request, users) -> HttpResponse | None:
    from people.models import User

    ids = [user.pk for user in users if isinstance(user, User)]
    if not ids or not CreditEntry.objects.filter(user_id__in=ids).exists():
        return None
    messages.error(
        request,
        _(
            "Staff with credit records cannot be deleted: the credit ledger keeps every "
            "record. Deactivate the account instead."
        ),
    )
    return redirect("wagtailusers_users:index")


@hooks.register("before_delete_user")
def refuse_deleting_a_credited_user(request, user):
    return _refuse_delete_of_credited(request, [user])


@hooks.register("before_bulk_action")
def refuse_bulk_deleting_credited_users(request, action_type, objects, action_class_instance):
    if action_type != "delete":
        return None
    return _refuse_delete_of_credited(request, objects)
