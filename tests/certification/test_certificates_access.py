"""Who may download a certificate's PDF (holder, own school's admin, HR, district admin; a 404
for everyone else, like an unknown serial), and 我的证书, the teacher's own list with a
constant number of queries."""

import datetime

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from certification.models import Certificate, CertificateKind
from certification.selectors.certificates import certificates_visible_to
from certification.services.certificate_pdf import certificate_render
from certification.services.certificates import verification_url
from people import roles
from tests.factories.certificates import CertificateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(teacher_a):
    issued = CertificateFactory(
        holder=teacher_a, kind=CertificateKind.COURSE, title="心理健康教育基础", hours=4
    )
    # Rendered once here, so each request below serves the stored file.
    return certificate_render(issued)


@pytest.fixture
def school_admin_b(make_user, school_b):
    return make_user(roles.SCHOOL_ADMIN, school_b, staff_no="SB01", full_name="赵管理")


def pdf_url(certificate) -> str:
    return reverse("certification:certificate_pdf", args=[certificate.serial])


@pytest.mark.parametrize("who", ["teacher_a", "school_admin_a", "hr_user", "district_admin"])
def test_allowed_users_get_the_pdf(client, certificate, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(pdf_url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{certificate.serial}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("who", ["teacher_b", "school_admin_b"])
def test_others_get_a_404(client, certificate, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(pdf_url(certificate)).status_code == 404


def test_an_unknown_serial_is_the_same_404(client, teacher_a, certificate):
    client.force_login(teacher_a)
    response = client.get(reverse("certification:certificate_pdf", args=["QP-2026-999999"]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_log_in(client, certificate):
    response = client.get(pdf_url(certificate))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_post_is_not_allowed(client, teacher_a, certificate):
    client.force_login(teacher_a)
    assert client.post(pdf_url(certificate)).status_code == 405


def test_visibility_rule(
    teacher_a, teacher_b, school_admin_a, school_admin_b, hr_user, district_admin, make_user
):
    own = CertificateFactory(holder=teacher_a)
    other = CertificateFactory(holder=teacher_b)
    lecturer = make_user(roles.LECTURER, None, staff_no="L900")

    def visible(user):
        return set(certificates_visible_to(user))

    assert visible(teacher_a) == {own}
    assert visible(school_admin_a) == {own}
    assert visible(school_admin_b) == {other}
    assert visible(hr_user) == visible(district_admin) == {own, other}
    assert visible(lecturer) == set()


def test_a_stale_pdf_is_rendered_on_download(client, teacher_a):
    certificate = CertificateFactory(holder=teacher_a, title="学生心理危机识别与上报")
    assert certificate.needs_render
    client.force_login(teacher_a)
    response = client.get(pdf_url(certificate))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    certificate.refresh_from_db()
    assert not certificate.needs_render


# --- 我的证书 -----------------------------------------------------------------------------------


def test_my_certificates_lists_only_mine(client, teacher_a, teacher_b):
    mine = CertificateFactory(holder=teacher_a, title="家校沟通与家庭教育指导")
    revoked = CertificateFactory(
        holder=teacher_a,
        kind=CertificateKind.QUALIFICATION,
        title="导师上岗资格",
        expires_on=datetime.date(2029, 3, 5),
        revoked_reason="师德考核不合格",
    )
    Certificate.objects.filter(pk=revoked.pk).update(revoked_at=datetime.datetime.now(datetime.UTC))
    theirs = CertificateFactory(holder=teacher_b, title="别人的证书")
    client.force_login(teacher_a)
    response = client.get(reverse("certification:my_certificates"))
    assert response.status_code == 200
    html = response.content.decode()
    assert mine.serial in html and "家校沟通与家庭教育指导" in html
    assert pdf_url(mine) in html and verification_url(mine) in html
    assert "师德考核不合格" in html and "cert-badge-revoked" in html
    assert "2029-03-05" in html
    assert theirs.serial not in html and "别人的证书" not in html


def test_my_certificates_empty_state(client, teacher_a):
    client.force_login(teacher_a)
    response = client.get(reverse("certification:my_certificates"))
    assert response.status_code == 200
    assert "empty-state" in response.content.decode()


def test_my_certificates_needs_a_login(client, db):
    assert client.get(reverse("certification:my_certificates")).status_code == 302


def test_the_me_page_links_to_my_certificates(client, teacher_a):
    client.force_login(teacher_a)
    response = client.get(reverse("courses:me"))
    assert reverse("certification:my_certificates") in response.content.decode()


@pytest.mark.parametrize("count", [1, 10])
def test_my_certificates_queries_do_not_grow(
    client, teacher_a, count, django_assert_max_num_queries
):
    for _n in range(count):
        CertificateFactory(holder=teacher_a)
    client.force_login(teacher_a)
    client.get(reverse("certification:my_certificates"))  # warm caches (site, session)
    with django_assert_max_num_queries(MY_CERTIFICATES_QUERIES):
        response = client.get(reverse("certification:my_certificates"))
    assert response.content.decode().count('class="cert-card"') == count


# Session, user, site and menu queries of base.html, plus one for the certificates.
MY_CERTIFICATES_QUERIES = 9
