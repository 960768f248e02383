"""courses demo content: topics, catalog and courses from courses.json, the quiz built from
our own H5P library, the demo teacher's learning, bulk history; idempotent; pages render."""

import pytest
from django.test import Client

from courses import demo, lecture_demo
from courses.choices import CompletionCriterion, EnrollmentStatus, H5PStatus
from courses.models import (
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
from people.demo import SCALES, run_seed
from people.models import User

pytestmark = pytest.mark.django_db


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            TopicCategory,
            CoursePage,
            LessonPage,
            Enrollment,
            LessonProgress,
            CourseEvaluation,
            H5PPackage,
            H5PResult,
        )
    }


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    run_seed(SCALES["small"])
    return counts()


def test_lesson_text_becomes_blocks():
    blocks = demo.lesson_blocks(
        ["## 标题", "段落<b>", "- 甲", "- 乙", "> 提示：要点", "> 注意：底线", "结尾"]
    )
    assert [b["type"] for b in blocks] == [
        "heading",
        "paragraph",
        "paragraph",
        "callout",
        "callout",
        "paragraph",
    ]
    assert blocks[1]["value"] == "<p>段落&lt;b&gt;</p>"
    assert blocks[2]["value"] == "<ul><li>甲</li><li>乙</li></ul>"
    assert blocks[3]["value"]["kind"] == "tip" and blocks[3]["value"]["title"] == "提示"
    assert blocks[4]["value"]["kind"] == "warning"


def test_quiz_package_bytes_are_stable():
    first = demo.quiz_package_bytes()
    assert first is not None and first == demo.quiz_package_bytes()


def test_seed_builds_the_catalog_and_a_second_run_changes_nothing(seeded):
    # +1: the lecture demo's replay course (courses/lecture_demo.py).
    assert seeded["CoursePage"] == len(demo.course_content()["courses"]) + 1
    assert seeded["Enrollment"] > 5 and seeded["LessonProgress"] > 0
    assert seeded["CourseEvaluation"] > 0
    assert seeded["H5PResult"] > 0  # seeded passes of the crisis quiz
    check_topics_catalog_and_mentor_courses()
    check_crisis_course_ends_in_a_playable_quiz()
    check_demo_teacher_learning()
    run_seed(SCALES["small"])
    assert counts() == seeded


def check_topics_catalog_and_mentor_courses():
    assert set(
        TopicCategory.objects.filter(is_mentor_topic=True).values_list("name", flat=True)
    ) >= {
        "心理健康教育",
        "家校沟通与家庭教育",
        "心理危机识别与干预",
        "青春期教育",
        "生涯指导",
        "师德与导师工作",
    }
    assert TopicCategory.objects.filter(is_mentor_topic=False).exists()
    catalog = CourseIndexPage.objects.get()
    assert catalog.title == "课程中心" and catalog.live and catalog.show_in_menus
    basics = CoursePage.objects.get(title="心理健康教育基础")
    assert basics.hours == 4 and basics.lecturers.filter(user__staff_no="lecturer").exists()
    assert CoursePage.objects.get(title="家校沟通与家庭教育指导").hours == 4
    assert CoursePage.objects.get(title="高中生涯指导实务").stages == ["senior"]
    assert sorted(CoursePage.objects.get(code="QP-QC-2026-01").stages) == ["junior", "senior"]
    for course in CoursePage.objects.exclude(code=lecture_demo.REPLAY_COURSE_CODE):
        assert 2 <= LessonPage.objects.child_of(course).live().count() <= 4
    assert {c.delivery for c in CoursePage.objects.all()} == {"online", "live", "blended"}
    assert {c.enrolment_mode for c in CoursePage.objects.all()} == {"open", "approval", "assigned"}
    assert {c.level for c in CoursePage.objects.all()} == {"city", "district", "school"}


def check_crisis_course_ends_in_a_playable_quiz():
    crisis = CoursePage.objects.get(title="学生心理危机识别与上报")
    assert crisis.hours == 2
    last = LessonPage.objects.child_of(crisis).order_by("path").last()
    assert last.completion_criterion == CompletionCriterion.H5P_PASSED and last.min_score == 80
    package = H5PPackage.objects.get(title=demo.QUIZ_TITLE)
    assert package.status == H5PStatus.VALID and package.is_playable
    assert last.h5p_package_ids() == [package.pk]
    assert LessonPackage.objects.filter(lesson=last, package=package).exists()


def check_demo_teacher_learning():
    teacher = User.objects.get(staff_no="teacher")
    statuses = dict(Enrollment.objects.filter(user=teacher).values_list("course__code", "status"))
    assert statuses["QP-XL-2026-01"] == EnrollmentStatus.COMPLETED
    assert statuses["QP-JX-2026-01"] == EnrollmentStatus.ACTIVE
    assert statuses["QP-JF-2026-02"] == EnrollmentStatus.PENDING
    assigned = Enrollment.objects.get(user=teacher, course__code="QP-DS-2026-01")
    assert assigned.due_on and assigned.source == "assigned"


def test_catalog_course_lesson_me_home_and_report_render(seeded):
    client = Client()
    client.force_login(User.objects.get(staff_no="teacher"))
    catalog = CourseIndexPage.objects.get()
    assert client.get(catalog.url).status_code == 200
    course = CoursePage.objects.get(code="QP-JX-2026-01")
    assert client.get(course.url).status_code == 200
    lesson = LessonPage.objects.child_of(course).order_by("path").first()
    assert client.get(lesson.url).status_code == 200
    html = client.get("/me/").content.decode()
    assert "家校沟通与家庭教育指导" in html and "心理健康教育基础" in html
    home = client.get("/").content.decode()
    assert 'id="home-courses-title"' in home and "教考一致：作业设计与评价" in home

    client = Client()
    client.force_login(User.objects.get(staff_no="lecturer"))
    response = client.get("/admin/course-reports/")
    assert response.status_code == 200
    assert response.context["summaries"]
    course = CoursePage.objects.get(code="QP-XL-2026-01")
    response = client.get(f"/admin/course-reports/{course.pk}/")
    assert response.status_code == 200 and response.context["rows"]
