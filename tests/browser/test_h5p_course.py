"""End to end: a lecturer uploads our own H5P quiz in the Wagtail admin; a teacher on a phone
enrols, answers it in the lesson, evaluates the course, and the completion exists once."""

import pytest

from tests.courses.h5p_builder import build_h5p

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "Qingpu@2026"


@pytest.fixture
def people(make_user, school_a):
    from people import roles

    lecturer = make_user(roles.LECTURER, staff_no="L9001", full_name="周讲师")
    teacher = make_user(roles.TEACHER, school_a, staff_no="T9001", full_name="林老师")
    for user in (lecturer, teacher):
        user.set_password(PASSWORD)
        user.save()
    return lecturer, teacher


def login(page, base, staff_no, next_url):
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.get_by_label("工号").fill(staff_no)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}{next_url}")


def test_lecturer_uploads_quiz_and_teacher_completes_course_on_a_phone(
    live_server, browser, phone, people, tmp_path
):
    from django.core.cache import cache

    from courses.choices import CompletionCriterion, EnrollmentStatus
    from courses.models import (
        Enrollment,
        H5PPackage,
        H5PResult,
        LessonPage,
        LessonProgress,
        XAPIStatement,
    )
    from tests.factories.courses import h5p_block, make_course, make_lesson

    cache.clear()
    lecturer, teacher = people
    base = live_server.url

    # 1. The lecturer uploads the .h5p file in the admin.
    h5p_file = tmp_path / "倾听测验.h5p"
    h5p_file.write_bytes(build_h5p())
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    admin = desk.new_page()
    admin.set_default_timeout(15_000)
    login(admin, base, lecturer.staff_no, "/admin/")
    admin.goto(f"{base}/admin/snippets/courses/h5ppackage/add/")
    admin.locator("#id_title").fill("倾听测验")
    admin.locator("input[type=file][name=file]").set_input_files(str(h5p_file))
    admin.locator("#w-editor-form button[type=submit]").first.click()
    # Wait until the redirect and the listing are served: the live server shares the in-memory
    # SQLite database, and a request still running would lock the tables this test writes next.
    admin.wait_for_load_state("networkidle")
    package = H5PPackage.objects.get()
    assert package.status == "valid", package.errors
    assert package.uploaded_by == lecturer
    desk.close()

    # 2. A course whose only lesson is that quiz, passed at 80 %.
    course = make_course(lessons=0, title="倾听的艺术", hours=2)
    lesson = make_lesson(
        course,
        title="倾听小测验",
        criterion=CompletionCriterion.H5P_PASSED,
        min_score=80,
        blocks=[h5p_block(package)],
    )

    # 3. The teacher enrols on a phone and opens the lesson.
    login(phone, base, teacher.staff_no, course.url)
    phone.get_by_role("button", name="报名").click()
    phone.wait_for_load_state("networkidle")
    assert Enrollment.objects.get(user=teacher, course=course).status == EnrollmentStatus.ACTIVE
    phone.goto(base + lesson.url)

    # 4. Answer the quiz inside the H5P iframe: a wrong answer first, then the right one.
    quiz = phone.frame_locator("iframe.h5p-iframe")
    quiz.get_by_text("立即批评学生的错误").click()
    quiz.get_by_role("button", name="提交").click()
    quiz.get_by_text("回答错误").wait_for()
    # A locator wait, not wait_for_function: the page's CSP forbids evaluating strings.
    phone.locator("[data-h5p-status]:not(:empty)").wait_for()
    assert not LessonProgress.objects.filter(user=teacher, status="completed").exists()
    quiz.get_by_text("认真倾听，理解学生的感受").click()
    quiz.get_by_role("button", name="提交").click()
    phone.get_by_text("本课时已完成").wait_for()

    progress = LessonProgress.objects.get(user=teacher, lesson=lesson)
    assert progress.status == "completed"
    result = H5PResult.objects.get(user=teacher, lesson=lesson)
    assert result.attempts == 2 and float(result.best_scaled) == 1.0
    assert XAPIStatement.objects.filter(user=teacher, counted=True).count() == 2
    assert no_horizontal_overflow(phone)

    # 5. Not complete until the evaluation; then complete exactly once.
    enrollment = Enrollment.objects.get(user=teacher, course=course)
    assert enrollment.status == EnrollmentStatus.ACTIVE and enrollment.completed_at is None
    phone.goto(base + course.url)
    phone.locator("input[name=rating][value='5']").check(force=True)
    phone.locator("textarea[name=comment]").fill("测验题目贴近实际，很有帮助。")
    phone.locator("form[action*=evaluate] button[type=submit]").click()
    phone.wait_for_load_state("networkidle")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED and enrollment.completed_at
    assert Enrollment.objects.filter(user=teacher, status="completed").count() == 1
    assert LessonPage.objects.child_of(course).count() == 1


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")
