"""The signed-in user's notifications: the list, open one (marks it read and follows its
link), mark all read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from people.notifications import (
    notification_mark_read,
    notifications_for_user,
    notifications_mark_all_read,
)

PAGE_SIZE = 20


@login_required
@require_GET
def notification_list(request):
    # Listing does not mark anything read: unread items stay highlighted until the user opens
    # them or presses "mark all read", so nothing is lost by glancing at the page.
    page = Paginator(notifications_for_user(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "people/notifications.html",
        {"page_obj": page, "notifications": list(page.object_list)},
    )


@login_required
@require_POST
def notification_open(request, pk: int):
    notification = notification_mark_read(user=request.user, notification_id=pk)
    if notification is None:
        raise Http404(_("No such notification."))
    url = notification.url
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(url)
    return redirect("notifications")


@login_required
@require_POST
def notifications_read_all(request):
    changed = notifications_mark_all_read(user=request.user)
    if changed:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications")
