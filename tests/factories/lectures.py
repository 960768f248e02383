"""Helpers that build the lecture series and lectures under the home page."""

import itertools
from datetime import timedelta

from django.utils import timezone

from courses.models import LecturePage, LectureSeriesPage

from .cms import home_page, publish_child

_numbers = itertools.count(1)


def lecture_series(*, feedback_required=None) -> LectureSeriesPage:
    """The series (made on first use, feedback required by default); `feedback_required`
    changes an existing one only when given."""
    series = LectureSeriesPage.objects.first()
    if series is None:
        feedback_required = True if feedback_required is None else feedback_required
        series = publish_child(
            home_page(),
            LectureSeriesPage(
                title="每月专题讲座",
                slug="lectures",
                intro="讲师团每月一次专题培训",
                feedback_required=feedback_required,
            ),
        )
    elif feedback_required is not None and series.feedback_required != feedback_required:
        series.feedback_required = feedback_required
        series.save_revision().publish()
    return series


def make_lecture(*, starts_in=timedelta(days=7), minutes=90, series=None, **fields) -> LecturePage:
    """A published lecture starting `starts_in` from now (negative: in the past)."""
    number = next(_numbers)
    starts_at = fields.pop("starts_at", None) or timezone.now() + starts_in
    fields.setdefault("title", f"专题讲座{number}")
    fields.setdefault("summary", "讲座简介")
    fields.setdefault("venue", "青浦区教师进修学院报告厅")
    return publish_child(
        series or lecture_series(),
        LecturePage(
            slug=f"lecture-{number}",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            **fields,
        ),
    )
