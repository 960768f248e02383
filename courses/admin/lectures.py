"""Admin screens: lecture check-in (讲座签到) — the lectures a person manages with their counts;
one lecture's registrations and attendance with a live count, CSV/XLSX export, an attendance
list upload (preview, then all or nothing) and manual marks with a reason. Who may manage
which lecture is decided in `courses.selectors.lecture_admin`; everyone else gets a 403."""

import datetime
from functools import wraps
from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, include, path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.defaults import permission_denied
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.spreadsheets import xlsx_bytes

from ..exports import CHUNK_SIZE, XLSX_TYPE, csv_lines
from ..models import AttendanceMethod, LecturePage, RegistrationStatus
from ..selectors import lecture_admin as selectors
from ..services import attendance_import as service

app_name = "courses_lectures"
LECTURES_PER_PAGE = 25
ROWS_PER_PAGE = 100
PREVIEW_ROWS = 500
# The preview's signed list of rows is valid this long (seconds).
PREVIEW_MAX_AGE = 60 * 60
SIGNING_SALT = "courses.attendance_upload"
ALLOWED_SUFFIXES = {".csv", ".txt", ".xlsx"}
# The detail page polls the live count while check-in can happen, plus a margin.
LIVE_MARGIN = datetime.timedelta(minutes=30)
LIVE_POLL_SECONDS = 10


