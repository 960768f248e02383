"""学时证明 (issue 8 item 3): the transcript of a teacher's credit in one cycle — totals, the
category × level matrix and met / not met as the ledger says — issued once per ledger state
as a verifiable certificate, its PDF with an embedded CJK font, and who may open whose
transcript, by any URL."""

import datetime
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _

from certification.models import Certificate, CertificateKind
from certification.selectors.transcripts import cycles_for_transcripts, transcript_for
from certification.services.transcripts import decimal_text, transcript_issue
from cms.choices import CreditCategory, Level
from people import roles
from tests.factories.certification import award, default_cycle, make_cycle, requirement
from tests.factories.certification import reverse as reverse_entry

pytestmark = pytest.mark.django_db

ME_URL = "/me/transcript/"
ADMIN_URL = "/admin/transcripts/"
CONTRACT_KEYS = {
    "cycle",
    "rows",
    "total_points",
    "total_hours",
    "min_total_points",
    "met",
    "entries",
    "ledger_head",
}
EXTRA_KEYS = {
    "head_entry_id",
    "cycle_name",
    "cycle_starts_on",
    "cycle_ends_on",
    "matrix",
    "entries_rows",
}
ROW_KEYS = {"label", "have_points", "need_points", "have_hours", "met"}


@pytest.fixture(autouse=True)
def _remove_rendered_pdfs(db):
    """Serials restart with each test's rolled-back database, so a PDF left in the shared
    test media would make the next test's certificates/2026/QP-2026-000001.pdf get a suffix."""
    yield
    for certificate in Certificate.objects.exclude(pdf=""):
        certificate.pdf.storage.delete(certificate.pdf.name)


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _ledger(teacher, admin):
    """8 学分 ethics × city, 3 practice × school, and a 5-point practice entry reversed."""
    award(
        teacher,
        points="8",
        hours="20",
        category=CreditCategory.ETHICS,
        level=Level.CITY,
        title="师德专题培训",
        awarded_on=datetime.date(2026, 3, 1),
    )
    award(
        teacher,
        points="3",
        hours="6",
        category=CreditCategory.PRACTICE,
        level=Level.SCHOOL,
        title="校本研修",
        awarded_on=datetime.date(2026, 4, 1),
    )
    wrong = award(
        teacher,
        points="5",
        hours="10",
        category=CreditCategory.PRACTICE,
        level=Level.DISTRICT,
        title="误录的培训",
        awarded_on=datetime.date(2026, 5, 1),
    )
    reverse_entry(wrong, by=admin, reason="重复录入")


# --- The transcript and its certificate ---------------------------------------------------


def test_totals_matrix_and_requirements_match_the_ledger(teacher_a, district_admin):
    _ledger(teacher_a, district_admin)
    award(teacher_a, points="99", awarded_on=datetime.date(2019, 1, 1), title="周期外")
    transcript = transcript_for(teacher_a, default_cycle())
    record = transcript.record
    assert record.total_points == Decimal("11")  # 8 + 3 + 5 − 5
    assert record.total_hours == Decimal("26")
    assert [e.title for e in transcript.entries] == [
        "师德专题培训",
        "校本研修",
        "误录的培训",
        "误录的培训",
    ]
    cells = {label: (row, total) for label, row, total in record.matrix}
    levels = list(Level)
    ethics, ethics_total = cells[str(CreditCategory.ETHICS.label)]
    assert ethics[levels.index(Level.CITY)] == 8 and ethics_total == 8
    practice, practice_total = cells[str(CreditCategory.PRACTICE.label)]
    assert practice[levels.index(Level.SCHOOL)] == 3
    assert practice[levels.index(Level.DISTRICT)] == 0  # the reversal nets to zero
    assert practice_total == 3

    details = transcript_issue(user=teacher_a, cycle=default_cycle()).certificate.details
    rows = {row["label"]: row for row in details["rows"]}
    assert rows[_("Total")] == {
        "label": _("Total"),
        "have_points": "11.0",
        "need_points": "36.0",
        "have_hours": "26.0",
        "met": False,
    }
    assert rows[str(CreditCategory.ETHICS.label)]["met"] is True  # 8 ≥ 8
    assert rows[str(CreditCategory.ETHICS.label)]["have_hours"] == "20.0"
    assert rows[str(CreditCategory.PRACTICE.label)]["met"] is False  # 3 < 14
    assert details["met"] is False
    assert details["total_points"] == "11.0" and details["total_hours"] == "26.0"
    matrix = {row["label"]: row for row in details["matrix"]["rows"]}
    assert matrix[str(CreditCategory.ETHICS.label)]["cells"][levels.index(Level.CITY)] == "8.0"
    reversal = details["entries_rows"][-1]
    assert reversal["points"] == "-5.0" and reversal["reversal"] is True
    assert reversal["reason"] == "重复录入"
    assert details["entries_rows"][-2]["reversed"] is True


