"""证书 in the admin: the list is scoped by role and school and filters by kind, status,
school and year; detail pages of certificates one may not see are 404; only district admins
revoke (with a required reason, CSRF-protected), HR and school admins get 403 on the revoke
URL; constant queries whatever the page holds."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certification.models import Certificate, CertificateKind
from certification.services.certificates import certificate_revoke
from people import roles
from tests.factories.certificates import CertificateFactory

pytestmark = pytest.mark.django_db

INDEX = "/admin/certificates/"


def detail_url(certificate):
    return reverse("certification_certificates:detail", args=[certificate.pk])


def revoke_url(certificate):
    return reverse("certification_certificates:revoke", args=[certificate.pk])


def listed(response) -> set[str]:
    return {row["certificate"].serial for row in response.context["rows"]}


@pytest.fixture
def cert_a(teacher_a):
    return CertificateFactory(holder=teacher_a, title="心理健康教育基础", hours="4.0")


@pytest.fixture
def cert_b(teacher_b):
    return CertificateFactory(
        holder=teacher_b,
        kind=CertificateKind.QUALIFICATION,
        title="导师上岗资格",
        issued_on=datetime.date(2025, 3, 1),
        expires_on=datetime.date(2028, 3, 1),
    )


def test_urls():
    assert reverse("certification_certificates:index") == INDEX


def test_school_admin_sees_only_own_school(client, school_admin_a, cert_a, cert_b):
    client.force_login(school_admin_a)
    response = client.get(INDEX)
    assert response.status_code == 200
    assert listed(response) == {cert_a.serial}
    assert client.get(detail_url(cert_a)).status_code == 200
    assert client.get(detail_url(cert_b)).status_code == 404


def test_hr_and_district_admin_see_all(client, hr_user, district_admin, cert_a, cert_b):
    for user in hr_user, district_admin:
        client.force_login(user)
        response = client.get(INDEX)
        assert listed(response) == {cert_a.serial, cert_b.serial}
        assert client.get(detail_url(cert_b)).status_code == 200


def test_teacher_and_anonymous_are_refused(client, teacher_a, cert_a):
    assert client.get(INDEX).status_code == 302  # to the login
    client.force_login(teacher_a)
    for url in INDEX, detail_url(cert_a), revoke_url(cert_a):
        assert client.get(url).status_code in (302, 403)
    assert client.post(revoke_url(cert_a), {"reason": "x"}).status_code in (302, 403)
    cert_a.refresh_from_db()
    assert cert_a.revoked_at is None


def test_filters(client, district_admin, school_a, cert_a, cert_b, teacher_a):
    expired = CertificateFactory(
        holder=teacher_a,
        kind=CertificateKind.QUALIFICATION,
        issued_on=datetime.date(2022, 1, 1),
        expires_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    revoked = CertificateFactory(holder=teacher_a)
    certificate_revoke(certificate=revoked, reason="误发", revoked_by=district_admin)
    client.force_login(district_admin)

    def serials(**params):
        response = client.get(INDEX, params)
        assert response.status_code == 200
        return listed(response)

    assert serials(kind="qualification") == {cert_b.serial, expired.serial}
    assert serials(validity="valid") == {cert_a.serial, cert_b.serial}
    assert serials(validity="expired") == {expired.serial}
    assert serials(validity="revoked") == {revoked.serial}
    assert serials(school=school_a.pk) == {cert_a.serial, expired.serial, revoked.serial}
    assert serials(year=2025) == {cert_b.serial}
    assert serials(year=2022, kind="course") == set()


def test_search_by_serial_name_and_staff_number(client, district_admin, cert_a, cert_b):
    client.force_login(district_admin)
    for term in (cert_a.serial, cert_a.serial.lower(), "张老师", "张", "TA01"):
        assert listed(client.get(INDEX, {"q": term})) == {cert_a.serial}, term
    assert listed(client.get(INDEX, {"q": "没有这个人"})) == set()


def test_bad_filter_input_is_not_an_error(client, district_admin, cert_a):
    client.force_login(district_admin)
    for params in ({"year": "abc"}, {"school": "999999"}, {"kind": "x"}, {"p": "zz"}):
        assert client.get(INDEX, params).status_code == 200


def test_school_admin_cannot_filter_on_another_school(client, school_admin_a, school_b, cert_b):
    client.force_login(school_admin_a)
    response = client.get(INDEX, {"school": school_b.pk})
    assert response.status_code == 200
    assert cert_b.serial not in listed(response)


def test_detail_shows_everything_and_links(client, district_admin, cert_a):
    client.force_login(district_admin)
    response = client.get(detail_url(cert_a))
    content = response.content.decode()
    for shown in (cert_a.serial, "张老师", "TA01", "心理健康教育基础", cert_a.code):
        assert shown in content
    assert f"/verify/{cert_a.code}/" in content
    assert revoke_url(cert_a) in content
    assert reverse("certification:certificate_pdf", args=[cert_a.serial]) in content


def test_hr_cannot_revoke(client, hr_user, cert_a):
    client.force_login(hr_user)
    assert revoke_url(cert_a) not in client.get(detail_url(cert_a)).content.decode()
    assert client.get(revoke_url(cert_a)).status_code == 403
    assert client.post(revoke_url(cert_a), {"reason": "人事撤销"}).status_code == 403
    cert_a.refresh_from_db()
    assert cert_a.revoked_at is None and cert_a.revoked_reason == ""


def test_school_admin_cannot_revoke(client, school_admin_a, cert_a):
    client.force_login(school_admin_a)
    assert client.get(revoke_url(cert_a)).status_code == 403
    assert client.post(revoke_url(cert_a), {"reason": "学校撤销"}).status_code == 403
    cert_a.refresh_from_db()
    assert cert_a.revoked_at is None


def test_district_admin_revokes_with_reason(client, district_admin, cert_a):
    client.force_login(district_admin)
    response = client.get(revoke_url(cert_a))
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.content.decode()
    response = client.post(revoke_url(cert_a), {"reason": "  培训记录系误录  "})
    assert response.status_code == 302
    assert response["Location"] == detail_url(cert_a)
    cert_a.refresh_from_db()
    assert cert_a.revoked_at is not None
    assert cert_a.revoked_reason == "培训记录系误录"
    assert cert_a.revoked_by == district_admin
    # The public page says so, with the date and the reason.
    public = Client().get(reverse("certification:verify", args=[cert_a.code]))
    content = public.content.decode()
    assert 'data-validity="revoked"' in content
    assert "培训记录系误录" in content
    assert timezone.localdate().strftime("%Y-%m-%d") in content
    # Revoked ones are a filter of the list; a second revoke changes nothing.
    assert listed(client.get(INDEX, {"validity": "revoked"})) == {cert_a.serial}
    first = cert_a.revoked_at
    client.post(revoke_url(cert_a), {"reason": "再次"})
    cert_a.refresh_from_db()
    assert cert_a.revoked_at == first and cert_a.revoked_reason == "培训记录系误录"


def test_empty_reason_is_a_form_error(client, district_admin, cert_a):
    client.force_login(district_admin)
    for reason in ("", "   "):
        response = client.post(revoke_url(cert_a), {"reason": reason})
        assert response.status_code == 200
        assert response.context["form"].errors["reason"]
    cert_a.refresh_from_db()
    assert cert_a.revoked_at is None


def test_revoke_needs_csrf(district_admin, cert_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(district_admin)
    assert client.post(revoke_url(cert_a), {"reason": "无令牌"}).status_code == 403
    cert_a.refresh_from_db()
    assert cert_a.revoked_at is None


def test_revoke_of_an_invisible_or_unknown_certificate_is_404(client, district_admin):
    client.force_login(district_admin)
    assert client.get("/admin/certificates/999999/revoke/").status_code == 404


def test_menu_item(client, hr_user, make_user, school_a):
    client.force_login(hr_user)
    assert INDEX in client.get("/admin/").content.decode()
    lecturer = make_user(roles.LECTURER, school_a)
    client.force_login(lecturer)
    assert INDEX not in client.get("/admin/").content.decode()
    assert client.get(INDEX).status_code == 403


def test_pagination_50_per_page(client, district_admin, teacher_a):
    for _ in range(51):
        CertificateFactory(holder=teacher_a)
    client.force_login(district_admin)
    assert len(client.get(INDEX).context["rows"]) == 50
    assert len(client.get(INDEX, {"p": 2}).context["rows"]) == 1


@pytest.mark.parametrize("user_fixture", ["district_admin", "school_admin_a"])
def test_list_queries_do_not_grow(
    request, client, make_user, school_a, user_fixture, django_assert_max_num_queries
):
    user = request.getfixturevalue(user_fixture)
    client.force_login(user)
    teachers = [make_user(roles.TEACHER, school_a) for _ in range(3)]
    for teacher in teachers:
        CertificateFactory(holder=teacher)
    client.get(INDEX)  # warm caches
    # Session and user, role groups, permissions, count, page, school choices, menu.
    with django_assert_max_num_queries(14):
        assert len(client.get(INDEX).context["rows"]) == 3
    for index in range(47):
        CertificateFactory(holder=teachers[index % 3])
    with django_assert_max_num_queries(14):
        assert len(client.get(INDEX).context["rows"]) == 50


def test_detail_queries(client, district_admin, cert_a, django_assert_max_num_queries):
    client.force_login(district_admin)
    client.get(detail_url(cert_a))
    with django_assert_max_num_queries(12):
        assert client.get(detail_url(cert_a)).status_code == 200


def test_certificates_are_never_deleted_here(client, district_admin, cert_a):
    client.force_login(district_admin)
    assert client.post(detail_url(cert_a)).status_code == 405
    assert Certificate.objects.filter(pk=cert_a.pk).exists()