def forbidden_is_403(view):
    """A plain 403 instead of Wagtail's redirect to the dashboard, so refusals are visible."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return permission_denied(request, exc)

    return wrapper


def _breadcrumbs(*items):
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse(f"{app_name}:index"), "label": _("Lecture check-in")},
        *items,
    ]


def _lecture(request, pk) -> LecturePage:
    if not selectors.user_may_manage_any_lecture(request.user):
        raise PermissionDenied
    lecture = get_object_or_404(LecturePage, pk=pk)
    if not selectors.user_may_manage_lecture(request.user, lecture):
        raise PermissionDenied
    return lecture


def _checkin_display_url(lecture) -> str:
    try:
        return reverse("courses:lecture_checkin_display", args=[lecture.pk])
    except NoReverseMatch:
        return f"/lectures/{lecture.pk}/checkin-display/"


# --- List and detail ------------------------------------------------------------------------


@forbidden_is_403
@require_GET
def index(request):
    if not selectors.user_may_manage_any_lecture(request.user):
        raise PermissionDenied
    lectures = selectors.lectures_managed_by(request.user).order_by("-starts_at", "-pk")
    lectures = lectures.only("id", "title", "starts_at", "ends_at", "venue", "live")
    page = Paginator(lectures, LECTURES_PER_PAGE).get_page(request.GET.get("p"))
    title = _("Lecture check-in")
    return TemplateResponse(
        request,
        "courses/admin/lecture_index.html",
        {
            "summaries": selectors.lecture_summaries(list(page.object_list)),
            "items": page,
            "elided_page_range": page.paginator.get_elided_page_range(page.number),
            "now": timezone.now(),
            "page_title": title,
            "header_title": title,
            "header_icon": "date",
            "breadcrumbs_items": _breadcrumbs(),
        },
    )


def _is_live(lecture, now) -> bool:
    return lecture.starts_at - LIVE_MARGIN <= now <= lecture.ends_at + LIVE_MARGIN


@forbidden_is_403
@require_GET
def detail(request, pk):
    lecture = _lecture(request, pk)
    now = timezone.now()
    registrations = Paginator(selectors.lecture_registration_rows(lecture), ROWS_PER_PAGE)
    registrations = registrations.get_page(request.GET.get("rp"))
    attendance = Paginator(selectors.lecture_attendance_rows(lecture), ROWS_PER_PAGE)
    attendance = attendance.get_page(request.GET.get("ap"))
    (summary,) = selectors.lecture_summaries([lecture])
    return TemplateResponse(
        request,
        "courses/admin/lecture_detail.html",
        {
            "lecture": lecture,
            "counts": summary.counts,
            "registrations": list(registrations.object_list),
            "registrations_page": registrations,
            "attendances": list(attendance.object_list),
            "attendance_page": attendance,
            "live": _is_live(lecture, now),
            "poll_seconds": LIVE_POLL_SECONDS,
            "recording_open": service.lecture_recording_open(lecture, now=now),
            "recording_opens_at": service.lecture_recording_opens_at(lecture),
            "checkin_display_url": _checkin_display_url(lecture),
            "waitlisted_status": RegistrationStatus.WAITLISTED,
            "page_title": _("Lecture check-in"),
            "header_title": lecture.title,
            "header_icon": "date",
            "breadcrumbs_items": _breadcrumbs({"url": "", "label": lecture.title}),
        },
    )


@forbidden_is_403
@require_GET
def live_count(request, pk):
    lecture = _lecture(request, pk)
    counts = selectors.lecture_counts([lecture.pk])[lecture.pk]
    response = JsonResponse(
        {
            "attended": counts.attended,
            "registered": counts.registered,
            "waitlisted": counts.waitlisted,
        }
    )
    response["Cache-Control"] = "no-store"
    return response


# --- Export ---------------------------------------------------------------------------------


def export_headers() -> list[str]:
    return [
        _("staff number"),
        _("full name"),
        _("school"),
        _("registration status"),
        _("registered at"),
        _("waiting-list position"),
        _("attendance"),
        _("checked in at"),
        _("recorded by"),
        _("reason or note"),
    ]


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def export_values(user) -> list:
    status = RegistrationStatus(user.reg_status).label if user.reg_status else _("Not registered")
    method = AttendanceMethod(user.att_method).label if user.att_method else _("Absent")
    return [
        user.staff_no,
        user.full_name,
        user.school.name if user.school else "",
        str(status),
        _local(user.reg_created_at),
        user.waitlist_position,
        str(method),
        _local(user.att_checked_in_at),
        user.att_recorded_by or "",
        user.att_reason or "",
    ]


def _export_rows(lecture):
    for user in selectors.lecture_export_rows(lecture).iterator(chunk_size=CHUNK_SIZE):
        yield export_values(user)


def _export_filename(lecture, extension: str) -> str:
    day = timezone.localtime(lecture.starts_at).strftime("%Y%m%d")
    return f"{day}-{lecture.title}.{extension}"


def _xlsx_bytes(lecture) -> bytes:
    return xlsx_bytes(
        sheet_title=_("Attendance"),
        headers=export_headers(),
        rows=_export_rows(lecture),
        widths=(14, 10, 28, 12, 18, 10, 12, 18, 10, 30),
    )


@forbidden_is_403
@require_GET
def export(request, pk, fmt):
    lecture = _lecture(request, pk)
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_lines(export_headers(), _export_rows(lecture)),
            content_type="text/csv; charset=utf-8",
        )
    elif fmt == "xlsx":
        response = HttpResponse(_xlsx_bytes(lecture), content_type=XLSX_TYPE)
    else:
        raise Http404(_("Unknown export format."))
    response["Content-Disposition"] = content_disposition_header(
        True, _export_filename(lecture, fmt)
    )
    return response


# --- Attendance list upload -----------------------------------------------------------------


class AttendanceUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Attendance list"),
        help_text=gettext_lazy(
            "CSV (UTF-8 or GB18030) or Excel (.xlsx) with a 工号 column; optional 姓名 and 备注."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ALLOWED_SUFFIXES))}),
        error_messages={"required": gettext_lazy("Choose the attendance list file.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("Upload a CSV (.csv) or Excel (.xlsx) file."))
        if upload.size > service.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB.") % {"size": service.MAX_BYTES // 2**20}
            )
        return upload


def _sign_entries(lecture, user, entries) -> str:
    payload = {
        "lecture": lecture.pk,
        "user": user.pk,
        "rows": [[e.row, e.staff_no, e.note] for e in entries],
    }
    return signing.dumps(payload, salt=SIGNING_SALT, compress=True)


def _unsign_entries(lecture, user, token: str) -> list[service.ListEntry] | None:
    try:
        payload = signing.loads(token, salt=SIGNING_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.BadSignature:
        return None
    if payload.get("lecture") != lecture.pk or payload.get("user") != user.pk:
        return None
    try:
        return [
            service.ListEntry(row=int(r), staff_no=str(s), note=str(n))
            for r, s, n in payload["rows"]
        ]
    except (KeyError, TypeError, ValueError):
        return None


def _upload_context(lecture, **extra) -> dict:
    return {
        "lecture": lecture,
        "max_rows": service.MAX_ROWS,
        "max_megabytes": service.MAX_BYTES // 2**20,
        "recording_opens_at": service.lecture_recording_opens_at(lecture),
        "page_title": _("Upload attendance list"),
        "header_title": lecture.title,
        "header_icon": "upload",
        "breadcrumbs_items": _breadcrumbs(
            {"url": reverse(f"{app_name}:detail", args=[lecture.pk]), "label": lecture.title},
            {"url": "", "label": _("Upload attendance list")},
        ),
        **extra,
    }


@forbidden_is_403
@require_http_methods(["GET", "POST"])
def upload(request, pk):
    lecture = _lecture(request, pk)
    check = token = None
    window_error = ""
    if request.method == "POST":
        form = AttendanceUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            try:
                check = service.attendance_list_preview(
                    lecture=lecture,
                    data=upload_file.read(service.MAX_BYTES + 1),
                    filename=upload_file.name,
                    recorded_by=request.user,
                )
            except ValidationError as exc:
                window_error = " ".join(exc.messages)
            else:
                if check.is_valid:
                    token = _sign_entries(lecture, request.user, check.entries)
    else:
        form = AttendanceUploadForm()
    if not window_error and not service.lecture_recording_open(lecture):
        window_error = _(
            "Attendance can be recorded only from 30 minutes before the lecture starts."
        )
    return TemplateResponse(
        request,
        "courses/admin/lecture_upload.html",
        _upload_context(
            lecture,
            form=form,
            check=check,
            preview_rows=check.rows[:PREVIEW_ROWS] if check else [],
            more_rows=max(0, len(check.rows) - PREVIEW_ROWS) if check else 0,
            token=token,
            window_error=window_error,
        ),
    )


@forbidden_is_403
@require_POST
def upload_apply(request, pk):
    lecture = _lecture(request, pk)
    entries = _unsign_entries(lecture, request.user, request.POST.get("token", ""))
    if entries is None:
        messages.error(request, _("The preview has expired or was changed; upload the file again."))
        return redirect(f"{app_name}:upload", pk=lecture.pk)
    try:
        outcome = service.attendance_list_apply(
            lecture=lecture, entries=entries, recorded_by=request.user
        )
    except service.AttendanceListInvalid as exc:
        return TemplateResponse(
            request,
            "courses/admin/lecture_upload.html",
            _upload_context(
                lecture,
                form=AttendanceUploadForm(),
                check=exc.check,
                preview_rows=[],
                more_rows=0,
                token=None,
                window_error="",
            ),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{app_name}:upload", pk=lecture.pk)
    messages.success(
        request,
        _("Attendance recorded: %(recorded)d; already recorded before: %(already)d.")
        % {"recorded": outcome.recorded, "already": outcome.already_attended},
    )
    return redirect(f"{app_name}:detail", pk=lecture.pk)


# --- Manual mark ----------------------------------------------------------------------------


class ManualMarkForm(forms.Form):
    staff_no = forms.CharField(
        label=gettext_lazy("Staff number (工号)"),
        max_length=32,
        error_messages={"required": gettext_lazy("Enter the teacher's staff number.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=service.REASON_MAX_LENGTH,
        help_text=gettext_lazy("For example: signed the paper list; the phone had no signal."),
        error_messages={
            "required": gettext_lazy("Give a reason for marking the attendance by hand.")
        },
    )


@forbidden_is_403
@require_http_methods(["GET", "POST"])
def mark(request, pk):
    lecture = _lecture(request, pk)
    if request.method == "POST":
        form = ManualMarkForm(request.POST)
        if form.is_valid():
            try:
                attendance, created = service.attendance_mark_manual(
                    lecture=lecture,
                    staff_no=form.cleaned_data["staff_no"],
                    reason=form.cleaned_data["reason"],
                    recorded_by=request.user,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                name = attendance.user.full_name
                if created:
                    messages.success(request, _("%(name)s is marked present.") % {"name": name})
                else:
                    messages.info(
                        request,
                        _("%(name)s's attendance was already recorded; nothing changed.")
                        % {"name": name},
                    )
                return redirect(f"{app_name}:detail", pk=lecture.pk)
    else:
        form = ManualMarkForm()
    return TemplateResponse(
        request,
        "courses/admin/lecture_mark.html",
        {
            "lecture": lecture,
            "form": form,
            "recording_open": service.lecture_recording_open(lecture),
            "recording_opens_at": service.lecture_recording_opens_at(lecture),
            "page_title": _("Mark attendance by hand"),
            "header_title": lecture.title,
            "header_icon": "user",
            "breadcrumbs_items": _breadcrumbs(
                {"url": reverse(f"{app_name}:detail", args=[lecture.pk]), "label": lecture.title},
                {"url": "", "label": _("Mark attendance by hand")},
            ),
        },
    )


urlpatterns = [
    path("", index, name="index"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/count.json", live_count, name="live_count"),
    path("<int:pk>/export.<str:fmt>", export, name="export"),
    path("<int:pk>/upload/", upload, name="upload"),
    path("<int:pk>/upload/apply/", upload_apply, name="upload_apply"),
    path("<int:pk>/mark/", mark, name="mark"),
]


class LectureCheckinMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.user_may_manage_any_lecture(request.user)


@hooks.register("register_admin_urls")
def register_lecture_checkin_urls():
    from . import lectures as module

    return [path("lecture-checkin/", include((module.urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_lecture_checkin_menu_item():
    return LectureCheckinMenuItem(
        gettext_lazy("Lecture check-in"),
        reverse_lazy(f"{app_name}:index"),
        name="lecture-checkin",
        icon_name="date",
        order=213,
    )
