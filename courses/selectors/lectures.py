"""Reads of the lecture series: upcoming and past lectures, the registration window, seats,
a reader's registration state (with waiting-list position) and the lecture page's state box."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.models import PageViewRestriction

from ..choices import CompletionCriterion, LessonStatus
from ..models import (
    Attendance,
    AttendanceMethod,
    CoursePage,
    Enrollment,
    LectureCaseLink,
    LecturePage,
    LectureRegistration,
    LessonPage,
    LessonProgress,
    RegistrationStatus,
)
from .access import LEARNING_STATUSES, lesson_course_path

LECTURE_CARD_FIELDS = (
    "id",
    "title",
    "slug",
    "path",
    "depth",
    "url_path",
    "starts_at",
    "ends_at",
    "venue",
    "online_url",
    "summary",
    "stages",
    "capacity",
    "credit_hours",
    "topic__name",
)


def _local(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def lecture_registration_closes(lecture: LecturePage) -> datetime:
    return lecture.registration_closes or lecture.starts_at


def lecture_window_error(lecture: LecturePage, *, now: datetime) -> str | None:
    """Why registration is not open at `now`, or None: opens ≤ now < (closes or start)."""
    if now >= lecture.ends_at:
        return _("This lecture is over; registration has closed.")
    if lecture.registration_opens and now < lecture.registration_opens:
        return _("Registration opens on %(when)s.") % {"when": _local(lecture.registration_opens)}
    if now >= lecture_registration_closes(lecture):
        return _("Registration closed on %(when)s.") % {
            "when": _local(lecture_registration_closes(lecture))
        }
    return None


def lecture_seats_taken(lecture: LecturePage) -> int:
    return LectureRegistration.objects.filter(
        lecture=lecture, status=RegistrationStatus.REGISTERED
    ).count()


def _ahead_in_queue():
    """Subquery: how many waitlisted registrations of the same lecture queued before this one."""
    ahead = (
        LectureRegistration.objects.filter(
            lecture=OuterRef("lecture"), status=RegistrationStatus.WAITLISTED
        )
        .filter(
            Q(queued_at__lt=OuterRef("queued_at"))
            | Q(queued_at=OuterRef("queued_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("lecture")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ahead), Value(0))


def waitlist_queue(lecture: LecturePage):
    """The waiting list of a lecture, first in line first."""
    return LectureRegistration.objects.filter(
        lecture=lecture, status=RegistrationStatus.WAITLISTED
    ).order_by("queued_at", "pk")


@dataclass(frozen=True)
class LectureState:
    """A reader's relation to one lecture: "none", "registered", "waitlisted", "attended"."""

    state: str = "none"
    position: int | None = None  # on the waiting list, from 1
    registration: LectureRegistration | None = None


def user_lecture_states(user, lecture_ids) -> dict[int, LectureState]:
    """Two queries whatever the number of lectures: the reader's standing registrations (each
    with its waiting-list position) and attendances. Lectures without either are absent."""
    ids = list(lecture_ids)
    if not ids or not getattr(user, "is_authenticated", False):
        return {}
    registrations = (
        LectureRegistration.objects.filter(user=user, lecture_id__in=ids)
        .exclude(status=RegistrationStatus.CANCELLED)
        .annotate(ahead=_ahead_in_queue())
    )
    states = {
        registration.lecture_id: LectureState(
            state=registration.status,
            position=registration.ahead + 1
            if registration.status == RegistrationStatus.WAITLISTED
            else None,
            registration=registration,
        )
        for registration in registrations
    }
    attended = Attendance.objects.filter(user=user, lecture_id__in=ids).values_list(
        "lecture_id", flat=True
    )
    for lecture_id in attended:
        states[lecture_id] = LectureState(
            state="attended", registration=getattr(states.get(lecture_id), "registration", None)
        )
    return states


def _card_queryset(series):
    return (
        LecturePage.objects.live()
        .child_of(series)
        .select_related("topic")
        .only(*LECTURE_CARD_FIELDS)
        .prefetch_related("lecturers")
    )


def lectures_upcoming(series, *, now: datetime) -> list[LecturePage]:
    """Lectures not yet over (running ones included), soonest first."""
    return list(_card_queryset(series).filter(ends_at__gt=now).order_by("starts_at", "pk"))


def lectures_past(series, *, now: datetime):
    """Lectures that are over, newest first (a queryset, for the paginator)."""
    return _card_queryset(series).filter(ends_at__lte=now).order_by("-starts_at", "-pk")


def lectures_for_calendar(series, *, now: datetime, past_days: int = 30) -> list[LecturePage]:
    """What the series calendar holds: every upcoming lecture and those of the last 30 days."""
    since = now - timedelta(days=past_days)
    return list(
        LecturePage.objects.live()
        .child_of(series)
        .filter(ends_at__gte=since)
        .only(*LECTURE_CARD_FIELDS[:-1])
        .order_by("starts_at", "pk")
    )


def lectures_next(*, now: datetime, limit: int) -> list[LecturePage]:
    """The next lectures of any series for the home page, soonest first."""
    return list(
        LecturePage.objects.live()
        .filter(ends_at__gt=now)
        .select_related("topic")
        .only(*LECTURE_CARD_FIELDS)
        .order_by("starts_at", "pk")[:limit]
    )


@dataclass(frozen=True)
class LectureBox:
    """The state box of a lecture page. `state` is one of: attended, over, registered,
    waitlisted, not_open, closed, full, open."""

    state: str
    message: str = ""
    position: int | None = None
    can_cancel: bool = False


