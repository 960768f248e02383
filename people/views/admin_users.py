"""Wagtail's user admin, adapted to 工号/full name/school and scoped by school.

A school admin lists, views and edits only the staff of their own school, and can grant
only the teacher and school-admin roles; HR reads everyone; district admins manage all.
The scoping lives in people.selectors and is enforced on every URL, not only in menus:
a user outside the editor's view is a 404 (their existence is not confirmed), a user in
view but outside the editor's reach is Wagtail's permission-denied redirect.
"""

from django import forms
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BooleanColumn, BulkActionsCheckboxColumn, Column, TitleColumn
from wagtail.admin.views.generic import InspectView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.widgets import AdminDateInput
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views import users as wagtail_users
from wagtail.users.views.bulk_actions import (
    AssignRoleBulkAction,
    DeleteBulkAction,
    SetActiveStateBulkAction,
)
from wagtail.users.views.users import UserFilterSet

from people import selectors
from people.models import School, User
from people.validators import normalize_email, normalize_mobile, validate_staff_no

STAFF_FIELDS = [
    "staff_no",
    "full_name",
    "email",
    "school",
    "stage",
    "subjects",
    "title",
    "is_head_teacher",
    "phone",
    "hired_on",
]
SEARCH_FIELDS = ["staff_no", "full_name", "email", "phone"]


def confined_school_id(request_user) -> int | None:
    """The school an editor may put staff in; None for district admins (any school).

    A non-district editor without a school is confined to no school at all (-1 matches
    nothing), rather than left unconfined.
    """
    if selectors.user_is_district_admin(request_user):
        return None
    return getattr(request_user, "school_id", None) or -1


