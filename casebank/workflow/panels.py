"""The privacy panel of the case editor: the findings of the case's latest privacy check
(field, text, kind, block) and the one-click placeholder replacement."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel


class PrivacyFindingsPanel(Panel):
    def __init__(self, **kwargs):
        kwargs.setdefault("heading", _("Privacy check"))
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "casebank/workflow/privacy_findings_panel.html"

        def get_context_data(self, parent_context=None):
            from ..services import case_latest_privacy_scan
            from .selectors import findings_for_display

            context = super().get_context_data(parent_context)
            page_id = getattr(self.instance, "pk", None)
            scan = case_latest_privacy_scan(page_id=page_id) if page_id else None
            latest_revision_id = getattr(self.instance, "latest_revision_id", None)
            can_edit = bool(
                page_id
                and self.request is not None
                and self.instance.permissions_for_user(self.request.user).can_edit()
            )
            context.update(
                {
                    "scan": scan,
                    "findings": findings_for_display(scan.findings) if scan else [],
                    "scan_is_current": bool(scan and scan.revision_id == latest_revision_id),
                    "redact_url": (
                        reverse("casebank_case_redact", args=[page_id])
                        if scan and scan.finding_count and can_edit
                        else ""
                    ),
                }
            )
            return context