def test_details_schema_is_the_contract(teacher_a, district_admin):
    _ledger(teacher_a, district_admin)
    cycle = default_cycle()
    certificate = transcript_issue(user=teacher_a, cycle=cycle).certificate
    details = certificate.details
    assert set(details) == CONTRACT_KEYS | EXTRA_KEYS
    assert details["cycle"] == str(cycle) == "十五五（2026–2030）"
    assert details["rows"] and all(set(row) == ROW_KEYS for row in details["rows"])
    assert all(isinstance(row["met"], bool) for row in details["rows"])
    for row in details["rows"]:
        for key in ("have_points", "need_points", "have_hours"):
            assert re.fullmatch(r"-?\d+\.\d{1,2}", row[key]), row
    assert details["min_total_points"] == "36.0"
    assert details["entries"] == 4 and isinstance(details["entries"], int)
    latest = teacher_a.credit_entries.order_by("-id").first()
    assert details["ledger_head"] == latest.hash and details["head_entry_id"] == latest.pk
    assert certificate.kind == CertificateKind.TRANSCRIPT
    assert certificate.subject_key == f"cycle:{cycle.pk}:{latest.hash}"
    assert certificate.cycle == cycle
    assert certificate.points == Decimal("11.0") and certificate.hours == Decimal("26.0")
    assert cycle.name in certificate.title
    assert certificate.holder_name == "张老师" and certificate.school_name == "青浦区实验小学"


def test_all_met_in_a_small_cycle(teacher_a):
    cycle = make_cycle(name="十六五", min_total_points=Decimal("3"))
    requirement(cycle, category=CreditCategory.KNOWLEDGE, level=Level.CITY, min_points="2")
    award(
        teacher_a,
        points="2.25",
        category=CreditCategory.KNOWLEDGE,
        level=Level.CITY,
        awarded_on=datetime.date(2031, 3, 1),
    )
    award(teacher_a, points="1", awarded_on=datetime.date(2031, 4, 1))
    certificate = transcript_issue(user=teacher_a, cycle=cycle).certificate
    assert certificate.details["met"] is True
    assert [row["have_points"] for row in certificate.details["rows"]] == ["3.25", "2.25"]
    assert certificate.points == Decimal("3.3")  # the column keeps one decimal


def test_issuing_twice_with_an_unchanged_ledger_is_one_certificate(teacher_a):
    award(teacher_a, points="2")
    first = transcript_issue(user=teacher_a, cycle=default_cycle())
    again = transcript_issue(user=teacher_a, cycle=default_cycle())
    assert first.created is True and again.created is False
    assert again.certificate.pk == first.certificate.pk
    assert Certificate.objects.filter(kind=CertificateKind.TRANSCRIPT).count() == 1


def test_a_new_entry_makes_a_new_transcript(teacher_a, district_admin):
    entry = award(teacher_a, points="2", title="第一次培训")
    first = transcript_issue(user=teacher_a, cycle=default_cycle()).certificate
    award(teacher_a, points="3", title="第二次培训")
    second = transcript_issue(user=teacher_a, cycle=default_cycle()).certificate
    assert second.pk != first.pk and second.serial != first.serial
    assert first.details["entries"] == 1 and second.details["entries"] == 2
    assert second.details["total_points"] == "5.0"
    # A reversal is a new entry too; the old transcripts keep their own snapshot.
    reverse_entry(entry, by=district_admin)
    third = transcript_issue(user=teacher_a, cycle=default_cycle()).certificate
    assert third.pk not in {first.pk, second.pk}
    assert third.details["total_points"] == "3.0"
    first.refresh_from_db()
    assert first.details["total_points"] == "2.0"
    assert [row["reversed"] for row in first.details["entries_rows"]] == [False]


def test_an_entry_in_another_cycle_also_makes_a_new_transcript(teacher_a):
    award(teacher_a, points="2")
    first = transcript_issue(user=teacher_a, cycle=default_cycle()).certificate
    award(teacher_a, points="1", awarded_on=datetime.date(2019, 1, 1))
    second = transcript_issue(user=teacher_a, cycle=default_cycle()).certificate
    assert second.pk != first.pk
    assert second.details["entries_rows"] == first.details["entries_rows"]


