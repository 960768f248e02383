"""Helpers for qualification tests: standards with requirements, H5P scores, and ledger rows
written in bulk (through the ledger's set-based award) for the query-count tests."""

import datetime
import itertools
from decimal import Decimal

from certification.models import CreditSource
from certification.models.qualification import (
    QualificationStandard,
    RequirementKind,
    StandardRequirement,
)
from certification.services.ledger import credit_award_bulk
from cms.choices import CreditCategory, Level
from courses.models import H5PPackage, H5PResult, LessonPackage

_numbers = itertools.count(1)


def only_standard(code="t", *, requirements=(), **fields) -> QualificationStandard:
    """A current standard with `requirements` (dicts of StandardRequirement fields), the only
    current one (the seeded mentor standard is retired for the test)."""
    QualificationStandard.objects.filter(is_current=True).update(is_current=False)
    fields.setdefault("name", "测试标准")
    fields.setdefault("validity_months", 36)
    fields.setdefault("renewal_hours", Decimal("0"))
    fields.setdefault("effective_from", datetime.date(2026, 1, 1))
    version = 1 + (
        QualificationStandard.objects.filter(code=code)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
        or 0
    )
    standard = QualificationStandard.objects.create(
        code=code, version=version, is_current=True, **fields
    )
    for position, spec in enumerate(requirements):
        spec = dict(spec)
        spec.setdefault("code", f"r{position}")
        spec.setdefault("label", f"要求{position}")
        spec.setdefault("sort_order", position)
        if "min_value" in spec:
            spec["min_value"] = Decimal(str(spec["min_value"]))
        StandardRequirement.objects.create(standard=standard, **spec)
    return standard


def course_req(course, **fields) -> dict:
    return {"kind": RequirementKind.COURSE_COMPLETED, "course_code": course.code, **fields}


def hours_req(category, minimum, window=None, **fields) -> dict:
    return {
        "kind": RequirementKind.CATEGORY_HOURS,
        "category": category,
        "min_value": minimum,
        "window_months": window,
        **fields,
    }


def lectures_req(minimum, window=None, **fields) -> dict:
    return {
        "kind": RequirementKind.LECTURES_ATTENDED,
        "min_value": minimum,
        "window_months": window,
        **fields,
    }


def score_req(course, minimum, **fields) -> dict:
    return {
        "kind": RequirementKind.COURSE_SCORE,
        "course_code": course.code,
        "min_value": minimum,
        **fields,
    }


def course_credit(course, awarded_on=datetime.date(2026, 3, 5)) -> dict:
    """award() keyword arguments of a course completion credit."""
    return {
        "source": CreditSource.COURSE,
        "source_ref": str(course.pk),
        "source_object_id": course.pk,
        "hours": str(course.hours),
        "title": course.title,
        "awarded_on": awarded_on,
    }


def lecture_credit(number, awarded_on, hours="2", mentor_topic=True) -> dict:
    return {
        "source": CreditSource.LECTURE,
        "source_ref": f"lecture-{number}",
        "source_object_id": number,
        "hours": hours,
        "mentor_topic": mentor_topic,
        "awarded_on": awarded_on,
    }


def h5p_score(user, lesson, course, best, when) -> H5PResult:
    """A best H5P score (0–1) for `user` on an activity of `lesson`."""
    number = next(_numbers)
    package = H5PPackage.objects.create(
        title=f"测验{number}", file=f"h5p/uploads/q{number}.h5p", checksum=f"{number:064x}"
    )
    LessonPackage.objects.get_or_create(lesson=lesson, package=package, course=course)
    return H5PResult.objects.create(
        user=user,
        package=package,
        lesson=lesson,
        attempts=1,
        best_scaled=Decimal(str(best)),
        last_scaled=Decimal(str(best)),
        success=True,
        completed=True,
        last_attempt_at=when,
    )


def bulk_credit(user_ids, *, per_user=3, awarded_on=datetime.date(2026, 3, 5), **row):
    """`per_user` ledger rows for each teacher, through the set-based award (no signals)."""
    rows = []
    for user_id in user_ids:
        for number in range(per_user):
            rows.append(
                {
                    "user_id": user_id,
                    "points": Decimal("0.5"),
                    "hours": Decimal("2"),
                    "category": CreditCategory.KNOWLEDGE,
                    "level": Level.DISTRICT,
                    "title": "批量培训",
                    "source": CreditSource.MANUAL,
                    "source_ref": f"bulk-{number}",
                    "awarded_on": awarded_on,
                    **row,
                }
            )
    return credit_award_bulk(rows, notify=False)
