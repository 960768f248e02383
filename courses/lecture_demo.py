"""Lecture demo content for `seed_demo`: the series 每月专题讲座 with the twelve monthly
lectures of courses/demo_content/lectures.json (nine past, three upcoming, given by the
讲师团), one past lecture's replay lesson with its H5P quiz (passing it counts as attending),
the demo teacher's registrations, check-ins and feedback through the services, and a share of
the generated teachers' registrations, attendances and feedback written set-based.
Every step creates what is missing and leaves the rest alone."""

from __future__ import annotations

import calendar
import datetime
import json
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from people.demo import SeedContext, seed_step
from people.demo.copy import analyze, bulk_insert
from people.demo.write import DEMO_STAFF_NOS
from people.models import User

from .choices import CompletionCriterion, CreditCategory, H5PStatus, Level
from .demo import (
    DEMO_LECTURER_STAFF_NO,
    _home,
    _lecturer_profiles,
    _publish_child,
    lesson_blocks,
    quiz_package_bytes,
)
from .models import (
    Attendance,
    AttendanceMethod,
    CourseIndexPage,
    CoursePage,
    H5PPackage,
    LectureFeedback,
    LecturePage,
    LectureRegistration,
    LectureSeriesPage,
    LessonPage,
    RegistrationStatus,
    TopicCategory,
)

LECTURES_FILE = Path(__file__).resolve().parent / "demo_content" / "lectures.json"
PAST_LECTURES = 9  # the first nine of lectures.json are past, the last three upcoming
LECTURE_HOUR = 14  # local time; each lecture lasts 90 minutes
LECTURE_MINUTES = 90
# The demo teacher missed these past lectures (by position), so her record has gaps.
DEMO_TEACHER_MISSED = {3, 6}
# Generated teachers: registered for a lecture when (id + position) % 10 < REGISTERED_SHARE;
# of those, a past lecture was attended unless (id * 7 + position) % 10 >= ATTENDED_SHARE.
REGISTERED_SHARE = 3
ATTENDED_SHARE = 8
BULK_CHUNK = 5_000
REGISTRATION_FIELDS = ["user_id", "lecture_id", "status", "cancelled_at"]
ATTENDANCE_FIELDS = ["user_id", "lecture_id", "method", "checked_in_at", "credited_at"]
FEEDBACK_FIELDS = ["user_id", "lecture_id", "rating", "comment"]
FEEDBACK_COMMENTS = [
    "案例贴近实际，回去就能用。",
    "讲师讲得清楚，希望多一些分组练习的时间。",
    "对和家长沟通很有启发。",
    "",
]


def lecture_content() -> dict:
    return json.loads(LECTURES_FILE.read_text(encoding="utf-8"))


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def lecture_start(position: int, *, today: datetime.date | None = None) -> datetime.datetime:
    """Lecture `position` (0–11) of the demo: one a month, the tenth three days from today at
    14:00 local time, nine before it and two after it."""
    today = today or timezone.localdate()
    anchor = today + datetime.timedelta(days=3)
    day = _add_months(anchor, position - PAST_LECTURES)
    return datetime.datetime(
        day.year, day.month, day.day, LECTURE_HOUR, tzinfo=ZoneInfo(settings.TIME_ZONE)
    )


@seed_step
def seed_lecture_series(ctx: SeedContext) -> None:
    """The series under the home page and its lectures (a dozen pages whatever the scale,
    written one by one through Wagtail's publish). Dates are fixed when a lecture is
    created: a later re-seed does not move them."""
    home = _home()
    if home is None:
        return
    # The 讲师团 profiles come from the cms step; the order of the steps follows the order in
    # which the demo modules were first imported, so make sure of them here (idempotent).
    from cms.demo import seed_lecturers

    seed_lecturers(ctx)
    content = lecture_content()
    created = 0
    with transaction.atomic():
        series = LectureSeriesPage.objects.first()
        if series is None:
            spec = content["series"]
            series = _publish_child(
                home,
                LectureSeriesPage(
                    title=spec["title"],
                    slug=spec["slug"],
                    intro=spec["intro"],
                    feedback_required=spec["feedback_required"],
                    show_in_menus=True,
                ),
            )
            created += 1
        existing = set(LecturePage.objects.child_of(series).values_list("slug", flat=True))
        specs = [
            (position, spec)
            for position, spec in enumerate(content["lectures"])
            if spec["slug"] not in existing
        ]
        if specs:
            topics = dict(TopicCategory.objects.values_list("slug", "pk"))
            names = {name for _pos, spec in specs for name in spec.get("lecturers", [])}
            profiles = _lecturer_profiles(names)
            for position, spec in specs:
                _lecture_create(series, position, spec, topics, profiles)
                created += 1
    ctx.stats["lecture_pages_created"] = created