def lecture_box(
    *, lecture: LecturePage, reader: LectureState, seats_taken: int | None, now: datetime
) -> LectureBox:
    if reader.state == "attended":
        return LectureBox(state="attended")
    started = now >= lecture.starts_at
    if now >= lecture.ends_at:
        return LectureBox(state="over")
    if reader.state == RegistrationStatus.REGISTERED:
        return LectureBox(state="registered", can_cancel=not started)
    if reader.state == RegistrationStatus.WAITLISTED:
        return LectureBox(state="waitlisted", position=reader.position, can_cancel=not started)
    window_error = lecture_window_error(lecture, now=now)
    if window_error:
        opens_later = lecture.registration_opens and now < lecture.registration_opens
        return LectureBox(state="not_open" if opens_later else "closed", message=window_error)
    if lecture.capacity is not None and (seats_taken or 0) >= lecture.capacity:
        return LectureBox(state="full")
    return LectureBox(state="open")


@dataclass(frozen=True)
class ReplayBox:
    """The "watch the replay and pass the quiz" box of a lecture page after the lecture.
    `state` is one of: attended (in person), replay (counted through the replay), open (not
    yet, still possible), early (passed the quiz before it counted, e.g. before the lecture
    ended, which is not counted), closed (the deadline has passed)."""

    state: str
    credit_until: date | None
    lesson: LessonPage
    course: CoursePage | None
    learning: bool  # the reader may open the lesson (else the link goes to the course)
    attendance: Attendance | None = None


def lecture_replay_box(
    lecture: LecturePage, user, *, attendance: Attendance | None, now: datetime
) -> ReplayBox | None:
    """The replay box, or None when the lecture has no (published, quiz-passed) replay
    lesson or is not over. Two queries: the lesson with the reader's completion time, and
    its course with whether the reader is learning it. `attendance` is the reader's, already
    read by the caller."""
    if lecture.replay_lesson_id is None or now < lecture.ends_at:
        return None
    authenticated = getattr(user, "is_authenticated", False)
    lessons = LessonPage.objects.live().filter(
        pk=lecture.replay_lesson_id, completion_criterion=CompletionCriterion.H5P_PASSED
    )
    if authenticated:
        lessons = lessons.annotate(
            reader_completed_at=Subquery(
                LessonProgress.objects.filter(
                    user=user, lesson_id=OuterRef("pk"), status=LessonStatus.COMPLETED
                ).values("completed_at")[:1]
            )
        )
    lesson = lessons.only("id", "title", "path", "depth", "url_path").first()
    if lesson is None:
        return None
    courses = CoursePage.objects.live().filter(path=lesson_course_path(lesson))
    if authenticated:
        courses = courses.annotate(
            reader_learning=Exists(
                Enrollment.objects.filter(
                    user=user, course_id=OuterRef("pk"), status__in=LEARNING_STATUSES
                )
            )
        )
    course = courses.only("id", "title", "path", "depth", "url_path").first()
    learning = bool(course is not None and getattr(course, "reader_learning", False))
    deadline = lecture.replay_credit_until
    if attendance is not None:
        state = "replay" if attendance.method == AttendanceMethod.REPLAY else "attended"
    elif deadline is not None and timezone.localdate(now) > deadline:
        state = "closed"
    elif getattr(lesson, "reader_completed_at", None) is not None:
        # Completion is recorded once; a pass before the end (or before the lecture named
        # this lesson) stays uncounted, and the box says so.
        state = "early"
    else:
        state = "open"
    return ReplayBox(
        state=state,
        credit_until=deadline,
        lesson=lesson,
        course=course,
        learning=learning,
        attendance=attendance,
    )


# --- Linked cases (casebank is a sibling app: named by model string only) --------------------

CASE_FIELDS = ("id", "title", "slug", "path", "depth", "url_path", "live")


def lecture_cases(lecture: LecturePage) -> list:
    """The lecture's live, unrestricted linked cases in the editor's order (as the case
    library lists them: a case behind a view restriction is not shown). One query for the
    links with their CasePage rows (only the fields the page shows; `summary` when the case
    model has one), and one for the view restrictions only when there are links."""
    case_model = apps.get_model("casebank", "CasePage")
    fields = [*CASE_FIELDS]
    if any(field.name == "summary" for field in case_model._meta.get_fields()):
        fields.append("summary")
    links = (
        LectureCaseLink.objects.filter(lecture=lecture, case__live=True)
        .select_related("case")
        .only("id", "lecture_id", "case_id", "sort_order", *(f"case__{name}" for name in fields))
        .order_by("sort_order", "pk")
    )
    cases = [link.case for link in links]
    if not cases:
        return []
    # Wagtail's public(): a restriction covers its page and every page below it.
    restricted = tuple(PageViewRestriction.objects.values_list("page__path", flat=True))
    return [case for case in cases if not case.path.startswith(restricted)] if restricted else cases


def lectures_using_case(case_page_id: int):
    """Live lectures that link the case, newest first: the case page (casebank) lists them,
    reaching this through the model string, not an import. A queryset of LecturePage with
    the fields a list needs (title, URL, times)."""
    return (
        LecturePage.objects.live()
        .filter(case_links__case_id=case_page_id)
        .only("id", "title", "slug", "path", "depth", "url_path", "starts_at", "ends_at")
        .order_by("-starts_at", "-pk")
    )
