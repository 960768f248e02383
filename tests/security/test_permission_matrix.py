"""The permission matrix (issue 10 item 4): every role against every URL of our apps.

Each (row, role) asks one URL as one role and checks the answer's class: allowed is a 2xx,
a redirect somewhere other than a login page or the admin's permission-denied bounce, or a
4xx that refuses the input after the access checks passed (400/409/422); denied is a
redirect to a login page, Wagtail's bounce to /admin/, 401, 403, 404 or 405. A 5xx fails
whoever asked. A denied state-changing request must leave the rows it touches unchanged.
A further test walks the URLconf and fails naming every pattern of ours the table misses.
"""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.matrix import EXCLUDED, ROLE_NAMES, ROWS
from tests.security.world import build_world

LOGIN_PATHS = ("/accounts/login/", "/admin/login/", "/_util/login/")
ADMIN_DENIED = "/admin/"  # Wagtail answers PermissionDenied in the admin with this redirect
ALLOWED_REFUSALS = {400, 409, 422}
DENIED = {401, 403, 404, 405}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once; one outer transaction, rolled back when the module is done, so the rows
    do not leak into other modules. Each test runs in a savepoint inside it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def client_for(world, role: str) -> Client:
    if role == "a":
        return Client()
    if role == "k":
        return Client(headers={"Authorization": f"Token {world.token_key}"})
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[ROLE_NAMES[role]]
    return client


def answer_class(response, path: str, bounce: str | None = None) -> str:
    status = response.status_code
    if status >= 500:
        return "error"
    if 300 <= status < 400:
        target = urlsplit(response["Location"]).path
        if target.startswith(LOGIN_PATHS) or (target == ADMIN_DENIED and path != ADMIN_DENIED):
            return "deny"
        if bounce is not None and target == bounce:
            return "deny"
        return "allow"
    if status < 300 or status in ALLOWED_REFUSALS:
        return "allow"
    if status in DENIED:
        return "deny"
    return f"unexpected {status}"


def ask(client, row, world):
    url = row.url(world)
    data = row.data(world) if row.data else None
    if row.method == "get":
        return url, client.get(url, data)
    return url, client.post(url, data or {})


def _row_id(row):
    return f"{row.name}|{row.label}"


CASES = [pytest.param(row, role, id=f"{_row_id(row)}-{role}") for row in ROWS for role in row.roles]


@pytest.mark.parametrize(("row", "role"), CASES)
def test_permission(world, db, row, role):
    client = client_for(world, role)
    before = row.watch(world) if row.watch else None
    url, response = ask(client, row, world)
    got = answer_class(response, urlsplit(url).path, row.bounce(world) if row.bounce else None)
    expected = "allow" if role in row.allow else "deny"
    where = response.get("Location", "")
    assert got == expected, (
        f"{ROLE_NAMES[role]} {row.method.upper()} {url} ({row.label}): "
        f"{response.status_code} {where} — expected {expected}"
    )
    if expected == "allow" and (
        role in row.hide_b or role in row.hide_other or role in row.hide_from
    ):
        body = b"".join(response) if response.streaming else response.content
        text = body.decode("utf-8", errors="replace")
        hidden = []
        if role in row.hide_b:
            hidden += [world.teacher_b.full_name, world.teacher_b.staff_no]
        if role in row.hide_other:
            hidden += [world.other_teacher.full_name, world.other_teacher.staff_no]
        if role in row.hide_from:
            hidden += row.hide(world)
        shown = [value for value in hidden if value in text]
        assert not shown, f"{ROLE_NAMES[role]} sees {shown} at {url} ({row.label})"
    if row.watch and (expected == "deny" or role in row.unchanged):
        assert row.watch(world) == before, f"{ROLE_NAMES[role]} changed data via {url}"


# --- CSRF: the key state-changing POSTs, by a role allowed to make them, without a token ----

CSRF_ROWS = [
    ("courses:course_enrol", "t"),
    ("courses:xapi", "t"),
    ("courses:lecture_checkin", "t"),
    ("casebank_submit:submit", "t"),
    ("certification:my_transcript", "t"),
    ("certification_ledger:reverse", "d"),
    ("certification_certificates:revoke", "d"),
    ("certification_tokens:create", "d"),
    ("qualification_revoke:lift", "d"),
    ("wagtailusers_users:edit", "d"),
    ("courses_enrolment_admin:decide", "s"),
    ("people_roster_import:confirm", "s"),
]


def _post_row(name):
    return next(row for row in ROWS if row.name == name and row.method == "post" and row.watch)


@pytest.mark.parametrize(("name", "role"), CSRF_ROWS)
def test_post_without_csrf_token_is_refused(world, db, name, role):
    row = _post_row(name)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[ROLE_NAMES[role]])
    before = row.watch(world)
    response = client.post(row.url(world), row.data(world) if row.data else {})
    assert response.status_code == 403
    assert row.watch(world) == before


# --- completeness: no URL pattern of ours without a row ----------------------------------------


def _patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            yield from _patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            yield (f"{namespace}{entry.name}" if entry.name else route), route


def test_every_url_pattern_has_a_row():
    covered = {row.name for row in ROWS}
    missing = sorted(
        f"{name}  ({route})"
        for name, route in _patterns()
        if name not in covered and not name.startswith(tuple(EXCLUDED))
    )
    assert not missing, "URL patterns missing from tests/security/matrix.py:\n" + "\n".join(missing)


def test_every_row_names_a_real_pattern():
    names = {name for name, _route in _patterns()}
    assert {row.name for row in ROWS} <= names
    assert len({_row_id(row) for row in ROWS}) == len(ROWS)


def test_the_admin_denied_redirect_is_what_wagtail_sends():
    assert reverse("wagtailadmin_home") == ADMIN_DENIED


@pytest.mark.parametrize(
    "label",
    [
        "credit ledger",
        "certificates",
        "course report",
        "pending enrolments",
        "wagtailusers_users listing",
    ],
)
def test_the_hidden_names_do_show_where_they_may(world, db, label):
    """The district admin sees school B's teacher on the listings school admins must not:
    proof that the names the matrix looks for are what these pages print."""
    row = next(row for row in ROWS if row.label == label)
    assert "s" in row.hide_b
    response = client_for(world, "d").get(row.url(world))
    assert response.status_code == 200
    assert world.teacher_b.full_name in response.content.decode()


def test_a_revoked_certificate_verifies_as_revoked_for_anyone(world, db):
    from django.urls import reverse as url_of

    response = Client().get(url_of("certification:verify", args=[world.cert_revoked.code]))
    assert response.status_code == 200
    assert response.context["validity"] == "revoked"
    assert "verify-revoked-reason" in response.content.decode()


def test_search_does_find_live_pages_so_the_draft_check_means_something(world, db):
    client = client_for(world, "t")
    response = client.get(reverse("search"), {"q": "矩阵"})
    text = response.content.decode()
    assert world.course.title in text or world.case.title in text


def test_the_district_admin_sees_school_b_imports_that_school_admins_must_not(world, db):
    client = client_for(world, "d")
    for label, job in (("roster import", world.roster_b), ("training import", world.training_b)):
        row = next(row for row in ROWS if row.label == label)
        assert "s" in row.hide_from
        assert job.original_name in client.get(row.url(world)).content.decode()
