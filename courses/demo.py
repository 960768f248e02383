"""courses demo content for `seed_demo`: topic categories, the catalog 课程中心 with the
courses of courses/demo_content/courses.json (the mentor qualification's courses among them,
the crisis course ending in an H5P quiz built from our own library), the demo teacher's own
learning through the services, and a share of the generated teachers' enrolments and lesson
progress written set-based. Every step creates what is missing and leaves the rest alone."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from wagtail.models import Page, Site

from people.demo import SeedContext, seed_step
from people.demo.copy import analyze, bulk_insert
from people.demo.write import DEMO_STAFF_NOS
from people.models import LecturerProfile, User

from .choices import (
    CompletionCriterion,
    EnrollmentSource,
    EnrollmentStatus,
    H5PStatus,
    LessonStatus,
)
from .models import (
    CourseEvaluation,
    CourseIndexPage,
    CoursePage,
    Enrollment,
    H5PPackage,
    H5PResult,
    LessonPackage,
    LessonPage,
    LessonProgress,
    TopicCategory,
)

CONTENT_DIR = Path(__file__).resolve().parent / "demo_content"
COURSES_FILE = CONTENT_DIR / "courses.json"
H5P_LIBRARY_DIR = CONTENT_DIR / "h5p_library"
QUIZ_LIBRARY = "H5P.QingpuQuiz-1.1"
QUIZ_TITLE = "心理危机识别与上报 · 在线测评"
QUIZ_QUESTION = "导师发现学生在周记中写下“活着没意思”，并把心爱的物品送给同学，应当怎么做？"
QUIZ_ANSWERS = [
    {"text": "当天陪伴学生，并立即报告班主任和心理教师，按学校危机干预流程处理", "correct": True},
    {"text": "先观察一两周，情况没有好转再报告", "correct": False},
    {"text": "答应学生替他保密，自己私下开导", "correct": False},
    {"text": "在班级群里提醒其他家长注意", "correct": False},
]
DEMO_LECTURER = "@lecturer"  # in courses.json: the demo 讲师 account's own profile
DEMO_LECTURER_STAFF_NO = "lecturer"
ZIP_DATE = (2026, 1, 1, 0, 0, 0)  # fixed, so the package's checksum (and dedupe) is stable

# Generated teachers enrolled per course code, by teacher id modulo 10 (a deterministic share).
BULK_SHARES = {
    "QP-XL-2026-01": 4,
    "QP-JX-2026-01": 3,
    "QP-WJ-2026-01": 2,
    "QP-SD-2026-01": 2,
}
BULK_CHUNK = 5_000
# The tables the bulk steps fill; their planner statistics are refreshed after each step.
LEARNING_MODELS = (Enrollment, LessonProgress, CourseEvaluation, H5PResult)


def course_content() -> dict:
    return json.loads(COURSES_FILE.read_text(encoding="utf-8"))


# --- StreamField bodies from the compact text of courses.json --------------------------------


def lesson_blocks(lines: list[str]) -> list[dict]:
    """`## ` heading, `- ` list item, `> 提示：`/`> 注意：` callout, anything else a paragraph."""
    blocks: list[dict] = []
    items: list[str] = []

    def flush():
        if items:
            html = "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"
            blocks.append({"type": "paragraph", "value": html})
            items.clear()

    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if line.startswith("- "):
            items.append(line[2:].strip())
            continue
        flush()
        if line.startswith("## "):
            blocks.append({"type": "heading", "value": {"text": line[3:].strip(), "level": "2"}})
        elif line.startswith("> "):
            text = line[2:].strip()
            kind = "warning" if text.startswith("注意") else "tip"
            title, _sep, rest = text.partition("：")
            blocks.append(
                {
                    "type": "callout",
                    "value": {
                        "kind": kind,
                        "title": title if rest else "",
                        "text": f"<p>{escape(rest or text)}</p>",
                    },
                }
            )
        else:
            blocks.append({"type": "paragraph", "value": f"<p>{escape(line)}</p>"})
    flush()
    return blocks


# --- The H5P quiz, packed in memory from our own library ------------------------------------


def quiz_package_bytes(
    *, title: str = QUIZ_TITLE, question: str = QUIZ_QUESTION, answers: list = QUIZ_ANSWERS
) -> bytes | None:
    """A one-question quiz of our own library as a `.h5p` file (by default the crisis course's;
    fixed ZIP dates, so the same bytes and checksum every run), or None while the library is
    missing."""
    library = H5P_LIBRARY_DIR / QUIZ_LIBRARY
    if not (library / "library.json").exists():
        return None
    files = {
        "h5p.json": {
            "title": title,
            "language": "zh",
            "mainLibrary": "H5P.QingpuQuiz",
            "embedTypes": ["div"],
            "license": "U",
            "preloadedDependencies": [
                {"machineName": "H5P.QingpuQuiz", "majorVersion": 1, "minorVersion": 1}
            ],
        },
        "content/content.json": {
            "question": question,
            "answers": answers,
            "passPercentage": 100,
        },
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            payload = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), payload, zipfile.ZIP_DEFLATED)
        for path in sorted(library.rglob("*")):
            if path.is_file():
                name = f"{QUIZ_LIBRARY}/{path.relative_to(library).as_posix()}"
                archive.writestr(
                    zipfile.ZipInfo(name, ZIP_DATE), path.read_bytes(), zipfile.ZIP_DEFLATED
                )
    return buffer.getvalue()


def demo_quiz_package(uploaded_by=None) -> H5PPackage | None:
    """Upload the quiz through the H5P service (validated and extracted like any upload;
    the same bytes again are deduplicated). None when it cannot be played."""
    try:
        from .services.h5p import h5p_package_upload
    except ImportError:  # the H5P service is not installed in this build
        return None
    payload = quiz_package_bytes()
    if payload is None:
        return None
    package = h5p_package_upload(
        file=ContentFile(payload, name="crisis-quiz.h5p"), title=QUIZ_TITLE, uploaded_by=uploaded_by
    )
    package.refresh_from_db()
    if package.status == H5PStatus.PENDING:
        # Processing is queued on commit; with a real broker it may not have run yet.
        from .services.h5p import h5p_package_process

        package = h5p_package_process(package_id=package.pk) or package
    return package if package.status == H5PStatus.VALID else None


# --- Pages ------------------------------------------------------------------------------------


def _home():
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    return site.root_page.specific if site else None


def _publish_child(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _lecturer_profiles(names: set[str]) -> dict[str, LecturerProfile]:
    """Profiles by name; the demo 讲师 account gets a profile of its own when it has none, so
    the lecturer report has courses to show."""
    profiles = {p.full_name: p for p in LecturerProfile.objects.filter(full_name__in=names)}
    if DEMO_LECTURER in names:
        account = User.objects.filter(staff_no=DEMO_LECTURER_STAFF_NO).first()
        if account is not None:
            profile = LecturerProfile.objects.filter(user=account).first()
            if profile is None:
                profile = LecturerProfile.objects.create(
                    user=account,
                    full_name=account.full_name,
                    title="高级教师、区心理健康教育中心组成员",
                    unit="青浦区教师进修学院",
                    bio="<p>长期从事中学心理健康教育与导师培训，负责本平台心理健康类课程的讲授与答疑。</p>",
                    sort_order=5,
                )
            profiles[DEMO_LECTURER] = profile
    return profiles


@seed_step
def seed_course_topics(ctx: SeedContext) -> None:
    topics = course_content()["topics"]
    existing = set(TopicCategory.objects.values_list("slug", flat=True))
    TopicCategory.objects.bulk_create(
        [
            TopicCategory(
                name=item["name"],
                slug=item["slug"],
                description=item.get("description", ""),
                is_mentor_topic=bool(item.get("mentor")),
                sort_order=(order + 1) * 10,
            )
            for order, item in enumerate(topics)
            if item["slug"] not in existing
        ],
        ignore_conflicts=True,
    )
    ctx.stats["course_topics"] = len(topics)


@seed_step
def seed_course_catalog(ctx: SeedContext) -> None:
    """课程中心 under the home page and the demo courses with their lessons (a handful of
    pages whatever the scale: written one by one through Wagtail's publish)."""
    home = _home()
    if home is None:
        return
    content = course_content()
    created = 0
    with transaction.atomic():
        catalog = CourseIndexPage.objects.first()
        if catalog is None:
            spec = content["catalog"]
            catalog = _publish_child(
                home,
                CourseIndexPage(
                    title=spec["title"], slug=spec["slug"], intro=spec["intro"], show_in_menus=True
                ),
            )
            created += 1
        existing = set(CoursePage.objects.values_list("code", flat=True))
        new_specs = [spec for spec in content["courses"] if spec["code"] not in existing]
        if new_specs:
            topics = dict(TopicCategory.objects.values_list("slug", "pk"))
            names = {name for spec in new_specs for name in spec.get("lecturers", [])}
            profiles = _lecturer_profiles(names)
            for spec in new_specs:
                created += _course_create(catalog, spec, topics, profiles)
    created += _crisis_assessment_ensure()
    ctx.stats["course_pages_created"] = created


def _course_create(catalog, spec: dict, topics: dict, profiles: dict) -> int:
    course = CoursePage(
        title=spec["title"],
        slug=spec["slug"],
        code=spec["code"],
        summary=spec["summary"],
        topic_id=topics.get(spec.get("topic")),
        stages=spec.get("stages", []),
        level=spec["level"],
        credit_category=spec["credit_category"],
        credit_points=Decimal(spec["credit_points"]),
        hours=Decimal(spec["hours"]),
        delivery=spec["delivery"],
        enrolment_mode=spec["enrolment_mode"],
        capacity=spec.get("capacity"),
    )
    catalog.add_child(instance=course)
    course.lecturers.set([profiles[name] for name in spec.get("lecturers", []) if name in profiles])
    if spec.get("tags"):
        course.tags.set(spec["tags"])
    course.save_revision().publish()
    created = 1
    for number, lesson in enumerate(spec["lessons"], start=1):
        criterion = lesson.get("criterion", CompletionCriterion.VIEWED)
        if criterion == CompletionCriterion.H5P_PASSED:
            # Viewed until the quiz package exists; _crisis_assessment_ensure upgrades it.
            criterion = CompletionCriterion.VIEWED
        _publish_child(
            course,
            LessonPage(
                title=lesson["title"],
                slug=f"lesson-{number}",
                body=json.dumps(lesson_blocks(lesson["body"]), ensure_ascii=False),
                estimated_minutes=lesson.get("minutes", 30),
                completion_criterion=criterion,
                min_score=lesson.get("min_score", 80),
            ),
        )
        created += 1
    return created


def _crisis_assessment_ensure() -> int:
    """The crisis course's assessment lesson plays the quiz and needs ≥ its min score, once
    the quiz package can be built and validated. Returns 1 when it changed the lesson."""
    for spec in course_content()["courses"]:
        for number, item in enumerate(spec["lessons"], start=1):
            if not item.get("h5p"):
                continue
            course = CoursePage.objects.filter(code=spec["code"]).first()
            lesson = (
                LessonPage.objects.child_of(course).filter(slug=f"lesson-{number}").first()
                if course is not None
                else None
            )
            if lesson is None or lesson.h5p_package_ids():
                continue
            lecturer = User.objects.filter(staff_no=DEMO_LECTURER_STAFF_NO).first()
            package = demo_quiz_package(uploaded_by=lecturer)
            if package is None:
                return 0
            lesson.body = json.dumps(
                [
                    *lesson_blocks(item["body"]),
                    {"type": "h5p", "value": {"package": package.pk, "title": QUIZ_TITLE}},
                ],
                ensure_ascii=False,
            )
            lesson.completion_criterion = item.get("criterion", CompletionCriterion.H5P_PASSED)
            lesson.min_score = item.get("min_score", 80)
            lesson.save_revision().publish()
            return 1
    return 0


# --- The demo teacher's own learning, through the services -----------------------------------


@seed_step
def seed_demo_teacher_learning(ctx: SeedContext) -> None:
    """王晓梅 (`teacher`): one course completed, one half done, one just started, one
    assigned by the school with a due date, one waiting for approval. Skipped once she has
    any enrolment, so a re-seed never repeats or undoes her own clicks."""
    from .services.completion import course_evaluation_submit, lesson_viewed
    from .services.enrolment import enrollment_assign, enrollment_request

    teacher = User.objects.filter(staff_no="teacher").first()
    school_admin = User.objects.filter(staff_no="schooladmin").first()
    if teacher is None or Enrollment.objects.filter(user=teacher).exists():
        return
    courses = {course.code: course for course in CoursePage.objects.live()}
    if not courses:
        return

    def lessons(code):
        return list(LessonPage.objects.child_of(courses[code]).live().order_by("path"))

    with transaction.atomic():
        done = courses.get("QP-XL-2026-01")
        if done is not None:
            enrollment_request(user=teacher, course=done)
            for lesson in lessons(done.code):
                lesson_viewed(user=teacher, lesson=lesson, course=done)
            course_evaluation_submit(
                user=teacher,
                course=done,
                rating=5,
                comment="案例贴近实际，倾听与回应的方法第二天就用在了和学生的谈话里。",
            )
        half = courses.get("QP-JX-2026-01")
        if half is not None:
            enrollment_request(user=teacher, course=half)
            lesson_viewed(user=teacher, lesson=lessons(half.code)[0], course=half)
        started = courses.get("QP-WJ-2026-01")
        if started is not None:
            enrollment_request(user=teacher, course=started)
        assigned = courses.get("QP-DS-2026-01")
        if assigned is not None and school_admin is not None:
            enrollment_assign(
                course=assigned,
                users=[teacher],
                assigned_by=school_admin,
                due_on=timezone.localdate() + datetime.timedelta(days=21),
            )
        pending = courses.get("QP-JF-2026-02")
        if pending is not None:
            enrollment_request(user=teacher, course=pending)
    ctx.stats["demo_teacher_enrolments"] = Enrollment.objects.filter(user=teacher).count()


# --- Generated teachers: a share enrolled, with history, set-based -------------------------


@seed_step
def seed_teacher_enrolments(ctx: SeedContext) -> None:
    """A deterministic share of the generated teachers in the mentor courses, each with some
    lessons done and some courses completed with an evaluation.

    Written with bulk inserts per chunk of teachers (ignore_conflicts on the unique
    constraints makes a re-run a no-op). This seeded history deliberately does not send
    `course_completed` per row: the credit ledger of these imaginary teachers is the
    certification app's own demo step to write, in bulk too.
    """
    courses = {
        course.code: course
        for course in CoursePage.objects.live().filter(code__in=list(BULK_SHARES))
    }
    if not courses:
        return
    lessons = {
        code: list(
            LessonPage.objects.child_of(course).live().order_by("path").values_list("pk", flat=True)
        )
        for code, course in courses.items()
    }
    # Lessons passed by an H5P quiz get a matching result row, as if the quiz had been played.
    packages = dict(
        LessonPackage.objects.filter(course__in=list(courses.values())).values_list(
            "lesson_id", "package_id"
        )
    )
    teachers = (
        User.objects.filter(is_active=True, school__isnull=False)
        .exclude(staff_no__in=DEMO_STAFF_NOS)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    written = 0
    chunk: list[int] = []
    for pk in teachers.iterator(chunk_size=BULK_CHUNK):
        chunk.append(pk)
        if len(chunk) >= BULK_CHUNK:
            written += _enrolments_chunk(chunk, courses, lessons, packages)
            chunk = []
    if chunk:
        written += _enrolments_chunk(chunk, courses, lessons, packages)
    if written:
        analyze(*LEARNING_MODELS)
    ctx.stats["course_enrolments_created"] = written


def _enrolments_chunk(user_ids: list[int], courses: dict, lessons: dict, packages: dict) -> int:
    now = timezone.now()
    enrollments, progress, evaluations, results = [], [], [], []
    with transaction.atomic():
        have = _enrolled(user_ids, list(courses.values()))
        for code, share in BULK_SHARES.items():
            course = courses.get(code)
            if course is None:
                continue
            lesson_ids = lessons[code]
            chosen = [pk for pk in user_ids if pk % 10 < share]
            for pk in chosen:
                if (pk, course.pk) in have:
                    continue
                # 0..n lessons done; a third of those with every lesson done have evaluated
                # and completed the course.
                done = (pk * 7 + len(code)) % (len(lesson_ids) + 1)
                completed = bool(lesson_ids) and done == len(lesson_ids) and pk % 3 != 0
                finished_at = now - datetime.timedelta(days=pk % 60)
                enrollment, done_lessons = _enrolment_rows(
                    pk,
                    course,
                    lesson_ids,
                    done=done,
                    completed=completed,
                    finished_at=finished_at,
                    first_seen_days=3,
                    seconds_spent=600 + pk % 1200,
                )
                enrollments.append(enrollment)
                progress.extend(done_lessons)
                for lesson_id in lesson_ids[:done]:
                    if lesson_id in packages:
                        results.append(
                            (
                                pk,
                                packages[lesson_id],
                                lesson_id,
                                1 + pk % 2,
                                Decimal(1),
                                Decimal(1),
                                Decimal(1),
                                Decimal(1),
                                True,
                                True,
                                finished_at,
                            )
                        )
                if completed:
                    evaluations.append(
                        (pk, course.pk, 4 + pk % 2, "内容实用，对开展导师工作有帮助。")
                    )
        _bulk_write(enrollments, progress, evaluations, results)
    return len(enrollments)


# --- A mentor cohort: the generated teachers who finished their stage's mentor training ----

# Teachers with id % 10 == MENTOR_COHORT_REMAINDER (outside every BULK_SHARES share) completed
# each mentor-training course their 学段 needs (the demo 导师资格 standard, DESIGN §6), so the
# school dashboards, coverage and the API have qualified mentors to show after `make run`.
MENTOR_COHORT_REMAINDER = 9
MENTOR_COURSES_BY_STAGE = {
    "primary": ["QP-XL-2026-01", "QP-JX-2026-01", "QP-WJ-2026-01"],
    "junior": ["QP-XL-2026-01", "QP-JX-2026-01", "QP-WJ-2026-01", "QP-QC-2026-01"],
    "senior": [
        "QP-XL-2026-01",
        "QP-JX-2026-01",
        "QP-WJ-2026-01",
        "QP-QC-2026-01",
        "QP-SY-2026-01",
    ],
}


@seed_step
def seed_mentor_cohort(ctx: SeedContext) -> None:
    """Completed enrolments, lesson progress, passed H5P results and evaluations of the mentor
    cohort, in bulk per chunk (ignore_conflicts: a re-run writes nothing). Like the history
    above, no `course_completed` per row: certification's demo step credits them in bulk."""
    codes = sorted({code for codes in MENTOR_COURSES_BY_STAGE.values() for code in codes})
    courses = {course.code: course for course in CoursePage.objects.live().filter(code__in=codes)}
    if not courses:
        return
    lessons = {
        code: list(
            LessonPage.objects.child_of(course).live().order_by("path").values_list("pk", flat=True)
        )
        for code, course in courses.items()
    }
    packages = dict(
        LessonPackage.objects.filter(course__in=list(courses.values())).values_list(
            "lesson_id", "package_id"
        )
    )
    teachers = (
        User.objects.filter(is_active=True, school__isnull=False)
        .exclude(staff_no__in=DEMO_STAFF_NOS)
        .order_by("pk")
        .values_list("pk", "stage")
    )
    now = timezone.now()
    written = 0
    chunk: list[tuple[int, str]] = []
    for pk, stage in teachers.iterator(chunk_size=BULK_CHUNK):
        if pk % 10 == MENTOR_COHORT_REMAINDER:
            chunk.append((pk, stage))
        if len(chunk) >= BULK_CHUNK:
            written += _cohort_chunk(chunk, courses, lessons, packages, now)
            chunk = []
    if chunk:
        written += _cohort_chunk(chunk, courses, lessons, packages, now)
    if written:
        analyze(*LEARNING_MODELS)
    ctx.stats["mentor_cohort_completions"] = written


def _cohort_chunk(members, courses, lessons, packages, now) -> int:
    have = _enrolled([pk for pk, _stage in members], list(courses.values()))
    enrollments, progress, evaluations, results = [], [], [], []
    for pk, stage in members:
        for position, code in enumerate(MENTOR_COURSES_BY_STAGE.get(stage or "primary", [])):
            course = courses.get(code)
            if course is None or (pk, course.pk) in have:
                continue
            # Spread over the last ten months, one course after another.
            finished_at = now - datetime.timedelta(days=30 + pk % 240 - position * 7)
            enrollments.append(
                (
                    pk,
                    course.pk,
                    EnrollmentSource.SELF,
                    EnrollmentStatus.COMPLETED,
                    100,
                    finished_at,
                )
            )
            for lesson_id in lessons[code]:
                progress.append(
                    (
                        pk,
                        lesson_id,
                        course.pk,
                        LessonStatus.COMPLETED,
                        finished_at - datetime.timedelta(days=5),
                        finished_at,
                        finished_at,
                        900 + pk % 900,
                    )
                )
                if lesson_id in packages:
                    score = Decimal("0.8") + Decimal(pk % 3) / 10
                    results.append(
                        (
                            pk,
                            packages[lesson_id],
                            lesson_id,
                            1 + pk % 2,
                            score,
                            score,
                            score,
                            Decimal(1),
                            True,
                            True,
                            finished_at,
                        )
                    )
            evaluations.append((pk, course.pk, 5, "对做好导师工作很有帮助。"))
    _bulk_write(enrollments, progress, evaluations, results)
    return len(enrollments)


# --- The generated catalogue of the larger scales -------------------------------------------

# District and city scales add `scale.generated_courses` courses composed from these parts
# (distinct titles, codes QP-GEN-0001…), three lessons each, and enrol every generated teacher
# in two of them with some progress, so the catalog, course pages and the ledger carry a
# district's volume. `small` generates none.
GENERATED_CODE = "QP-GEN-{:04d}"
GENERATED_LESSONS = 3
GENERATED_THEMES = (
    ("mental-health", "学生情绪识别与疏导"),
    ("home-school", "家访的准备与沟通技巧"),
    ("crisis", "校园心理危机的早期发现"),
    ("adolescence", "青春期异性交往的引导"),
    ("career", "学生生涯规划的个别指导"),
    ("mentor-ethics", "导师谈心谈话的伦理边界"),
    ("assessment", "作业设计与分层评价"),
    ("mental-health", "学习动机的激发与维持"),
    ("home-school", "隔代教养家庭的沟通策略"),
    ("adolescence", "网络使用与手机管理"),
    ("mental-health", "同伴冲突的调解"),
    ("assessment", "单元作业的整体设计"),
    ("career", "选科指导与学业规划"),
    ("mentor-ethics", "学生隐私保护与信息管理"),
    ("crisis", "欺凌事件的识别与处置"),
    ("home-school", "家长会的组织与个别约谈"),
)
GENERATED_FORMS = ("专题研修", "工作坊", "案例研讨", "微课程")
GENERATED_AUDIENCES = ("（小学）", "（初中）", "（高中）", "")
GENERATED_STAGES = (["primary"], ["junior"], ["senior"], [])
GENERATED_VARIANTS = (  # level, credit category, delivery, points, hours
    ("school", "practice", "live", "0.5", "6"),
    ("district", "knowledge", "online", "0.4", "4"),
    ("district", "practice", "blended", "1", "10"),
    ("city", "ethics", "online", "0.5", "5"),
    ("school", "self_study", "online", "0.3", "3"),
)
GENERATED_LESSON_PARTS = ("认识问题", "方法与工具", "实践与反思")


def generated_course_specs(count: int) -> list[dict]:
    """The first `count` generated courses; the first n are the same for any count >= n."""
    specs = []
    themes, forms = len(GENERATED_THEMES), len(GENERATED_FORMS)
    for n in range(count):
        topic, theme = GENERATED_THEMES[n % themes]
        form = GENERATED_FORMS[(n // themes) % forms]
        audience = (n // (themes * forms)) % len(GENERATED_AUDIENCES)
        level, category, delivery, points, hours = GENERATED_VARIANTS[n % len(GENERATED_VARIANTS)]
        title = f"{theme}{form}{GENERATED_AUDIENCES[audience]}"
        specs.append(
            {
                "code": GENERATED_CODE.format(n + 1),
                "title": title,
                "slug": f"gen-{n + 1:04d}",
                "topic": topic,
                "summary": f"面向导师的{form}：围绕“{theme}”，结合本区学校的真实情境，"
                "学习可操作的方法，并在实践中反思改进。",
                "stages": GENERATED_STAGES[audience],
                "level": level,
                "credit_category": category,
                "credit_points": points,
                "hours": hours,
                "delivery": delivery,
                "enrolment_mode": "open",
                "lessons": [
                    {
                        "title": f"第{number}课 {part}",
                        "minutes": 45,
                        "body": [
                            f"## {theme}：{part}",
                            f"本课围绕“{theme}”的{part}展开，结合导师日常工作中的情境，"
                            "说明要点、常见误区和可以马上使用的做法。",
                            "- 先观察、再判断，记录事实而不是印象",
                            "- 与班主任、心理教师和家长分工协作",
                            "> 提示：课后完成一次实践，并在研修群中分享反思。",
                        ],
                    }
                    for number, part in enumerate(GENERATED_LESSON_PARTS, start=1)
                ],
            }
        )
    return specs


@seed_step
def seed_generated_courses(ctx: SeedContext) -> None:
    """The generated courses of the scale (Wagtail pages, written one by one through publish:
    a few dozen whatever the number of teachers), then their enrolments in bulk."""
    count = getattr(ctx.scale, "generated_courses", 0)
    catalog = CourseIndexPage.objects.first()
    if not count or catalog is None:
        return
    specs = generated_course_specs(count)
    existing = set(
        CoursePage.objects.filter(code__in=[spec["code"] for spec in specs]).values_list(
            "code", flat=True
        )
    )
    topics = dict(TopicCategory.objects.values_list("slug", "pk"))
    created = 0
    for spec in specs:
        if spec["code"] in existing:
            continue
        with transaction.atomic():  # one course and its lessons, or nothing
            created += _course_create(catalog, spec, topics, {})
    ctx.stats["generated_course_pages_created"] = created
    courses = list(
        CoursePage.objects.live().filter(code__in=[spec["code"] for spec in specs]).order_by("code")
    )
    lessons = {
        course.pk: list(
            LessonPage.objects.child_of(course).live().order_by("path").values_list("pk", flat=True)
        )
        for course in courses
    }
    teachers = (
        User.objects.filter(is_active=True, school__isnull=False)
        .exclude(staff_no__in=DEMO_STAFF_NOS)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    written = 0
    chunk: list[int] = []
    for pk in teachers.iterator(chunk_size=BULK_CHUNK):
        chunk.append(pk)
        if len(chunk) >= BULK_CHUNK:
            written += _generated_enrolments_chunk(chunk, courses, lessons)
            chunk = []
    if chunk:
        written += _generated_enrolments_chunk(chunk, courses, lessons)
    if written:
        analyze(*LEARNING_MODELS)
    ctx.stats["generated_course_enrolments_created"] = written


def _generated_enrolments_chunk(user_ids: list[int], courses: list, lessons: dict) -> int:
    """Each teacher in two generated courses (picked by id), 0..all lessons done; half of
    those done with every lesson completed and evaluated. Teachers already enrolled in a
    course are skipped (one range query), so a re-run writes nothing."""
    now = timezone.now()
    have = _enrolled(user_ids, courses)
    enrollments, progress, evaluations = [], [], []
    for pk in user_ids:
        picks = {(pk * 3) % len(courses), (pk * 3 + 7) % len(courses)}
        for pick in sorted(picks):
            course = courses[pick]
            if (pk, course.pk) in have:
                continue
            lesson_ids = lessons[course.pk]
            done = (pk + pick) % (len(lesson_ids) + 1)
            completed = bool(lesson_ids) and done == len(lesson_ids) and pk % 2 == 0
            finished_at = now - datetime.timedelta(days=(pk + pick) % 300)
            enrollment, done_lessons = _enrolment_rows(
                pk,
                course,
                lesson_ids,
                done=done,
                completed=completed,
                finished_at=finished_at,
                first_seen_days=2,
                seconds_spent=300 + pk % 1500,
            )
            enrollments.append(enrollment)
            progress.extend(done_lessons)
            if completed:
                evaluations.append((pk, course.pk, 4 + pk % 2, ""))
    _bulk_write(enrollments, progress, evaluations, [])
    return len(enrollments)


from . import lecture_demo  # noqa: E402, F401  (the lecture steps run after the course steps)

# Rows for bulk_insert, as tuples in the order of these fields (no model instance per row).
ENROLLMENT_FIELDS = ["user_id", "course_id", "source", "status", "progress", "completed_at"]
PROGRESS_FIELDS = [
    "user_id",
    "lesson_id",
    "course_id",
    "status",
    "first_seen_at",
    "last_seen_at",
    "completed_at",
    "seconds_spent",
]
EVALUATION_FIELDS = ["user_id", "course_id", "rating", "comment"]
RESULT_FIELDS = [
    "user_id",
    "package_id",
    "lesson_id",
    "attempts",
    "last_scaled",
    "best_scaled",
    "last_raw",
    "max_raw",
    "success",
    "completed",
    "last_attempt_at",
]


def _enrolled(user_ids: list[int], courses: list) -> set[tuple[int, int]]:
    """(user id, course id) of the enrolments these teachers (sorted ids) already have in
    these courses. A range, not IN (...): thousands of parameters would pass SQLite's limit."""
    return set(
        Enrollment.objects.filter(
            course__in=courses, user_id__gte=user_ids[0], user_id__lte=user_ids[-1]
        ).values_list("user_id", "course_id")
    )


def _bulk_write(enrollments: list, progress: list, evaluations: list, results: list) -> None:
    """One chunk's rows, all or nothing; rows already there are skipped (a re-run is a
    no-op), as bulk_create(ignore_conflicts=True) did."""
    with transaction.atomic():
        for model, fields, rows in (
            (Enrollment, ENROLLMENT_FIELDS, enrollments),
            (LessonProgress, PROGRESS_FIELDS, progress),
            (CourseEvaluation, EVALUATION_FIELDS, evaluations),
            (H5PResult, RESULT_FIELDS, results),
        ):
            bulk_insert(model, rows, fields=fields)


def _enrolment_rows(
    pk: int,
    course,
    lesson_ids: list[int],
    *,
    done: int,
    completed: bool,
    finished_at: datetime.datetime,
    first_seen_days: int,
    seconds_spent: int,
) -> tuple[tuple, list[tuple]]:
    """A generated teacher's enrolment with its first `done` lessons completed (rows of
    ENROLLMENT_FIELDS and PROGRESS_FIELDS)."""
    enrollment = (
        pk,
        course.pk,
        EnrollmentSource.SELF,
        EnrollmentStatus.COMPLETED if completed else EnrollmentStatus.ACTIVE,
        int(done * 100 / len(lesson_ids)) if lesson_ids else 0,
        finished_at if completed else None,
    )
    progress = [
        (
            pk,
            lesson_id,
            course.pk,
            LessonStatus.COMPLETED,
            finished_at - datetime.timedelta(days=first_seen_days),
            finished_at,
            finished_at,
            seconds_spent,
        )
        for lesson_id in lesson_ids[:done]
    ]
    return enrollment, progress
