"""End to end: a lecturer shows the rotating check-in code on the projector page; one teacher
scans the QR (logs in and lands back on the check-in), another types the code on the lecture
page and gives feedback; each attendance exists once and is credited by the series' rule."""

from datetime import timedelta

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "Qingpu@2026"


@pytest.fixture
def people(make_user, school_a):
    from people import roles
    from people.models import LecturerProfile

    lecturer = make_user(roles.LECTURER, staff_no="L9101", full_name="周讲师")
    LecturerProfile.objects.create(user=lecturer, full_name="周讲师")
    scanner = make_user(roles.TEACHER, school_a, staff_no="T9101", full_name="林老师")
    typist = make_user(roles.TEACHER, school_a, staff_no="T9102", full_name="赵老师")
    for user in (lecturer, scanner, typist):
        user.set_password(PASSWORD)
        user.save()
    return lecturer, scanner, typist


def login(page, base, staff_no):
    page.get_by_label("工号").fill(staff_no)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_projector_code_checks_teachers_in_once_each(live_server, browser, people):
    from django.core.cache import cache

    from courses.models import Attendance
    from tests.factories.lectures import lecture_series, make_lecture

    cache.clear()
    lecturer, scanner, typist = people
    lecture = make_lecture(
        series=lecture_series(feedback_required=True),
        title="谈心谈话的技巧",
        starts_in=-timedelta(minutes=10),
    )
    lecture.lecturers.set([lecturer.lecturer_profile])
    lecture.save_revision().publish()
    base = live_server.url

    # The lecturer opens the full-screen display; it shows the QR and the 6-digit code.
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    projector = desk.new_page()
    projector.set_default_timeout(15_000)
    projector.goto(f"{base}/accounts/login/?next=/lectures/{lecture.pk}/checkin-display/")
    login(projector, base, lecturer.staff_no)
    projector.wait_for_url(f"**/lectures/{lecture.pk}/checkin-display/")
    assert projector.locator("[data-qr] svg").count() == 1
    state_url = projector.locator("[data-checkin-display]").get_attribute("data-state-url")
    state = projector.evaluate("url => fetch(url).then(r => r.json())", state_url)
    code = projector.locator("[data-code]").inner_text().strip()
    assert len(code) == 6 and code.isdigit()
    assert state["url"].endswith(f"?c={state['code']}")

    def phone_page():
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    # Teacher 1 scans the QR: not logged in, logs in and lands back on the check-in.
    phone = phone_page()
    phone.goto(state["url"])
    login(phone, base, scanner.staff_no)
    phone.wait_for_url(f"**/lectures/checkin/{lecture.pk}/**")
    assert not Attendance.objects.filter(user=scanner).exists()  # GET never checks in
    phone.get_by_role("button", name="签到").click()
    phone.get_by_text("签到成功").wait_for()
    # Scanning again is a friendly no-op: the page says so and offers nothing to submit.
    phone.goto(state["url"])
    phone.get_by_text("您已签到").first.wait_for()
    assert phone.get_by_role("button", name="签到").count() == 0

    # Teacher 2 types the projector's code on the lecture page, then gives feedback.
    phone2 = phone_page()
    phone2.goto(f"{base}/accounts/login/?next={lecture.url}")
    login(phone2, base, typist.staff_no)
    phone2.wait_for_url(f"{base}{lecture.url}")
    phone2.get_by_label("6 位签到码").fill(projector.locator("[data-code]").inner_text().strip())
    phone2.locator("form.checkin-form button[type=submit]").click()
    phone2.get_by_text("签到成功").wait_for()
    phone2.goto(base + lecture.url)
    phone2.locator("input[name=rating][value='5']").check(force=True)
    phone2.locator("form.lecture-feedback button[type=submit]").click()
    phone2.wait_for_load_state()

    rows = {a.user_id: a for a in Attendance.objects.filter(lecture=lecture)}
    assert set(rows) == {scanner.pk, typist.pk}
    assert rows[scanner.pk].method == "qr" and rows[typist.pk].method == "code"
    # The series needs feedback for credit: only the teacher who gave it is credited.
    assert rows[typist.pk].credited_at is not None
    assert rows[scanner.pk].credited_at is None
    # ... and the credit reached the ledger once, with the lecture's hours.
    from certification.models import CreditEntry, CreditSource

    entries = list(
        CreditEntry.objects.filter(source=CreditSource.LECTURE, source_object_id=lecture.pk)
    )
    assert [(e.user_id, e.hours) for e in entries] == [(typist.pk, lecture.credit_hours)]
    # The projector's live count follows.
    state = projector.evaluate("url => fetch(url).then(r => r.json())", state_url)
    assert state["attended"] == 2
    desk.close()