def test_rows_are_bounded_by_the_head_entry(teacher_a):
    first = award(teacher_a, points="2")
    award(teacher_a, points="3")
    bounded = transcript_for(teacher_a, default_cycle(), up_to_entry_id=first.pk)
    assert [e.pk for e in bounded.entries] == [first.pk]
    assert bounded.record.total_points == 2


def test_decimal_text():
    assert decimal_text(Decimal("12.50")) == "12.5"
    assert decimal_text(Decimal("10")) == "10.0"
    assert decimal_text(Decimal("0.25")) == "0.25"
    assert decimal_text(Decimal("-0.00")) == "0.0"
    assert decimal_text(Decimal("-5")) == "-5.0"


# --- The PDF ------------------------------------------------------------------------------


def _pdf_tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} (poppler-utils) is needed for the PDF tests"
    return path


def test_pdf_has_the_holder_cycle_and_entries_in_an_embedded_cjk_font(
    teacher_a, district_admin, tmp_path
):
    from certification.services.certificate_pdf import certificate_render

    _ledger(teacher_a, district_admin)
    certificate = transcript_issue(user=teacher_a, cycle=default_cycle()).certificate
    certificate = certificate_render(certificate)
    path = tmp_path / "transcript.pdf"
    with certificate.pdf.open("rb") as pdf:
        path.write_bytes(pdf.read())
    text = subprocess.run(
        [_pdf_tool("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    squeezed = re.sub(r"\s+", "", text)
    assert "张老师" in squeezed
    assert "十五五" in squeezed
    assert "师德专题培训" in squeezed and "校本研修" in squeezed
    assert "-5.0" in squeezed  # the reversal, negative
    assert certificate.serial in squeezed
    fonts = subprocess.run(
        [_pdf_tool("pdffonts"), str(path)], capture_output=True, text=True, check=True
    ).stdout
    cjk = [line for line in fonts.splitlines() if re.search(r"Noto-?(Serif|Sans)-?CJK", line)]
    assert cjk, fonts
    # pdffonts columns: name type encoding emb sub uni object ID
    assert all(line.split()[-5] == "yes" for line in cjk), fonts


# --- The teacher's page -------------------------------------------------------------------


def test_url_names():
    assert reverse("certification:my_transcript") == ME_URL
    assert reverse("certification_transcripts:index") == ADMIN_URL
    assert reverse("certification_transcripts:detail", args=[7]) == f"{ADMIN_URL}7/"


def test_anonymous_is_sent_to_login(client, teacher_a):
    for url in (ME_URL, ADMIN_URL, f"{ADMIN_URL}{teacher_a.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    response = client.post(ME_URL, {"cycle": default_cycle().pk})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Certificate.objects.exists()


def test_teacher_sees_own_transcript_only(teacher_a, teacher_b, district_admin):
    _ledger(teacher_a, district_admin)
    award(teacher_b, points="7", title="别人的培训")
    response = client_for(teacher_a).get(ME_URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "师德专题培训" in content and "别人的培训" not in content
    assert "重复录入" in content
    assert _("Requirements not met") in content
    assert response.context["cycle"] == default_cycle()
    assert response.context["record"].total_points == 11
    assert 'name="csrfmiddlewaretoken"' in content
    assert _("Generate a verifiable PDF") in content


def test_empty_state_has_no_pdf_button(teacher_a):
    response = client_for(teacher_a).get(ME_URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert _("No credit recorded in this cycle yet.") in content
    assert _("Generate a verifiable PDF") not in content
    response = client_for(teacher_a).post(ME_URL, {"cycle": default_cycle().pk})
    assert response.status_code == 302 and response["Location"].startswith(ME_URL)
    assert not Certificate.objects.exists()


def test_cycle_selector(teacher_a):
    later = make_cycle(name="十六五")
    award(teacher_a, points="2", title="十六五的培训", awarded_on=datetime.date(2031, 3, 1))
    award(teacher_a, points="1", title="十五五的培训")
    client = client_for(teacher_a)
    response = client.get(ME_URL, {"cycle": later.pk})
    content = response.content.decode()
    assert "十六五的培训" in content and "十五五的培训" not in content
    for bad in ("abc", "999999", "-1", "1 OR 1=1"):
        response = client.get(ME_URL, {"cycle": bad})
        assert response.status_code == 200, bad
        assert _("There is no such credit cycle; choose one from the list.") in (
            response.content.decode()
        )
        assert response.context["cycle"] == default_cycle()
    response = client.post(ME_URL, {"cycle": "999999"})
    assert response.status_code == 302 and not Certificate.objects.exists()


def test_post_issues_once_and_redirects_to_the_pdf(teacher_a):
    award(teacher_a, points="2")
    client = client_for(teacher_a)
    response = client.post(ME_URL, {"cycle": default_cycle().pk})
    certificate = Certificate.objects.get(kind=CertificateKind.TRANSCRIPT)
    assert certificate.holder == teacher_a
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "certification:certificate_pdf", args=[certificate.serial]
    )
    again = client.post(ME_URL, {"cycle": default_cycle().pk})
    assert again["Location"] == response["Location"]
    assert Certificate.objects.count() == 1


def test_post_ignores_any_other_user_named_in_the_request(teacher_a, teacher_b):
    award(teacher_a, points="2")
    award(teacher_b, points="2")
    client_for(teacher_a).post(
        ME_URL, {"cycle": default_cycle().pk, "user": teacher_b.pk, "user_id": teacher_b.pk}
    )
    assert list(Certificate.objects.values_list("holder", flat=True)) == [teacher_a.pk]


def test_post_needs_csrf(teacher_a, school_admin_a):
    award(teacher_a, points="2")
    response = client_for(teacher_a, enforce_csrf_checks=True).post(
        ME_URL, {"cycle": default_cycle().pk}
    )
    assert response.status_code == 403
    response = client_for(school_admin_a, enforce_csrf_checks=True).post(
        f"{ADMIN_URL}{teacher_a.pk}/", {"cycle": default_cycle().pk}
    )
    assert response.status_code == 403
    assert not Certificate.objects.exists()


def test_me_pages_link_here(teacher_a):
    client = client_for(teacher_a)
    for url in (reverse("courses:me"), reverse("certification:my_credits")):
        response = client.get(url)
        assert response.status_code == 200
        assert f'href="{ME_URL}"' in response.content.decode(), url


# --- The admin pages ----------------------------------------------------------------------


def test_school_admin_finds_and_opens_own_school_only(school_admin_a, teacher_a, teacher_b):
    award(teacher_a, points="2", title="甲校培训")
    award(teacher_b, points="2", title="乙校培训")
    client = client_for(school_admin_a)
    found = client.get(ADMIN_URL, {"q": "老师"}).context["teachers"]
    assert [t.staff_no for t in found] == ["TA01"]
    assert client.get(ADMIN_URL, {"q": "TB01"}).context["teachers"] == []
    response = client.get(f"{ADMIN_URL}{teacher_a.pk}/")
    assert response.status_code == 200 and "甲校培训" in response.content.decode()
    assert client.get(f"{ADMIN_URL}{teacher_b.pk}/").status_code == 404
    assert (
        client.post(f"{ADMIN_URL}{teacher_b.pk}/", {"cycle": default_cycle().pk}).status_code == 404
    )
    assert client.get(f"{ADMIN_URL}999999/").status_code == 404
    assert not Certificate.objects.exists()


@pytest.mark.parametrize("who", ["hr_user", "district_admin"])
def test_hr_and_district_admin_open_anyone_and_issue(request, who, teacher_a, teacher_b):
    user = request.getfixturevalue(who)
    award(teacher_b, points="2", title="乙校培训")
    client = client_for(user)
    found = client.get(ADMIN_URL, {"q": "老师"}).context["teachers"]
    assert {t.staff_no for t in found} == {"TA01", "TB01"}
    response = client.get(f"{ADMIN_URL}{teacher_b.pk}/")
    assert response.status_code == 200 and "乙校培训" in response.content.decode()
    response = client.post(f"{ADMIN_URL}{teacher_b.pk}/", {"cycle": default_cycle().pk})
    certificate = Certificate.objects.get()
    assert certificate.holder == teacher_b
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "certification:certificate_pdf", args=[certificate.serial]
    )


def test_teachers_and_lecturers_cannot_open_admin_transcripts(make_user, school_a, teacher_a):
    award(teacher_a, points="2", title="甲校培训")
    other = make_user(roles.TEACHER, school_a, staff_no="TA02")
    lecturer = make_user(roles.LECTURER, school_a, staff_no="LA01")
    for user in (other, teacher_a):
        # No admin access at all: Wagtail sends them to the admin login, never the page.
        response = client_for(user).get(f"{ADMIN_URL}{teacher_a.pk}/")
        assert response.status_code == 302 and "login" in response["Location"]
        response = client_for(user).post(f"{ADMIN_URL}{teacher_a.pk}/", {"cycle": 1})
        assert response.status_code == 302 and "login" in response["Location"]
    client = client_for(lecturer)
    assert client.get(ADMIN_URL).status_code == 403
    assert client.get(f"{ADMIN_URL}{teacher_a.pk}/").status_code == 403
    assert client.post(f"{ADMIN_URL}{teacher_a.pk}/", {"cycle": 1}).status_code == 403
    assert not Certificate.objects.exists()


def _main_menu_names(user) -> set[str]:
    from django.test import RequestFactory
    from wagtail.admin.menu import admin_menu

    request = RequestFactory().get("/admin/")
    request.user = user
    return {item.name for item in admin_menu.menu_items_for_request(request)}


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (roles.SCHOOL_ADMIN, True),
        (roles.HR, True),
        (roles.DISTRICT_ADMIN, True),
        (roles.LECTURER, False),
        (roles.REVIEWER, False),
    ],
)
def test_menu_item(db, make_user, school_a, role, shown):
    user = make_user(role, school_a)
    assert ("transcripts" in _main_menu_names(user)) is shown


# --- Constant queries -----------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_teacher_page_queries_do_not_grow(
    teacher_a, district_admin, count, django_assert_max_num_queries
):
    entries = [award(teacher_a, level=[Level.CITY, Level.SCHOOL][i % 2]) for i in range(count)]
    reverse_entry(entries[0], by=district_admin)
    make_cycle(name="十六五")
    client = client_for(teacher_a)
    client.get(ME_URL)
    # Measured 12 at both sizes: session, user, cycles, their requirements, the ledger head,
    # the cycle's entries, plus the site header's own (permissions ×2, unread notifications,
    # site, school, settings).
    with django_assert_max_num_queries(12):
        response = client.get(ME_URL)
    assert len(response.context["record"].entries) == count + 1


@pytest.mark.parametrize("count", [3, 30])
def test_admin_page_queries_do_not_grow(
    make_user,
    school_a,
    teacher_a,
    school_admin_a,
    district_admin,
    count,
    django_assert_max_num_queries,
):
    entries = [award(teacher_a, level=[Level.CITY, Level.SCHOOL][i % 2]) for i in range(count)]
    reverse_entry(entries[0], by=district_admin)
    client = client_for(school_admin_a)
    url = f"{ADMIN_URL}{teacher_a.pk}/"
    client.get(url)
    # Measured 15 at both sizes: the page's 5 (holder with school, cycles, requirements, head,
    # entries) and the admin's own (session, user, groups, permissions, menu, site…).
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert len(response.context["record"].entries) == count + 1
    for i in range(count):
        make_user(roles.TEACHER, school_a, staff_no=f"TQ{i:02d}", full_name=f"测试老师{i}")
    # Measured 11 at both sizes: the search (with schools joined) and the admin's own.
    with django_assert_max_num_queries(11):
        response = client.get(ADMIN_URL, {"q": "老师"})
    assert len(response.context["teachers"]) == count + 1


def test_cycles_for_transcripts_prefetches_requirements(django_assert_num_queries):
    with django_assert_num_queries(2):
        cycles = cycles_for_transcripts()
        [list(cycle.requirements.all()) for cycle in cycles]


def test_the_transcript_pdf_by_url(make_user, school_b, teacher_a, teacher_b, hr_user):
    """End to end: the teacher's button gives their PDF; another teacher and another school's
    admin get a 404 for the same URL, HR gets the file."""
    award(teacher_a, points="2", title="师德专题培训")
    response = client_for(teacher_a).post(ME_URL, {"cycle": default_cycle().pk}, follow=True)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    pdf_url = response.redirect_chain[-1][0]
    admin_b = make_user(roles.SCHOOL_ADMIN, school_b, staff_no="SB01")
    for outsider in (teacher_b, admin_b):
        assert client_for(outsider).get(pdf_url).status_code == 404
    response = client_for(hr_user).get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_the_verification_page_shows_the_transcript_figures(client, teacher_a, district_admin):
    _ledger(teacher_a, district_admin)
    certificate = transcript_issue(user=teacher_a, cycle=default_cycle()).certificate
    response = client.get(reverse("certification:verify", args=[certificate.code]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "十五五（2026–2030）" in content
    assert "11.0 / 36.0" in content and "26.0" in content
    # The snapshot's entries (titles, correction reasons) are for the PDF, not the public page.
    assert "师德专题培训" not in content and "重复录入" not in content
