"""Lecture series and lecture page contexts (their get_context), and the login wall of both.

Both build everything the templates show, with a fixed number of queries whatever the number
of lectures, registrations or lecturers."""

from itertools import groupby

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.utils import timezone

from cms.fields import stage_labels
from cms.selectors import lecturer_index_page

from ..models import LecturePage, LectureSeriesPage
from ..selectors.checkin import lecture_attendance_box
from ..selectors.lectures import (
    LectureState,
    lecture_box,
    lecture_cases,
    lecture_registration_closes,
    lecture_replay_box,
    lecture_seats_taken,
    lectures_past,
    lectures_upcoming,
    user_lecture_states,
)

PAST_LECTURES_PER_PAGE = 12


def lecture_pages_require_login(page, request, serve_args, serve_kwargs):
    """`before_serve_page` hook: the series and its lectures are for logged-in users;
    anonymous readers go to the login page and come back."""
    if isinstance(page, LectureSeriesPage | LecturePage) and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def _card(lecture: LecturePage, states: dict[int, LectureState], now) -> dict:
    return {
        "lecture": lecture,
        "topic": lecture.topic,
        "lecturers": [p for p in lecture.lecturers.all() if p.is_active],
        "stage_labels": stage_labels(lecture.stages),
        "reader": states.get(lecture.pk, LectureState()),
        "running": lecture.starts_at <= now < lecture.ends_at,
    }


def series_context(page, request) -> dict:
    """Upcoming lectures soonest first, then a page of past lectures grouped by month
    (newest month first), each with the reader's state."""
    now = timezone.now()
    upcoming = lectures_upcoming(page, now=now)
    paginator = Paginator(lectures_past(page, now=now), PAST_LECTURES_PER_PAGE)
    past_page = paginator.get_page(request.GET.get("page"))
    past = list(past_page.object_list)
    states = user_lecture_states(request.user, [lecture.pk for lecture in [*upcoming, *past]])

    def month_of(lecture):
        local = timezone.localtime(lecture.starts_at)
        return (local.year, local.month)

    past_months = []
    for _month, group in groupby(past, key=month_of):
        cards = [_card(lecture, states, now) for lecture in group]
        past_months.append(
            {"month": timezone.localtime(cards[0]["lecture"].starts_at), "cards": cards}
        )
    return {
        "upcoming_cards": [_card(lecture, states, now) for lecture in upcoming],
        "past_months": past_months,
        "past_page": past_page,
        "paginator": paginator,
    }


def lecture_context(page, request) -> dict:
    user = request.user
    now = timezone.now()
    reader = user_lecture_states(user, [page.pk]).get(page.pk, LectureState())
    seats_taken = lecture_seats_taken(page) if page.capacity is not None else None
    box = lecture_box(lecture=page, reader=reader, seats_taken=seats_taken, now=now)
    over = now >= page.ends_at

    lecturers = list(
        page.lecturers.filter(is_active=True)
        .select_related("photo")
        .prefetch_related("photo__renditions")
    )
    # Check-in form, "checked in (how, when)", feedback form or thanks.
    attendance_box = lecture_attendance_box(page, request, now=now)
    return {
        "topic": page.topic,
        "stage_labels": page.stage_labels,
        "lecturers": lecturers,
        "lecturer_index": lecturer_index_page() if lecturers else None,
        "chapters": list(page.related_chapters.live().only("id", "title", "path", "url_path")),
        "cases": lecture_cases(page),
        "slides": page.slides,
        "reader": reader,
        "box": box,
        "seats_taken": seats_taken,
        "seats_left": max(page.capacity - seats_taken, 0) if seats_taken is not None else None,
        "registration_closes": lecture_registration_closes(page),
        "lecture_over": over,
        "lecture_running": page.starts_at <= now < page.ends_at,
        "show_replay": over and bool(page.replay),
        "attendance_box": attendance_box,
        # After the lecture: passing the replay lesson's quiz counts as attending.
        "replay_box": lecture_replay_box(
            page, user, attendance=attendance_box.get("attendance"), now=now
        ),
    }
