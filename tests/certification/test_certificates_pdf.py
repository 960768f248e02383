"""Certificate PDFs: an embedded Noto CJK font, the holder's Chinese name, the title and the
serial in the text, a QR that decodes to exactly the verification URL; stored as
certificates/<year>/<serial>.pdf, re-rendered only when the content changed, the replaced file
deleted on commit; no Chinese font → CJKFontMissing, no file, and a 503 from the download."""

import datetime
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from certification.certificate_tasks import render_certificate
from certification.models import Certificate
from certification.pdf import CJKFontMissing
from certification.services.certificate_pdf import certificate_render
from certification.services.certificates import (
    course_certificate_issue,
    qualification_certificate_issue,
    verification_url,
)
from certification.services.qualification import qualification_recompute
from people import roles
from tests.factories.certification import award
from tests.factories.courses import make_course
from tests.factories.qualification import course_credit, course_req, only_standard

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def embedded_fonts(path: str) -> list[str]:
    """Names of the fonts pdffonts reports as embedded (emb = yes)."""
    lines = run("pdffonts", path).splitlines()[2:]
    return [line.split()[0] for line in lines if line.split()[-5] == "yes"]


def decoded_qr(path: str, tmp_path: Path) -> str:
    run("pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", path, str(tmp_path / "page"))
    [image] = sorted(tmp_path.glob("page*.png"))
    return run("zbarimg", "-q", "--raw", str(image)).strip()


@pytest.fixture
def course_certificate(make_user, school_a):
    holder = make_user(roles.TEACHER, school_a, staff_no="T500", full_name="欧阳晓燕")
    course = make_course(lessons=0, title="家校沟通与家庭教育指导", hours=4, credit_points=1)
    return course_certificate_issue(
        user=holder, course=course, completed_on=datetime.date(2026, 4, 8)
    ).certificate


def test_course_certificate_pdf_text_font_and_qr(course_certificate, tmp_path):
    certificate = certificate_render(course_certificate)
    year = timezone.localdate().year
    # <serial>.pdf; the storage suffixes the name when an earlier test left that file behind.
    assert re.fullmatch(
        rf"certificates/{year}/{certificate.serial}(_\w+)?\.pdf", certificate.pdf.name
    )
    assert (certificate.rendered_version, certificate.needs_render) == (1, False)
    assert certificate.rendered_at is not None
    path = certificate.pdf.path
    assert Path(path).read_bytes().startswith(b"%PDF")
    assert any("CJK" in name and "Noto" in name for name in embedded_fonts(path))
    text = run("pdftotext", path, "-")
    for expected in ("欧阳晓燕", "家校沟通与家庭教育指导", certificate.serial, "青浦区实验小学"):
        assert expected in text
    assert decoded_qr(path, tmp_path) == verification_url(certificate)
    assert verification_url(certificate) == (
        settings.WAGTAILADMIN_BASE_URL.rstrip("/") + f"/verify/{certificate.code}/"
    )


def test_rendering_twice_renders_once_and_force_replaces_the_file(
    course_certificate, django_capture_on_commit_callbacks
):
    first = certificate_render(course_certificate)
    again = certificate_render(first)
    assert (again.pdf.name, again.rendered_at) == (first.pdf.name, first.rendered_at)
    with django_capture_on_commit_callbacks(execute=True):
        forced = certificate_render(first, force=True)
    assert forced.pdf.name != first.pdf.name
    assert Path(forced.pdf.path).exists()
    # The replaced file is deleted once the new one is committed.
    assert not Path(first.pdf.path).exists()
    assert Certificate.objects.get().pdf.name == forced.pdf.name


def test_a_renewed_qualification_certificate_is_rendered_again(make_user, school_a):
    teacher = make_user(roles.TEACHER, school_a, staff_no="T501", full_name="陈思远")
    course = make_course(lessons=0)
    only_standard(requirements=[course_req(course)], name="导师上岗资格", renewal_hours=8)
    award(teacher, **course_credit(course, awarded_on=datetime.date(2026, 3, 5)))
    qualification_recompute(today=datetime.date(2026, 6, 1))
    status = teacher.qualification_statuses.get()
    certificate = qualification_certificate_issue(status=status).certificate
    render_certificate.delay(certificate.pk)
    certificate.refresh_from_db()
    text = run("pdftotext", certificate.pdf.path, "-")
    assert "导师上岗资格" in text and "陈思远" in text and "2029年3月5日" in text
    status.expires_on = datetime.date(2032, 3, 5)  # renewed: same qualified_on
    renewed = qualification_certificate_issue(status=status).certificate
    assert renewed.needs_render
    for _run in range(2):  # the task is safe to run twice
        render_certificate.delay(certificate.pk)
    renewed.refresh_from_db()
    assert (renewed.serial, renewed.rendered_version) == (certificate.serial, 2)
    text = run("pdftotext", renewed.pdf.path, "-")
    assert "2032年3月5日" in text and certificate.serial in text


@pytest.fixture
def no_cjk_font(monkeypatch):
    # _installed_cjk_family is functools.cache'd: replace the function the module calls.
    monkeypatch.setattr("certification.pdf._installed_cjk_family", lambda: None)


def test_without_a_cjk_font_nothing_is_written(course_certificate, no_cjk_font):
    before = set(Path(settings.MEDIA_ROOT).rglob("*.pdf"))
    with pytest.raises(CJKFontMissing, match="fonts-noto-cjk"):
        certificate_render(course_certificate)
    assert set(Path(settings.MEDIA_ROOT).rglob("*.pdf")) == before
    course_certificate.refresh_from_db()
    assert not course_certificate.pdf and course_certificate.rendered_version == 0
    # The task logs it rather than failing the transaction that queued it.
    assert render_certificate.delay(course_certificate.pk).get() == "font-missing"


def test_without_a_cjk_font_the_download_answers_503(course_certificate, no_cjk_font, client):
    client.force_login(course_certificate.holder)
    response = client.get(
        reverse("certification:certificate_pdf", args=[course_certificate.serial])
    )
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "fonts-noto-cjk" in response.content.decode()
    with pytest.raises(CJKFontMissing) as raised:
        certificate_render(course_certificate)
    assert str(raised.value) in response.content.decode()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_renders_the_certificate_a_completion_issued(
    celery_worker_process, make_user, school_a
):
    import time

    from django.db import transaction

    from courses.models import CoursePage
    from courses.signals import course_completed

    holder = make_user(roles.TEACHER, school_a, staff_no="W500", full_name="司马相如")
    course = make_course(lessons=0, title="青春期教育")
    with transaction.atomic():  # the render is queued when this commits
        course_completed.send(
            sender=CoursePage,
            user=holder,
            course=course,
            enrollment=None,
            completed_at=timezone.now(),
        )
    deadline = time.monotonic() + 90
    certificate = Certificate.objects.get(holder=holder)
    while certificate.needs_render and time.monotonic() < deadline:
        time.sleep(0.3)
        certificate.refresh_from_db()
    assert not certificate.needs_render, celery_worker_process["log"].read_text()[-3000:]
    text = run("pdftotext", certificate.pdf.path, "-")
    assert "司马相如" in text and "青春期教育" in text and certificate.serial in text
    assert "certification.certificate_render" in celery_worker_process["log"].read_text()
