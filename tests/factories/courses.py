"""Helpers that build a course catalog, courses and lessons under the home page."""

import itertools

from courses.choices import CompletionCriterion, EnrollmentStatus
from courses.models import CourseIndexPage, CoursePage, Enrollment, LessonPage, TopicCategory

from .cms import body, home_page, paragraph, publish_child

_codes = itertools.count(1)


def course_index() -> CourseIndexPage:
    index = CourseIndexPage.objects.first()
    if index is None:
        index = publish_child(
            home_page(),
            CourseIndexPage(title="课程中心", slug="courses", intro="全员导师制研修课程"),
        )
    return index


def topic(name="心理健康", slug="mental-health", **fields) -> TopicCategory:
    category, _ = TopicCategory.objects.get_or_create(slug=slug, defaults={"name": name, **fields})
    return category


def make_course(
    lessons=2, *, title=None, criterion=CompletionCriterion.VIEWED, **fields
) -> CoursePage:
    number = next(_codes)
    fields.setdefault("code", f"QP-T-{number:04d}")
    fields.setdefault("summary", "课程简介")
    fields.setdefault("hours", 4)
    fields.setdefault("credit_points", 0.5)
    course = publish_child(
        course_index(),
        CoursePage(title=title or f"测试课程{number}", slug=f"course-{number}", **fields),
    )
    for position in range(1, lessons + 1):
        make_lesson(course, title=f"第{position}课", criterion=criterion)
    return course


def make_lesson(
    course, *, title="课时", criterion=CompletionCriterion.VIEWED, blocks=None, **fields
):
    number = next(_codes)
    return publish_child(
        course,
        LessonPage(
            title=title,
            slug=f"lesson-{number}",
            completion_criterion=criterion,
            body=body(*(blocks or [paragraph("<p>课时内容</p>")])),
            **fields,
        ),
    )


def h5p_block(package, title=""):
    return {"type": "h5p", "value": {"package": package.pk, "title": title}}


def enroll(user, course, status=EnrollmentStatus.ACTIVE, **fields) -> Enrollment:
    return Enrollment.objects.create(user=user, course=course, status=status, **fields)