def _lecture_create(series, position: int, spec: dict, topics: dict, profiles: dict) -> None:
    starts_at = lecture_start(position)
    lecture = LecturePage(
        title=spec["title"],
        slug=spec["slug"],
        summary=spec["summary"],
        body=json.dumps(lesson_blocks(spec.get("body", [])), ensure_ascii=False),
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=LECTURE_MINUTES),
        venue=spec.get("venue", ""),
        online_url=spec.get("online_url", ""),
        topic_id=topics.get(spec.get("topic")),
        stages=spec.get("stages", []),
        capacity=spec.get("capacity"),
        registration_opens=starts_at - datetime.timedelta(days=30),
        credit_hours=Decimal(str(spec.get("credit_hours", "2"))),
    )
    series.add_child(instance=lecture)
    lecture.lecturers.set(
        [profiles[name] for name in spec.get("lecturers", []) if name in profiles]
    )
    lecture.save_revision().publish()


# --- The replay of one past lecture, with its quiz ---------------------------------------------

# 学业压力疏导 (position 3): the demo teacher missed it, so she can catch up by the replay.
REPLAY_LECTURE_SLUG = "lecture-04"
REPLAY_COURSE_CODE = "QP-HF-2026-01"
REPLAY_COURSE = {
    "title": "每月专题讲座 · 回放与测验",
    "slug": "lecture-replays",
    "summary": (
        "错过现场的老师可在这里观看每月专题讲座的回放并完成测验。讲座结束后、截止日期前"
        "通过测验，计为该讲座出勤（学时随讲座记入），本课程不单独计学时和学分。"
    ),
}
REPLAY_LESSON_SLUG = "lecture-04-replay"
REPLAY_LESSON_TITLE = "回放：学业压力疏导——考试前后的导师陪伴"
REPLAY_LESSON_BODY = [
    "## 讲座回放",
    "周晓峰老师的讲座分三部分：考试焦虑的表现与成因、帮助学生合理归因与制定复习计划、与家长一起调整期待。",
    "## 要点回顾",
    "- 区分正常紧张与需要关注的焦虑：持续失眠、食欲明显改变、回避上学时要及时关注",
    "- 帮助学生把“我不行”变成“我下一步做什么”：把大目标拆成一周能完成的小步骤",
    "- 与家长沟通成绩与期待：先肯定努力，再一起商量可行的目标",
    "> 提示：讲座结束后、截止日期前通过本课时的测验，计为该讲座出勤。",
]
REPLAY_QUIZ_TITLE = "学业压力疏导 · 回放测验"
REPLAY_QUIZ_QUESTION = "考试前学生对导师说“我肯定考不好，复习也没用”，导师首先应该怎么做？"
REPLAY_QUIZ_ANSWERS = [
    {"text": "先倾听和接纳他的担心，再和他一起把复习拆成今天就能做的小步骤", "correct": True},
    {"text": "告诉他不要想太多，别人都能考好他也能", "correct": False},
    {"text": "马上通知家长加强督促", "correct": False},
    {"text": "建议他这次考试先放弃，下次再努力", "correct": False},
]
# Days after the seed run during which passing the replay quiz counts (fixed when first set).
REPLAY_CREDIT_DAYS = 60


def replay_quiz_bytes() -> bytes | None:
    """The replay quiz as a `.h5p` file built from our own library, or None while the
    library is missing."""
    return quiz_package_bytes(
        title=REPLAY_QUIZ_TITLE, question=REPLAY_QUIZ_QUESTION, answers=REPLAY_QUIZ_ANSWERS
    )


