"""Admin view of the review workflow: replace the privacy findings of a case's latest
version with placeholders (the button of the editor's privacy panel)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.defaults import permission_denied

from ..models import CasePage
from ..services import case_redact


@require_POST
def case_redact_view(request, page_id):
    try:
        replaced = case_redact(page_id=page_id, user=request.user)
    except CasePage.DoesNotExist:
        messages.error(request, _("That case does not exist."))
        return redirect("wagtailadmin_home")
    except PermissionDenied as exc:
        return permission_denied(request, exc)
    if replaced:
        messages.success(
            request,
            _(
                "Replaced %(count)d item(s) of personal data with placeholders and saved a "
                "new draft. Check the text, then submit the case for review."
            )
            % {"count": replaced},
        )
    else:
        messages.info(request, _("The latest version has no personal data to replace."))
    return redirect("wagtailadmin_pages:edit", page_id)