class StaffUserFormMixin(forms.ModelForm):
    """Drops Wagtail's first/last name, adds ours, limits school and roles to the editor's."""

    first_name = None
    last_name = None
    email = forms.EmailField(required=False, label=_("e-mail"))

    def __init__(self, *args, request_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_user = request_user
        self.assignable_groups = Group.objects.filter(
            name__in=selectors.roles_assignable_by(request_user)
        ).order_by("pk")
        if "groups" in self.fields:
            self.fields["groups"].queryset = self.assignable_groups
            self.fields["groups"].label = _("Roles")
            self.fields["groups"].help_text = _(
                "Roles you are not allowed to grant are kept as they are."
            )
        self.confined_school_id = confined_school_id(request_user)
        if self.confined_school_id is not None:
            self.fields["school"].queryset = School.objects.filter(pk=self.confined_school_id)
            self.fields["school"].required = True
            self.fields["school"].empty_label = None
        if "is_superuser" in self.fields and not request_user.is_superuser:
            # Only a superuser may make (or unmake) another superuser.
            del self.fields["is_superuser"]

    # The shared validators raise ValidationError with a code, as forms expect.
    def clean_staff_no(self):
        return validate_staff_no(self.cleaned_data.get("staff_no", ""))

    def clean_phone(self):
        return normalize_mobile(self.cleaned_data.get("phone", ""))

    def clean_email(self):
        return normalize_email(self.cleaned_data.get("email") or "")

    def clean_school(self):
        # The limited queryset already refuses other schools; this guards the rule itself.
        school = self.cleaned_data.get("school")
        if self.confined_school_id is not None and (
            school is None or school.pk != self.confined_school_id
        ):
            raise forms.ValidationError(
                _("You can only manage staff of your own school."), code="other_school"
            )
        return school

    def _save_m2m(self):
        # Keep roles the editor cannot grant; replace only the ones they can.
        kept = []
        if "groups" in self.fields and self.instance.pk:
            kept = list(self.instance.groups.exclude(pk__in=self.assignable_groups))
        super()._save_m2m()
        if kept:
            self.instance.groups.add(*kept)

    def save(self, commit=True):
        user = super().save(commit=False)
        if user._state.adding and not self.cleaned_data.get("password1"):
            # New staff set their own password through the reset link.
            user.set_unusable_password()
        if commit:
            user.save()
            self.save_m2m()
        return user


class StaffUserCreationForm(StaffUserFormMixin, UserCreationForm):
    # Nobody but the teacher knows their password: it is set through the e-mailed link.
    password_enabled = False

    class Meta(UserCreationForm.Meta):
        model = User
        fields = [*STAFF_FIELDS, "is_superuser", "groups"]
        widgets = {"groups": forms.CheckboxSelectMultiple, "hired_on": AdminDateInput}


class StaffUserEditForm(StaffUserFormMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        model = User
        fields = [*STAFF_FIELDS, "is_active", "is_superuser", "groups"]
        widgets = {"groups": forms.CheckboxSelectMultiple, "hired_on": AdminDateInput}


class StaffUserFilterSet(UserFilterSet):
    class Meta:
        model = User
        fields = ["school", "stage", "title", "is_head_teacher", "is_active"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["school"].queryset = selectors.schools_visible_to(request.user)


class ScopedUserObjectMixin:
    """One user by URL: 404 outside the editor's view, denied when in view but not editable."""

    require_editable = False

    def get_scoped_user(self, pk) -> User:
        user = get_object_or_404(selectors.users_visible_to(self.request.user), pk=pk)
        if self.require_editable and not self.can_edit(user):
            raise PermissionDenied
        return user

    def can_edit(self, user) -> bool:
        return selectors.users_editable_by(self.request.user).filter(pk=user.pk).exists()


class FormUserMixin:
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["request_user"] = self.request.user
        return kwargs


class StaffUserIndexView(wagtail_users.IndexView):
    page_title = _("Staff")
    add_item_label = _("Add a staff member")

    @cached_property
    def columns(self):
        title_column = self._get_title_column_class(TitleColumn)
        columns = [
            title_column(
                "full_name",
                label=_("full name"),
                sort_key="full_name",
                get_url=self.get_row_url,
                classname="name",
            ),
            Column("staff_no", label=_("staff number"), sort_key="staff_no", width="12%"),
            Column("school", label=_("school"), sort_key="school__code", width="20%"),
            Column("stage", accessor="get_stage_display", label=_("stage"), width="10%"),
            Column(
                "title", accessor="get_title_display", label=_("professional title"), width="10%"
            ),
            Column(
                "roles",
                label=_("Roles"),
                accessor=lambda u: "、".join(g.name for g in u.groups.all()),
                width="16%",
            ),
            BooleanColumn("is_active", label=_("active"), sort_key="is_active", width="8%"),
        ]
        if self.user_has_any_permission({"add", "change", "delete"}):
            columns.insert(0, BulkActionsCheckboxColumn("bulk_actions", obj_type="user"))
        return columns

    def get_row_url(self, instance):
        return self.get_edit_url(instance) or self.get_inspect_url(instance)

    def get_table(self, object_list):
        # The page's queryset, shared with the table so it is evaluated once.
        self.page_users = object_list
        return super().get_table(object_list)

    @cached_property
    def editable_ids(self) -> set[int]:
        # One query for the page (not per row, not for the whole listing).
        page_ids = [user.pk for user in self.page_users]
        return set(
            selectors.users_editable_by(self.request.user)
            .filter(pk__in=page_ids)
            .values_list("pk", flat=True)
        )

    @cached_property
    def search_fields(self):
        return SEARCH_FIELDS

    def get_edit_url(self, instance):
        if instance.pk in self.editable_ids:
            return super().get_edit_url(instance)
        return None

    def get_delete_url(self, instance):
        if instance.pk in self.editable_ids:
            return super().get_delete_url(instance)
        return None

    def get_base_queryset(self):
        return selectors.users_visible_to(self.request.user).prefetch_related("groups")

    def order_queryset(self, queryset):
        # Skip wagtail's IndexView: it sorts "name" by first/last name, which we lack.
        return super(wagtail_users.IndexView, self).order_queryset(queryset)


class StaffUserCreateView(FormUserMixin, wagtail_users.CreateView):
    page_title = _("Add a staff member")


class StaffUserEditView(ScopedUserObjectMixin, FormUserMixin, wagtail_users.EditView):
    require_editable = True

    def get_object(self, queryset=None):
        return self.get_scoped_user(self.object_pk)

    def get_delete_url(self):
        if self.can_delete:
            return super().get_delete_url()
        return None


class StaffUserDeleteView(ScopedUserObjectMixin, wagtail_users.DeleteView):
    require_editable = True

    def get_object(self, queryset=None):
        if getattr(self, "object", None):
            return self.object
        return self.get_scoped_user(self.kwargs[self.pk_url_kwarg])


class StaffUserInspectView(ScopedUserObjectMixin, InspectView):
    fields = [
        "staff_no",
        "full_name",
        "school",
        "stage",
        "subjects",
        "title",
        "is_head_teacher",
        "phone",
        "email",
        "hired_on",
        "groups",
        "is_active",
        "last_login",
        "date_joined",
    ]

    def get_object(self, queryset=None):
        return self.get_scoped_user(self.pk)

    def get_field_label(self, field_name, field):
        if field_name == "groups":
            return _("Roles")
        return super().get_field_label(field_name, field)

    def get_edit_url(self):
        if self.can_edit(self.object):
            return super().get_edit_url()
        return None

    def get_delete_url(self):
        if self.can_edit(self.object):
            return super().get_delete_url()
        return None


class StaffUserHistoryView(ScopedUserObjectMixin, wagtail_users.HistoryView):
    def get_object(self):
        return self.get_scoped_user(self.pk)


class StaffUserUsageView(ScopedUserObjectMixin, UsageView):
    def get_object(self):
        return self.get_scoped_user(self.pk)


class StaffUserViewSet(wagtail_users.UserViewSet):
    menu_label = _("Staff")
    filterset_class = StaffUserFilterSet
    index_view_class = StaffUserIndexView
    add_view_class = StaffUserCreateView
    edit_view_class = StaffUserEditView
    delete_view_class = StaffUserDeleteView
    inspect_view_class = StaffUserInspectView
    history_view_class = StaffUserHistoryView
    usage_view_class = StaffUserUsageView
    inspect_view_enabled = True
    # Copy would open any user's data by id, outside the scoped views.
    copy_view_enabled = False
    # Our "Staff" entry sits in the main menu in place of Wagtail's settings → "Users".
    add_to_admin_menu = True
    add_to_settings_menu = False
    menu_order = 210
    ordering = ["school__code", "staff_no"]
    list_per_page = 50
    export_filename = "staff"
    list_export = ["staff_no", "full_name", "school", "stage", "subjects", "title", "phone"]

    # The viewset hands its template names to the views, overriding theirs: set them here.
    create_template_name = "people/admin/user_create.html"
    edit_template_name = "people/admin/user_edit.html"

    def get_form_class(self, for_update=False):
        return StaffUserEditForm if for_update else StaffUserCreationForm


class ScopedUserBulkActionMixin:
    """Bulk actions load only users the editor may change; any other id is dropped unseen,
    so neither the confirmation page nor the action reveals or touches them."""

    def get_queryset(self, model, object_ids):
        # Shadows BulkAction.get_queryset (a classmethod) because the scope needs the request.
        editable = selectors.users_editable_by(self.request.user)
        if not isinstance(object_ids, QuerySet):
            # isascii(): isdigit() alone admits ፩, which the pk lookup's int() refuses.
            object_ids = [pk for pk in object_ids if str(pk).isascii() and str(pk).isdigit()]
        users = list(editable.filter(pk__in=object_ids))
        if not users:
            raise Http404
        return users

    def get_all_objects_in_listing_query(self, parent_id):
        users = selectors.users_editable_by(self.request.user)
        if query := self.request.GET.get("q"):
            condition = Q()
            for field in SEARCH_FIELDS:
                condition |= Q(**{f"{field}__icontains": query})
            users = users.filter(condition)
        return users.values_list("pk", flat=True)


class ScopedAssignRoleBulkAction(ScopedUserBulkActionMixin, AssignRoleBulkAction):
    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["role"].queryset = Group.objects.filter(
            name__in=selectors.roles_assignable_by(self.request.user)
        )
        return form


class ScopedDeleteBulkAction(ScopedUserBulkActionMixin, DeleteBulkAction):
    pass


class ScopedSetActiveStateBulkAction(ScopedUserBulkActionMixin, SetActiveStateBulkAction):
    pass


SCOPED_USER_BULK_ACTIONS = [
    ScopedAssignRoleBulkAction,
    ScopedDeleteBulkAction,
    ScopedSetActiveStateBulkAction,
]