def _replay_quiz_package(uploaded_by) -> H5PPackage | None:
    """Uploaded through the H5P service like any package (validated, extracted; the same
    bytes again are deduplicated). None when it cannot be played."""
    from .services.h5p import h5p_package_process, h5p_package_upload

    payload = replay_quiz_bytes()
    if payload is None:
        return None
    package = h5p_package_upload(
        file=ContentFile(payload, name="lecture-04-replay-quiz.h5p"),
        title=REPLAY_QUIZ_TITLE,
        uploaded_by=uploaded_by,
    )
    package.refresh_from_db()
    if package.status == H5PStatus.PENDING:
        # Processing is queued on commit; with a real broker it may not have run yet.
        package = h5p_package_process(package_id=package.pk) or package
    return package if package.status == H5PStatus.VALID else None


@seed_step
def seed_lecture_replay(ctx: SeedContext) -> None:
    """The replay course (open, no credit of its own) with the replay lesson of lecture-04:
    its key points and an H5P quiz, completed by passing it; the lecture names it as its
    replay lesson with a deadline REPLAY_CREDIT_DAYS after the first seed. Skipped once the
    lecture has a replay lesson."""
    lecture = LecturePage.objects.filter(slug=REPLAY_LECTURE_SLUG).live().first()
    catalog = CourseIndexPage.objects.first()
    if lecture is None or lecture.replay_lesson_id is not None or catalog is None:
        return
    lecturer = User.objects.filter(staff_no=DEMO_LECTURER_STAFF_NO).first()
    package = _replay_quiz_package(uploaded_by=lecturer)
    if package is None:
        return
    with transaction.atomic():
        course = CoursePage.objects.filter(code=REPLAY_COURSE_CODE).first()
        if course is None:
            course = _publish_child(
                catalog,
                CoursePage(
                    code=REPLAY_COURSE_CODE,
                    topic=lecture.topic,
                    level=Level.DISTRICT,
                    credit_category=CreditCategory.KNOWLEDGE,
                    credit_points=Decimal(0),
                    hours=Decimal(0),
                    **REPLAY_COURSE,
                ),
            )
        lesson = LessonPage.objects.child_of(course).filter(slug=REPLAY_LESSON_SLUG).first()
        if lesson is None:
            body = [
                *lesson_blocks(REPLAY_LESSON_BODY),
                {"type": "h5p", "value": {"package": package.pk, "title": REPLAY_QUIZ_TITLE}},
            ]
            lesson = _publish_child(
                course,
                LessonPage(
                    title=REPLAY_LESSON_TITLE,
                    slug=REPLAY_LESSON_SLUG,
                    body=json.dumps(body, ensure_ascii=False),
                    estimated_minutes=90,
                    completion_criterion=CompletionCriterion.H5P_PASSED,
                    min_score=100,
                ),
            )
        lecture.replay_lesson = lesson
        lecture.replay_credit_until = timezone.localdate() + datetime.timedelta(
            days=REPLAY_CREDIT_DAYS
        )
        lecture.save_revision().publish()
    ctx.stats["lecture_replay_lessons"] = 1


def _demo_lectures() -> list[LecturePage]:
    """The demo lectures in lectures.json order (position matters for the shares)."""
    series = LectureSeriesPage.objects.first()
    if series is None:
        return []
    slugs = [spec["slug"] for spec in lecture_content()["lectures"]]
    by_slug = {
        lecture.slug: lecture
        for lecture in LecturePage.objects.child_of(series).live().filter(slug__in=slugs)
    }
    return [by_slug[slug] for slug in slugs if slug in by_slug]


# --- The demo teacher, through the services --------------------------------------------------


@seed_step
def seed_lecture_demo_teacher(ctx: SeedContext) -> None:
    """王晓梅 (`teacher`): registered for every lecture; checked in (QR, once a typed code) at
    the past ones except two, with feedback — through attendance_record and
    lecture_feedback_submit, so `lecture_attended` reaches the credit ledger for her.
    Skipped once she has any registration, so a re-seed never repeats her own clicks."""
    from .services.attendance import attendance_record, lecture_feedback_submit

    teacher = User.objects.filter(staff_no="teacher").first()
    if teacher is None or LectureRegistration.objects.filter(user=teacher).exists():
        return
    lectures = _demo_lectures()
    if not lectures:
        return
    now = timezone.now()
    with transaction.atomic():
        LectureRegistration.objects.bulk_create(
            [
                LectureRegistration(
                    user=teacher, lecture=lecture, status=RegistrationStatus.REGISTERED
                )
                for lecture in lectures
            ],
            ignore_conflicts=True,
        )
        for position, lecture in enumerate(lectures):
            if lecture.ends_at > now or position in DEMO_TEACHER_MISSED:
                continue
            attendance_record(
                user=teacher,
                lecture=lecture,
                method=AttendanceMethod.CODE if position == 1 else AttendanceMethod.QR,
                now=lecture.starts_at - datetime.timedelta(minutes=5),
            )
            lecture_feedback_submit(
                user=teacher,
                lecture=lecture,
                rating=5 if position % 3 else 4,
                comment=FEEDBACK_COMMENTS[position % len(FEEDBACK_COMMENTS)],
                now=lecture.ends_at,
            )
    ctx.stats["demo_teacher_lecture_attendances"] = Attendance.objects.filter(user=teacher).count()


