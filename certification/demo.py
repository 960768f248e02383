"""Demo credit for `seed_demo`: the ledger entries of the seeded history.

courses' demo writes completions and attendances of the generated teachers in bulk without
sending `course_completed` / `lecture_attended` (DESIGN.md §3 events are per row); this step
gives them their ledger entries through `credit_award_bulk` — the same values and natural
keys the receivers use, so a teacher credited by a real signal is not credited twice — plus
imported school-based training records (校本研修) for a share of the teachers, keyed like
`import_training`. Every part is idempotent: a re-run finds the entries recorded.
"""

import datetime
from decimal import Decimal

from django.db.models import CharField, Exists, F, OuterRef
from django.db.models.functions import Cast
from django.utils import timezone

from certification.imports import natural_key
from certification.models import Certificate, CreditEntry, CreditSource, QualificationStatus
from certification.services.ledger import (
    LECTURE_CATEGORY,
    LECTURE_LEVEL,
    LECTURE_POINTS,
    credit_award_bulk,
)
from certification.services.qualification import qualification_recompute
from cms.choices import CreditCategory, Level
from courses.choices import EnrollmentStatus
from courses.models import Attendance, Enrollment
from people.demo import SeedContext, seed_step
from people.demo.copy import analyze
from people.demo.write import DEMO_STAFF_NOS
from people.models import User

CHUNK = 2_000
# School-based training (校本研修) imported for one teacher in IMPORTED_SHARE_OF; fixed days
# so the natural keys — and so a re-run — stay the same (clamped to today, never future).
IMPORTED_SHARE_OF = 3
IMPORTED_TRAININGS = (
    ("校本研修：全员导师制与师生谈心谈话", datetime.date(2026, 3, 18), "2", "8"),
    ("校本研修：家校沟通案例研讨", datetime.date(2026, 9, 23), "1.5", "6"),
)


def _flush(rows: list[dict], ctx: SeedContext, key: str) -> None:
    if rows:
        result = credit_award_bulk(rows, chunk_size=CHUNK, notify=False)
        ctx.stats[key] = ctx.stats.get(key, 0) + result.created
        rows.clear()


def _unrecorded(source: str, object_field: str) -> Exists:
    """Whether the row's award (its user, `source` and object id as source_ref) is already in
    the ledger. credit_award_bulk skips recorded awards anyway; leaving them out of the rows
    spares a re-run building, hashing and checking every one again (same entries written)."""
    return ~Exists(
        CreditEntry.objects.filter(
            user_id=OuterRef("user_id"),
            source=source,
            source_ref=Cast(OuterRef(object_field), CharField()),
            reverses__isnull=True,
        )
    )


def _course_rows():
    completions = (
        Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED, completed_at__isnull=False)
        .filter(_unrecorded(CreditSource.COURSE, "course_id"))
        .order_by("pk")
        .values_list(
            "user_id",
            "course_id",
            "completed_at",
            "course__title",
            "course__credit_points",
            "course__hours",
            "course__credit_category",
            "course__level",
            "course__topic__slug",
            "course__topic__is_mentor_topic",
        )
    )
    for (
        user_id,
        course_id,
        done,
        title,
        points,
        hours,
        category,
        level,
        slug,
        mentor,
    ) in completions.iterator(chunk_size=CHUNK):
        yield {
            "user_id": user_id,
            "points": points,
            "hours": hours,
            "category": category,
            "level": level,
            "title": title,
            "source": CreditSource.COURSE,
            "source_ref": str(course_id),
            "source_object_id": course_id,
            "awarded_on": timezone.localdate(done),
            "topic": slug or "",
            "mentor_topic": bool(mentor),
        }


def _lecture_rows():
    attendances = (
        Attendance.objects.filter(credited_at__isnull=False)
        .filter(_unrecorded(CreditSource.LECTURE, "lecture_id"))
        .order_by("pk")
        .values_list(
            "user_id",
            "lecture_id",
            "checked_in_at",
            "lecture__title",
            "lecture__credit_hours",
            "lecture__topic__slug",
            "lecture__topic__is_mentor_topic",
        )
    )
    for user_id, lecture_id, checked_in_at, title, hours, slug, mentor in attendances.iterator(
        chunk_size=CHUNK
    ):
        yield {
            "user_id": user_id,
            "points": LECTURE_POINTS,
            "hours": hours,
            "category": LECTURE_CATEGORY,
            "level": LECTURE_LEVEL,
            "title": title,
            "source": CreditSource.LECTURE,
            "source_ref": str(lecture_id),
            "source_object_id": lecture_id,
            "awarded_on": timezone.localdate(checked_in_at),
            "topic": slug or "",
            "mentor_topic": bool(mentor),
        }


def _imported_rows(today: datetime.date):
    teachers = (
        User.objects.filter(is_active=True, school__isnull=False)
        .exclude(staff_no__in=DEMO_STAFF_NOS)
        .annotate(share=F("pk") % IMPORTED_SHARE_OF)
        .filter(share=0)
        .order_by("pk")
        .values_list("pk", "staff_no")
    )
    recorded = set(  # as above: awards in the ledger already are left out of the rows
        CreditEntry.objects.filter(
            source=CreditSource.IMPORT, reverses__isnull=True, user__in=teachers.values("pk")
        ).values_list("user_id", "source_ref")
    )
    for user_id, staff_no in teachers.iterator(chunk_size=CHUNK):
        for position, (name, day, points, hours) in enumerate(IMPORTED_TRAININGS):
            if (user_id + position) % 2 and position:  # about half also have the second one
                continue
            day = min(day, today)
            source_ref = natural_key(staff_no, name, day)
            if (user_id, source_ref) in recorded:
                continue
            yield {
                "user_id": user_id,
                "points": Decimal(points),
                "hours": Decimal(hours),
                "category": CreditCategory.PRACTICE,
                "level": Level.SCHOOL,
                "title": name,
                "source": CreditSource.IMPORT,
                "source_ref": source_ref,
                "awarded_on": day,
                "reason": "学校汇总导入（演示数据）",
            }


@seed_step
def seed_demo_credit(ctx: SeedContext) -> None:
    """Ledger entries for the seeded completions and attendances, and imported 校本研修."""
    today = timezone.localdate()
    for key, rows in (
        ("credit_course_entries", _course_rows()),
        ("credit_lecture_entries", _lecture_rows()),
        ("credit_imported_entries", _imported_rows(today)),
    ):
        ctx.stats.setdefault(key, 0)
        batch: list[dict] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                _flush(batch, ctx, key)
        _flush(batch, ctx, key)
        # Fresh planner statistics for the next part's NOT EXISTS and the recompute's reads.
        analyze(CreditEntry)


@seed_step
def seed_qualification_statuses(ctx: SeedContext) -> None:
    """Every demo teacher's 导师资格 status, computed set-based from the credit just seeded
    (the bulk credit above does not queue per-teacher recomputes), so the dashboards, /me/
    and the API have data right after `make run`. Idempotent: a second run writes the same."""
    if QualificationStatus.objects.exists():
        # A re-run reads the previous statuses. Not on an empty table: statistics saying
        # "empty" would plan the recompute's reads badly while it fills the table.
        analyze(QualificationStatus, Certificate)
    result = qualification_recompute(None)
    analyze(QualificationStatus, Certificate)  # for whatever queries them next (make bench)
    ctx.stats["qualification_statuses"] = result.users
