"""Credit cycles (e.g. 十五五) and their requirement matrix in the admin: the district admin
edits them (model permissions from migration 0008); school admins and HR may only read."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from certification.models import CreditCycle, CycleRequirement


class CreditCycleViewSet(ModelViewSet):
    model = CreditCycle
    icon = "date"
    menu_label = _("Credit cycles")
    list_display = ["name", "starts_on", "ends_on", "min_total_points"]
    ordering = ["-starts_on"]
    copy_view_enabled = False
    inspect_view_enabled = True
    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
        FieldPanel("min_total_points"),
    ]


class CycleRequirementViewSet(ModelViewSet):
    """One row of a cycle's matrix: a category minimum (level empty), a level minimum
    (category empty) or a category × level cell."""

    model = CycleRequirement
    icon = "table"
    menu_label = _("Cycle requirements")
    list_display = ["cycle", "category", "level", "min_points"]
    list_filter = ["cycle", "category", "level"]
    ordering = ["cycle", "category", "level"]
    copy_view_enabled = False
    panels = [
        FieldPanel("cycle"),
        FieldRowPanel([FieldPanel("category"), FieldPanel("level")]),
        FieldPanel("min_points"),
    ]


class CreditCycleGroup(ViewSetGroup):
    menu_label = _("Credit cycles")
    menu_icon = "date"
    menu_order = 305
    items = (CreditCycleViewSet("credit_cycles"), CycleRequirementViewSet("cycle_requirements"))


@hooks.register("register_admin_viewset")
def register_credit_cycle_viewsets():
    return CreditCycleGroup()
