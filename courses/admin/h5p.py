"""Admin for H5P packages: upload (through the upload service: checksum dedupe, processing
queued on commit), a list with status badges, and every validation error in the reader's
language on the edit and inspect views. Only 讲师 and 区管理员 hold add permission
(migration 0002): a package's JavaScript runs with the site's origin."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, UserColumn
from wagtail.snippets.views.snippets import CreateView, EditView, InspectView, SnippetViewSet

from ..choices import H5PStatus
from ..h5p.errors import error_message, human_size
from ..models import H5PPackage
from ..services.h5p import h5p_package_files_remove, h5p_package_upload


class H5PPackageCreateForm(WagtailAdminModelForm):
    class Meta:
        model = H5PPackage
        fields = ["title", "file"]
        widgets = {"file": forms.ClearableFileInput(attrs={"accept": ".h5p"})}

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and not str(upload.name).lower().endswith(".h5p"):
            raise ValidationError(
                _("Choose an .h5p file exported from H5P or Lumi: “%(name)s” is not one.")
                % {"name": upload.name}
            )
        return upload


class H5PPackageEditForm(WagtailAdminModelForm):
    class Meta:
        model = H5PPackage
        fields = ["title"]


def package_error_messages(package: H5PPackage) -> list[str]:
    return [error_message(error) for error in package.errors or []]


class H5PPackageCreateView(CreateView):
    def form_valid(self, form):
        self.form = form
        try:
            package = h5p_package_upload(
                file=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                uploaded_by=self.request.user,
            )
        except ValidationError as exc:
            form.add_error("file", exc)
            return self.form_invalid(form)
        self.object = package
        target = reverse(self.edit_url_name, args=[package.pk])
        if package.deduplicated:
            messages.warning(
                self.request,
                _(
                    "This file has already been uploaded as “%(title)s”; "
                    "that package is shown instead of a copy."
                )
                % {"title": package.title},
            )
            return redirect(target)
        package.refresh_from_db()
        if package.status == H5PStatus.VALID:
            messages.success(
                self.request, _("“%(title)s” is valid and ready to use.") % {"title": package.title}
            )
        elif package.status == H5PStatus.INVALID:
            messages.error(
                self.request,
                _("“%(title)s” is not a valid H5P package; the errors are listed below.")
                % {"title": package.title},
            )
        else:
            messages.info(
                self.request,
                _("“%(title)s” was uploaded and is being checked; reload this page shortly.")
                % {"title": package.title},
            )
        return redirect(target)


class H5PPackageEditView(EditView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["h5p_package"] = self.object
        context["h5p_errors"] = package_error_messages(self.object)
        context["h5p_size"] = human_size(self.object.size)
        return context


class H5PPackageInspectView(InspectView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["h5p_errors"] = package_error_messages(self.object)
        return context


def _status_primary(package) -> bool:
    return package.status == H5PStatus.VALID


class H5PPackageViewSet(SnippetViewSet):
    model = H5PPackage
    icon = "pick"
    menu_label = gettext_lazy("H5P packages")
    add_to_admin_menu = False
    add_view_class = H5PPackageCreateView
    edit_view_class = H5PPackageEditView
    inspect_view_class = H5PPackageInspectView
    inspect_view_enabled = True
    inspect_view_fields = [
        "title",
        "status",
        "main_library",
        "size",
        "uploaded_by",
        "created_at",
        "validated_at",
        "checksum",
    ]
    edit_template_name = "courses/admin/h5p_package_edit.html"
    inspect_template_name = "courses/admin/h5p_package_inspect.html"
    list_display = [
        "title",
        StatusTagColumn(
            "status",
            label=gettext_lazy("status"),
            accessor="get_status_display",
            primary=_status_primary,
        ),
        Column("main_library", label=gettext_lazy("main library")),
        Column("size", label=gettext_lazy("size"), accessor=lambda p: human_size(p.size)),
        UserColumn("uploaded_by", label=gettext_lazy("uploaded by")),
        DateColumn("created_at", label=gettext_lazy("uploaded at")),
    ]
    list_filter = ["status"]
    search_fields = ["title", "main_library"]
    ordering = ["-created_at"]

    create_panel = ObjectList(
        [FieldPanel("title"), FieldPanel("file")], base_form_class=H5PPackageCreateForm
    )
    edit_panel = ObjectList([FieldPanel("title")], base_form_class=H5PPackageEditForm)

    def get_queryset(self, request):
        # UserColumn shows avatars: fetch the profiles with the rows.
        return H5PPackage.objects.select_related("uploaded_by__wagtail_userprofile")

    def get_add_view_kwargs(self, **kwargs):
        panel = self.create_panel.bind_to_model(self.model)
        return super().get_add_view_kwargs(panel=panel, form_class=panel.get_form_class(), **kwargs)

    def get_edit_view_kwargs(self, **kwargs):
        panel = self.edit_panel.bind_to_model(self.model)
        return super().get_edit_view_kwargs(
            panel=panel, form_class=panel.get_form_class(), **kwargs
        )


@hooks.register("after_delete_snippet")
def remove_deleted_package_files(request, instances):
    """A deleted package's upload and extracted folder go too, once the delete commits."""
    for instance in instances:
        if isinstance(instance, H5PPackage):
            file_name, folder = instance.file.name, instance.extracted_path
            transaction.on_commit(
                lambda f=file_name, d=folder: h5p_package_files_remove(file_name=f, folder=d)
            )


VIEWSETS = (H5PPackageViewSet,)
