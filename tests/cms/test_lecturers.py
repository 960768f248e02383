"""讲师团: profiles, the list and detail routes, the home section, admin permissions."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people import roles
from people.models import LecturerProfile
from tests.factories.cms import make_lecturer_index

pytestmark = pytest.mark.django_db


def make_profile(name, **fields):
    tags = fields.pop("tags", ["家校沟通"])
    profile = LecturerProfile.objects.create(full_name=name, **fields)
    profile.expertise.set(tags)
    profile.save()
    return profile


def test_list_shows_active_profiles_in_order_with_initials(client):
    index = make_lecturer_index()
    make_profile("沈慧敏", title="高级教师", unit="区教师进修学院", sort_order=2)
    make_profile("陆建华", title="正高级教师", unit="某实验中学", sort_order=1, tags=["家访"])
    make_profile("停用者", is_active=False)

    html = client.get(index.url).content.decode()
    assert html.index("陆建华") < html.index("沈慧敏")
    assert "停用者" not in html
    assert "正高级教师" in html and "某实验中学" in html
    assert '<span class="tag">家访</span>' in html
    assert '<span class="avatar avatar-initials" aria-hidden="true">建华</span>' in html


def test_detail_shows_bio_and_an_honest_empty_work_section(client):
    index = make_lecturer_index()
    profile = make_profile("沈慧敏", bio="<p>长期从事心理健康教育。</p>")
    response = client.get(f"{index.url}{profile.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "长期从事心理健康教育。" in html
    assert 'class="empty-state"' in html
    # Breadcrumbs: home › 讲师团 › the lecturer.
    assert f'<a href="{index.url}">讲师团</a>' in html
    assert '<span aria-current="page">沈慧敏</span>' in html


def test_detail_is_404_for_inactive_or_missing(client):
    index = make_lecturer_index()
    hidden = make_profile("停用者", is_active=False)
    assert client.get(f"{index.url}{hidden.pk}/").status_code == 404
    assert client.get(f"{index.url}99999/").status_code == 404


def test_bio_and_names_are_escaped(client):
    index = make_lecturer_index()
    make_profile("<script>x</script>", unit="<b>单位</b>")
    html = client.get(index.url).content.decode()
    assert "<script>x</script>" not in html
    assert "&lt;b&gt;单位&lt;/b&gt;" in html


def test_list_query_count_does_not_grow(client):
    index = make_lecturer_index()
    make_profile("甲一")
    client.get(index.url)
    with CaptureQueriesContext(connection) as one:
        client.get(index.url)
    for number in range(8):
        make_profile(f"讲师{number}", tags=[f"标签{number}", "共同"])
    with CaptureQueriesContext(connection) as nine:
        client.get(index.url)
    assert len(one) == len(nine)


def test_home_section_lists_lecturers_with_link_and_empty_state(client):
    html = client.get("/").content.decode()
    assert "讲师团" in html or "Lecturer group" in html
    index = make_lecturer_index()
    profile = make_profile("沈慧敏")
    html = client.get("/").content.decode()
    assert f'href="{index.url}{profile.pk}/"' in html


def test_district_admin_and_lecturer_may_edit_profiles():
    for role in (roles.DISTRICT_ADMIN, roles.LECTURER):
        codenames = set(
            Group.objects.get(name=role)
            .permissions.filter(
                content_type__app_label="people", codename__endswith="lecturerprofile"
            )
            .values_list("codename", flat=True)
        )
        assert {"add_lecturerprofile", "change_lecturerprofile"} <= codenames
    assert (
        not Group.objects.get(name=roles.TEACHER)
        .permissions.filter(codename__endswith="lecturerprofile")
        .exists()
    )


def test_lecturer_can_open_the_snippet_admin(client, make_user):
    lecturer = make_user(roles.LECTURER, staff_no="L001", full_name="讲师甲")
    make_profile("沈慧敏")
    client.force_login(lecturer)
    response = client.get("/admin/snippets/people/lecturerprofile/")
    assert response.status_code == 200
    assert "沈慧敏" in response.content.decode()
    teacher = make_user(roles.TEACHER, staff_no="T001", full_name="教师乙")
    client.force_login(teacher)
    assert client.get("/admin/snippets/people/lecturerprofile/").status_code in (302, 403)
