"""Wagtail's user admin, adapted to 工号/full name/school and scoped by school.

A school admin lists, views and edits only the staff of their own school, and can grant
only the teacher and school-admin roles; HR reads everyone; district admins manage all.
The scoping lives in people.selectors and is enforced on every URL, not only in menus.
"""

from django import forms
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.views.generic import InspectView
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
from people.validators import normalize_mobile, validate_staff_no

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


class StaffUserFormMixin(forms.ModelForm):
    """Drops Wagtail's first/last name, adds ours, limits school and roles to the editor's."""

    first_name = None
    last_name = None
    email = forms.EmailField(required=False, label=_("e-mail"))

    def __init__(self, *args, request_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_user = request_user
        assignable = selectors.roles_assignable_by(request_user) if request_user else []
        self.assignable_groups = Group.objects.filter(name__in=assignable).order_by("pk")
        if "groups" in self.fields:
            self.fields["groups"].queryset = self.assignable_groups
            self.fields["groups"].label = _("Roles")
            self.fields["groups"].help_text = _(
                "Roles you are not allowed to grant are kept as they are."
            )
        confined_school = selectors.user_managed_school_id(request_user) if request_user else None
        if confined_school is not None and "school" in self.fields:
            self.fields["school"].queryset = School.objects.filter(pk=confined_school)
            self.fields["school"].required = True
            self.fields["school"].empty_label = None
        if "is_superuser" in self.fields and not (request_user and request_user.is_superuser):
            del self.fields["is_superuser"]

    def clean_staff_no(self):
        try:
            return validate_staff_no(self.cleaned_data.get("staff_no", ""))
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean_phone(self):
        try:
            return normalize_mobile(self.cleaned_data.get("phone", ""))
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip()

    def clean_school(self):
        school = self.cleaned_data.get("school")
        confined = (
            selectors.user_managed_school_id(self.request_user) if self.request_user else None
        )
        if confined is not None and (school is None or school.pk != confined):
            raise forms.ValidationError(_("You can only manage staff of your own school."))
        return school

    def _save_m2m(self):
        # Keep roles the editor cannot grant; replace only the ones they can.
        kept = []
        if self.instance.pk:
            kept = list(self.instance.groups.exclude(pk__in=self.assignable_groups))
        super()._save_m2m()
        if "groups" in self.fields and kept:
            self.instance.groups.add(*kept)

    def save(self, commit=True):
        user = super().save(commit=False)
        if not user.pk and not self.cleaned_data.get("password1"):
            # No password typed: the new user sets one through the reset link.
            user.set_unusable_password()
        if commit:
            user.save()
            self.save_m2m()
        return user


class StaffUserCreationForm(StaffUserFormMixin, UserCreationForm):
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
        if request is not None and "school" in self.filters:
            self.filters["school"].queryset = selectors.schools_visible_to(request.user)


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
        return [
            title_column(
                "full_name",
                label=_("full name"),
                sort_key="full_name",
                get_url=self.get_row_url,
                classname="name",
            ),
            Column("staff_no", label=_("staff number"), sort_key="staff_no", width="12%"),
            Column("school", label=_("school"), sort_key="school__code", width="20%"),
            Column("get_stage_display", label=_("stage"), width="10%"),
            Column("get_title_display", label=_("professional title"), width="10%"),
            Column(
                "roles",
                label=_("Roles"),
                accessor=lambda u: "、".join(g.name for g in u.groups.all()),
                width="16%",
            ),
            BooleanColumn("is_active", label=_("active"), sort_key="is_active", width="8%"),
        ]

    def get_row_url(self, instance):
        if instance.pk in self.editable_ids:
            return self.get_edit_url(instance)
        return self.get_inspect_url(instance)

    @cached_property
    def editable_ids(self):
        page_ids = [user.pk for user in self.object_list]
        return set(
            selectors.users_editable_by(self.request.user)
            .filter(pk__in=page_ids)
            .values_list("pk", flat=True)
        )

    @cached_property
    def search_fields(self):
        return ["staff_no", "full_name", "email", "phone"]

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
        return super(wagtail_users.IndexView, self).order_queryset(queryset)


class StaffUserCreateView(FormUserMixin, wagtail_users.CreateView):
    page_title = _("Add a staff member")
    template_name = "people/admin/user_create.html"


class StaffUserEditView(FormUserMixin, wagtail_users.EditView):
    template_name = "people/admin/user_edit.html"

    def get_queryset(self):
        return selectors.users_editable_by(self.request.user)


class StaffUserDeleteView(wagtail_users.DeleteView):
    def get_object(self, queryset=None):
        if getattr(self, "object", None):
            return self.object
        return get_object_or_404(selectors.users_editable_by(self.request.user), pk=self.pk)


class StaffUserInspectView(InspectView):
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
        "is_active",
        "last_login",
        "date_joined",
    ]

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.users_visible_to(self.request.user), pk=self.pk)


class StaffUserHistoryView(wagtail_users.HistoryView):
    def get_object(self, queryset=None):
        pk = self.kwargs.get(self.pk_url_kwarg, self.args[0] if self.args else None)
        return get_object_or_404(selectors.users_visible_to(self.request.user), pk=pk)


class StaffUserViewSet(wagtail_users.UserViewSet):
    menu_label = _("Staff")
    filterset_class = StaffUserFilterSet
    index_view_class = StaffUserIndexView
    add_view_class = StaffUserCreateView
    edit_view_class = StaffUserEditView
    delete_view_class = StaffUserDeleteView
    inspect_view_class = StaffUserInspectView
    history_view_class = StaffUserHistoryView
    inspect_view_enabled = True
    add_to_settings_menu = False
    menu_order = 210
    ordering = ["school__code", "staff_no"]
    list_per_page = 50
    export_filename = "staff"
    list_export = ["staff_no", "full_name", "school", "stage", "subjects", "title", "phone"]

    def get_form_class(self, for_update=False):
        return StaffUserEditForm if for_update else StaffUserCreationForm


class ScopedUserBulkActionMixin:
    """Bulk actions see only users the editor may change; others are dropped unseen."""

    def get_actionable_objects(self):
        objects, _extra = super().get_actionable_objects()
        editable = set(
            selectors.users_editable_by(self.request.user)
            .filter(pk__in=[obj.pk for obj in objects])
            .values_list("pk", flat=True)
        )
        return [obj for obj in objects if obj.pk in editable], {"items_with_no_access": []}

    def form_valid(self, form):
        objects, _extra = self.get_actionable_objects()
        if not objects:
            raise PermissionDenied
        return super().form_valid(form)


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
