"""Package files are served only to users who may play the package, with explicit content
types and nosniff; resume state is saved and restored per user and package with CSRF."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from courses.choices import CompletionCriterion, EnrollmentStatus, H5PStatus
from courses.models import H5PPackage, H5PUserData
from people import roles
from tests.courses.h5p_builder import QUIZ_LIBRARY, h5p_upload, quiz_package, real_export_like
from tests.factories.courses import enroll, h5p_block, make_course, make_lesson

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecturer(make_user):
    return make_user(roles.LECTURER, staff_no="JS01", full_name="讲师吴")


@pytest.fixture
def setup(lecturer, teacher_a):
    package = quiz_package(title="倾听测验", uploaded_by=lecturer)
    course = make_course(lessons=0)
    lesson = make_lesson(
        course, criterion=CompletionCriterion.H5P_PASSED, blocks=[h5p_block(package)]
    )
    enroll(teacher_a, course)
    return package, course, lesson


def file_url(package, path):
    return reverse("courses:h5p_file", args=[package.pk, path])


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "path, content_type",
    [
        ("h5p.json", "application/json"),
        ("content/content.json", "application/json"),
        (f"{QUIZ_LIBRARY}/quiz.js", "text/javascript; charset=utf-8"),
        (f"{QUIZ_LIBRARY}/quiz.css", "text/css; charset=utf-8"),
        (f"{QUIZ_LIBRARY}/library.json", "application/json"),
    ],
)
def test_enrolled_teacher_gets_files_with_type_and_nosniff(setup, teacher_a, path, content_type):
    package, _, _ = setup
    response = client_for(teacher_a).get(file_url(package, path))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    if path == "h5p.json":
        assert json.loads(body)["title"] == "倾听测验"


def test_file_view_query_count_is_constant(setup, teacher_a, django_assert_max_num_queries):
    package, _, _ = setup
    client = client_for(teacher_a)
    with django_assert_max_num_queries(4):
        assert client.get(file_url(package, "h5p.json")).status_code == 200
    for _ in range(5):  # more courses and packages do not add queries
        extra = quiz_package(title=f"其他{_}")
        other = make_course(lessons=0)
        make_lesson(other, blocks=[h5p_block(extra)])
        enroll(teacher_a, other)
    with django_assert_max_num_queries(4):
        assert client.get(file_url(package, "h5p.json")).status_code == 200


def test_not_enrolled_teacher_gets_404(setup, teacher_b):
    package, _, _ = setup
    assert client_for(teacher_b).get(file_url(package, "h5p.json")).status_code == 404


def test_pending_or_withdrawn_enrolment_gets_404(setup, make_user, school_a):
    package, course, _ = setup
    pending = make_user(roles.TEACHER, school_a, staff_no="TP01")
    enroll(pending, course, status=EnrollmentStatus.PENDING)
    withdrawn = make_user(roles.TEACHER, school_a, staff_no="TW01")
    enroll(withdrawn, course, status=EnrollmentStatus.WITHDRAWN)
    for user in (pending, withdrawn):
        assert client_for(user).get(file_url(package, "h5p.json")).status_code == 404


def test_anonymous_gets_404(setup):
    package, _, _ = setup
    response = Client().get(file_url(package, "content/content.json"))
    assert response.status_code == 404


def test_package_not_used_by_any_lesson_is_404_for_teachers(teacher_a, lecturer):
    package = quiz_package(title="未使用")
    assert client_for(teacher_a).get(file_url(package, "h5p.json")).status_code == 404
    assert client_for(lecturer).get(file_url(package, "h5p.json")).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "../../../settings.py",
        "content/../../h5p.json",
        "content/../h5p.json",
        "./h5p.json",
        "content//content.json",
        "content\\content.json",
        ".DS_Store",
        "missing.json",
        "content",
        f"{QUIZ_LIBRARY}",
    ],
)
def test_traversal_and_missing_paths_are_404(setup, teacher_a, path):
    package, _, _ = setup
    url = f"/h5p/{package.pk}/files/{path}"
    assert client_for(teacher_a).get(url).status_code == 404


def test_encoded_traversal_is_404(setup, teacher_a):
    package, _, _ = setup
    client = client_for(teacher_a)
    for path in ("%2e%2e/%2e%2e/cms/settings/base.py", "..%2f..%2fmanage.py"):
        assert client.get(f"/h5p/{package.pk}/files/{path}").status_code == 404


def test_staff_get_files(setup, lecturer, district_admin, make_user):
    package, _, _ = setup
    reviewer = make_user(roles.REVIEWER, staff_no="RV01")
    for user in (lecturer, district_admin, reviewer):
        assert client_for(user).get(file_url(package, "h5p.json")).status_code == 200


def test_invalid_or_pending_package_is_404_even_for_staff(lecturer):
    from courses.services.h5p import h5p_package_upload

    pending = h5p_package_upload(
        file=h5p_upload(real_export_like(title="待处理")), title="待处理", uploaded_by=lecturer
    )
    assert pending.status == H5PStatus.PENDING
    assert client_for(lecturer).get(file_url(pending, "h5p.json")).status_code == 404


def test_non_get_is_refused(setup, teacher_a):
    package, _, _ = setup
    response = client_for(teacher_a).post(file_url(package, "h5p.json"))
    assert response.status_code == 405


def test_svg_gets_a_restrictive_policy(lecturer):
    package = quiz_package(
        title="带图标", extra_files={f"{QUIZ_LIBRARY}/icon.svg": "<svg xmlns='x'/>"}
    )
    response = client_for(lecturer).get(file_url(package, f"{QUIZ_LIBRARY}/icon.svg"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "default-src 'none'" in response["Content-Security-Policy"]


# --- resume state (H5P contentUserData)


def state_url(package, data_type="state", sub="0"):
    return reverse("courses:h5p_user_data", args=[package.pk, data_type, sub])


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_token(client) -> str:
    from django.middleware.csrf import _get_new_csrf_string

    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    return token


def test_state_save_and_restore(setup, teacher_a, teacher_b):
    package, course, _ = setup
    client = csrf_client(teacher_a)
    response = client.get(state_url(package))
    assert response.json() == {"success": True, "data": False}

    state = json.dumps({"selected": 0, "submitted": True})
    token = csrf_token(client)
    response = client.post(
        state_url(package), {"data": state, "preload": "1"}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200 and response.json() == {"success": True}
    # Twice is harmless: still one row.
    client.post(state_url(package), {"data": state}, HTTP_X_CSRFTOKEN=token)
    assert H5PUserData.objects.filter(user=teacher_a, package=package).count() == 1

    assert client.get(state_url(package)).json() == {"success": True, "data": state}
    # Another teacher (enrolled too) does not see it.
    enroll(teacher_b, course)
    assert csrf_client(teacher_b).get(state_url(package)).json()["data"] is False

    # data=0 is H5P core's "delete".
    client.post(state_url(package), {"data": "0"}, HTTP_X_CSRFTOKEN=token)
    assert not H5PUserData.objects.filter(user=teacher_a).exists()


def test_state_post_without_csrf_is_refused(setup, teacher_a):
    package, _, _ = setup
    client = csrf_client(teacher_a)
    response = client.post(state_url(package), {"data": '{"selected": 1}'})
    assert response.status_code == 403
    assert not H5PUserData.objects.exists()


def test_state_needs_a_playable_package(setup, teacher_b):
    package, _, _ = setup
    client = csrf_client(teacher_b)
    assert client.get(state_url(package)).status_code == 404
    token = csrf_token(client)
    response = client.post(state_url(package), {"data": "{}"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 404
    assert not H5PUserData.objects.exists()
    assert Client().get(state_url(package)).status_code == 401


def test_state_bad_input_is_400_not_500(setup, teacher_a):
    package, _, _ = setup
    client = csrf_client(teacher_a)
    token = csrf_token(client)
    assert client.post(state_url(package), {}, HTTP_X_CSRFTOKEN=token).status_code == 400
    big = "x" * (70 * 1024)
    assert client.post(state_url(package), {"data": big}, HTTP_X_CSRFTOKEN=token).status_code == 400
    assert client.get(state_url(package, "bad type!", "0")).status_code == 404
    assert H5PPackage.objects.count() == 1 and not H5PUserData.objects.exists()