# --- Generated teachers: a share registered and attending, set-based -------------------------


@seed_step
def seed_lecture_attendance(ctx: SeedContext) -> None:
    """A deterministic share of the generated teachers registered for each lecture; at the
    past ones most of them checked in and gave feedback.

    Written with bulk inserts per chunk of teachers (ignore_conflicts on the unique
    constraints makes a re-run a no-op). These bulk attendances deliberately do not send
    `lecture_attended`: the credit ledger of these imaginary teachers is the certification
    app's own demo step to write, in bulk too. They are stored as credited (credited_at set
    where feedback exists) so that nothing later mistakes them for pending credit."""
    lectures = _demo_lectures()
    if not lectures:
        return
    teachers = (
        User.objects.filter(is_active=True, school__isnull=False)
        .exclude(staff_no__in=DEMO_STAFF_NOS)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    chunk: list[int] = []
    for pk in teachers.iterator(chunk_size=BULK_CHUNK):
        chunk.append(pk)
        if len(chunk) >= BULK_CHUNK:
            _attendance_chunk(chunk, lectures, now)
            chunk = []
    if chunk:
        _attendance_chunk(chunk, lectures, now)
    analyze(LectureRegistration, Attendance, LectureFeedback)
    ids = [lecture.pk for lecture in lectures]
    ctx.stats.update(
        lecture_registrations=LectureRegistration.objects.filter(lecture_id__in=ids).count(),
        lecture_attendances=Attendance.objects.filter(lecture_id__in=ids).count(),
    )


def _attendance_chunk(user_ids: list[int], lectures: list[LecturePage], now) -> None:
    # Teachers already registered for a lecture are skipped, so a re-run writes nothing (a
    # range over the chunk's sorted ids, not IN (...), to stay under SQLite's limits).
    have = set(
        LectureRegistration.objects.filter(
            lecture__in=lectures, user_id__gte=user_ids[0], user_id__lte=user_ids[-1]
        ).values_list("user_id", "lecture_id")
    )
    registrations, attendances, feedback = [], [], []
    for position, lecture in enumerate(lectures):
        past = lecture.ends_at <= now
        lecture_id = lecture.pk
        for pk in user_ids:
            if (pk + position) % 10 >= REGISTERED_SHARE or (pk, lecture_id) in have:
                continue
            cancelled = not past and pk % 23 == 0
            registrations.append(
                (
                    pk,
                    lecture_id,
                    RegistrationStatus.CANCELLED if cancelled else RegistrationStatus.REGISTERED,
                    now if cancelled else None,
                )
            )
            if not past or (pk * 7 + position) % 10 >= ATTENDED_SHARE:
                continue
            checked_in_at = lecture.starts_at + datetime.timedelta(seconds=(pk * 37) % 1500 - 600)
            gave_feedback = pk % 4 != 0
            attendances.append(
                (
                    pk,
                    lecture_id,
                    AttendanceMethod.CODE if pk % 9 == 0 else AttendanceMethod.QR,
                    checked_in_at,
                    lecture.ends_at if gave_feedback else None,
                )
            )
            if gave_feedback:
                feedback.append(
                    (pk, lecture_id, 3 + pk % 3, FEEDBACK_COMMENTS[pk % len(FEEDBACK_COMMENTS)])
                )
    # Tuples through bulk_insert (COPY on PostgreSQL); rows already there are skipped.
    with transaction.atomic():
        for model, fields, rows in (
            (LectureRegistration, REGISTRATION_FIELDS, registrations),
            (Attendance, ATTENDANCE_FIELDS, attendances),
            (LectureFeedback, FEEDBACK_FIELDS, feedback),
        ):
            bulk_insert(model, rows, fields=fields)
