"""The H5P package snippet admin: who may upload, the upload goes through the service
(dedupe), the list shows status, and errors are shown on the edit and inspect views."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from courses.choices import H5PStatus
from courses.h5p.errors import error_message
from courses.models import H5PPackage
from people import roles
from tests.courses.h5p_builder import build_h5p, h5p_upload, quiz_package
from tests.people.admin_helpers import login

pytestmark = pytest.mark.django_db

INDEX = "wagtailsnippets_courses_h5ppackage:list"
ADD = "wagtailsnippets_courses_h5ppackage:add"
EDIT = "wagtailsnippets_courses_h5ppackage:edit"
INSPECT = "wagtailsnippets_courses_h5ppackage:inspect"


@pytest.fixture
def lecturer(make_user):
    return make_user(roles.LECTURER, staff_no="JS01", full_name="讲师吴")


def upload(client, data, title="倾听测验", name="quiz.h5p"):
    return client.post(reverse(ADD), {"title": title, "file": h5p_upload(data, name=name)})


def test_add_form_has_only_title_and_file(lecturer):
    response = login(lecturer).get(reverse(ADD))
    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"title", "file"}


def test_lecturer_upload_goes_through_the_service(lecturer, django_capture_on_commit_callbacks):
    client = login(lecturer)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, build_h5p(title="倾听测验"))
    package = H5PPackage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(EDIT, args=[package.pk])
    package.refresh_from_db()
    assert package.status == H5PStatus.VALID
    assert package.uploaded_by == lecturer
    assert package.title == "倾听测验"


def test_reupload_of_the_same_file_redirects_to_the_existing_package(lecturer):
    existing = quiz_package(title="已上传")
    client = login(lecturer)
    response = upload(client, build_h5p(title="已上传"), title="又一次")
    assert response.status_code == 302
    assert response["Location"] == reverse(EDIT, args=[existing.pk])
    assert H5PPackage.objects.count() == 1
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("已上传" in text for text in texts)


def test_non_h5p_file_name_is_refused_in_the_form(lecturer):
    response = upload(login(lecturer), build_h5p(), name="quiz.zip")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not H5PPackage.objects.exists()


def test_district_admin_and_superuser_may_add(district_admin, make_user):
    superuser = make_user(None, staff_no="SU01", is_superuser=True, is_staff=True)
    for user in (district_admin, superuser):
        assert login(user).get(reverse(ADD)).status_code == 200


@pytest.mark.parametrize("role", [roles.TEACHER, roles.REVIEWER, roles.SCHOOL_ADMIN, roles.HR])
def test_other_roles_may_not_add(make_user, school_a, role):
    user = make_user(role, school_a, staff_no="X001")
    client = login(user)
    response = client.get(reverse(ADD))
    assert response.status_code in (302, 403)
    response = upload(client, build_h5p())
    assert response.status_code in (302, 403)
    assert not H5PPackage.objects.exists()


def test_list_shows_packages_with_constant_queries(lecturer, django_assert_max_num_queries):
    quiz_package(title="包一", uploaded_by=lecturer)
    client = login(lecturer)
    client.get(reverse(INDEX))  # warm caches (site, permissions)
    with django_assert_max_num_queries(40) as first:
        response = client.get(reverse(INDEX))
    assert response.status_code == 200
    for number in range(2, 8):
        quiz_package(title=f"包{number}", uploaded_by=lecturer)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(reverse(INDEX))
    html = response.content.decode()
    assert "包7" in html and "H5P.QingpuQuiz-1.1" in html


def test_errors_are_shown_on_edit_and_inspect(lecturer):
    from courses.services.h5p import h5p_package_upload
    from courses.tasks import h5p_package_process

    package = h5p_package_upload(
        file=h5p_upload(build_h5p(h5p_json_overrides={"language": "中文"})),
        title="坏包",
        uploaded_by=lecturer,
    )
    h5p_package_process(package.pk)
    package.refresh_from_db()
    assert package.status == H5PStatus.INVALID
    client = login(lecturer)
    shown = error_message(package.errors[0])  # in the active language (zh-hans)
    for name in (EDIT, INSPECT):
        response = client.get(reverse(name, args=[package.pk]))
        assert response.status_code == 200
        assert shown in response.content.decode()
    edit = client.get(reverse(EDIT, args=[package.pk]))
    assert set(edit.context["form"].fields) == {"title"}


def test_deleting_a_package_removes_its_files(district_admin, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    package = quiz_package(title="待删除")
    upload_name, folder = package.file.name, package.extracted_path
    assert default_storage.exists(f"{folder}/h5p.json")
    client = login(district_admin)
    delete_url = reverse("wagtailsnippets_courses_h5ppackage:delete", args=[package.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url)
    assert response.status_code == 302
    assert not H5PPackage.objects.exists()
    assert not default_storage.exists(upload_name)
    assert not default_storage.exists(f"{folder}/h5p.json")
