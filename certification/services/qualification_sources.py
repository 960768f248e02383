"""The aggregate reads of the qualification engine: one GROUP BY user per source per chunk
of teachers, with conditional aggregation (one pair of aggregates per requirement)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, Sum

from courses.models import H5PResult, LessonPackage

from ..models import CreditEntry, CreditSource
from ..models.qualification import RequirementKind
from .qualification_rules import Spec

COURSE_SOURCES = (CreditSource.COURSE, CreditSource.IMPORT)


def ledger_aggregates(user_ids: list[int], specs: list[Spec]) -> dict[int, dict]:
    annotations = {}
    for spec in specs:
        when = Q()
        if spec.window_start is not None:
            when &= Q(awarded_on__gte=spec.window_start)
        if spec.kind == RequirementKind.COURSE_COMPLETED:
            if spec.course_id is None:
                continue
            # Online completion, or an imported offline record naming the course's code.
            when &= Q(source__in=COURSE_SOURCES, source_object_id=spec.course_id)
            annotations[spec.alias + "_have"] = Count("id", filter=when)
            annotations[spec.alias + "_on"] = Min("awarded_on", filter=when)
        elif spec.kind == RequirementKind.CATEGORY_HOURS:
            if spec.category_q is None:
                continue
            when &= spec.category_q
            annotations[spec.alias + "_have"] = Sum("hours", filter=when)
            annotations[spec.alias + "_on"] = Max("awarded_on", filter=when)
        elif spec.kind == RequirementKind.LECTURES_ATTENDED:
            when &= Q(source=CreditSource.LECTURE)
            annotations[spec.alias + "_have"] = Count("id", filter=when)
            annotations[spec.alias + "_on"] = Max("awarded_on", filter=when)
    if not annotations:
        return {}
    rows = (
        CreditEntry.objects.effective()
        .filter(user_id__in=user_ids)
        .order_by()
        .values("user_id")
        .annotate(**annotations)
    )
    return {row["user_id"]: row for row in rows}


def score_aggregates(user_ids: list[int], specs: list[Spec]) -> dict[int, dict]:
    score_specs = [
        s for s in specs if s.kind == RequirementKind.COURSE_SCORE and s.course_id is not None
    ]
    if not score_specs:
        return {}
    # The lessons of each required course that play an H5P activity (one small query).
    lessons: dict[int, set[int]] = defaultdict(set)
    for course_id, lesson_id in LessonPackage.objects.filter(
        course_id__in={s.course_id for s in score_specs}
    ).values_list("course_id", "lesson_id"):
        lessons[course_id].add(lesson_id)
    annotations = {}
    for spec in score_specs:
        in_course = Q(lesson_id__in=sorted(lessons.get(spec.course_id, ())) or [0])
        annotations[spec.alias + "_have"] = Max("best_scaled", filter=in_course)
        reached = in_course & Q(best_scaled__gte=spec.need / 100)
        annotations[spec.alias + "_on"] = Min("last_attempt_at", filter=reached)
    rows = (
        H5PResult.objects.filter(user_id__in=user_ids)
        .order_by()
        .values("user_id")
        .annotate(**annotations)
    )
    return {row["user_id"]: row for row in rows}


def mentor_rows(user_ids: list[int]) -> dict[int, list[tuple[datetime.date, Decimal]]]:
    rows: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    for user_id, awarded_on, hours in (
        CreditEntry.objects.effective()
        .filter(user_id__in=user_ids, mentor_topic=True, hours__gt=0)
        .order_by("user_id", "awarded_on", "id")
        .values_list("user_id", "awarded_on", "hours")
    ):
        rows[user_id].append((awarded_on, hours))
    return rows
