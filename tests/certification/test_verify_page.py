"""The public /verify/<code>/ page: status banner (valid, expired, revoked), what the
certificate states and nothing else personal, a plain 404 for unknown codes, private-URL
headers, the manual code form, and the per-address rate limits."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.models import CertificateKind
from certification.services.certificates import certificate_revoke
from tests.factories.certificates import CertificateFactory

pytestmark = pytest.mark.django_db

HOLDER = {
    "staff_no": "QPX98765",
    "full_name": "王晓梅",
    "phone": "13912345678",
    "email": "wang.xiaomei@example.cn",
}


@pytest.fixture
def holder(make_user, school_a):
    return make_user("教师", school_a, **HOLDER)


@pytest.fixture
def certificate(holder):
    return CertificateFactory(
        holder=holder,
        title="心理健康教育基础",
        hours="4.0",
        points="0.5",
        issued_on=datetime.date(2026, 5, 20),
    )


def url(code):
    return reverse("certification:verify", args=[code])


def page(client, code, ip="10.0.0.1", **headers):
    return client.get(url(code), REMOTE_ADDR=ip, **headers)


def validity(response) -> str:
    match = re.search(r'class="verify" data-validity="([a-z-]+)"', response.content.decode())
    assert match, "no status on the page"
    return match.group(1)


def assert_private(response):
    assert response["Cache-Control"] == "no-store"
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_url():
    assert url("abc") == "/verify/abc/"
    assert reverse("certification:verify_form") == "/verify/"


def test_valid_certificate(client, certificate):
    response = page(client, certificate.code)
    assert response.status_code == 200
    assert validity(response) == "valid"
    content = response.content.decode()
    for shown in (certificate.serial, "王晓梅", "青浦区实验小学", "心理健康教育基础", "4.0", "0.5"):
        assert shown in content
    assert "2026-05-20" in content
    assert "verify-status--valid" in content
    assert_private(response)


def test_valid_certificate_with_future_expiry(client, holder):
    certificate = CertificateFactory(
        holder=holder,
        kind=CertificateKind.QUALIFICATION,
        expires_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    response = page(client, certificate.code)
    assert validity(response) == "valid"
    assert certificate.expires_on.strftime("%Y-%m-%d") in response.content.decode()


def test_expired_certificate_shows_its_expiry_date(client, holder):
    expired_on = timezone.localdate() - datetime.timedelta(days=1)
    certificate = CertificateFactory(
        holder=holder,
        kind=CertificateKind.QUALIFICATION,
        issued_on=datetime.date(2023, 1, 10),
        expires_on=expired_on,
    )
    response = page(client, certificate.code)
    assert response.status_code == 200
    assert validity(response) == "expired"
    content = response.content.decode()
    assert "verify-status--expired" in content
    assert expired_on.strftime("%Y-%m-%d") in content


def test_revoked_certificate_shows_date_and_reason(client, certificate, district_admin):
    certificate_revoke(certificate=certificate, reason="培训记录系误录", revoked_by=district_admin)
    response = page(client, certificate.code)
    assert response.status_code == 200
    assert validity(response) == "revoked"
    content = response.content.decode()
    assert "verify-status--revoked" in content
    assert "培训记录系误录" in content
    assert timezone.localdate().strftime("%Y-%m-%d") in content
    # Who revoked it is internal.
    assert "区管理员周" not in content


def test_unknown_code_is_a_plain_404(client, certificate):
    for code in ("zzzzzzzzzzzzzzzzzzzzz", "x", "'; drop table--", certificate.code[:-1]):
        response = page(client, code)
        assert response.status_code == 404
        assert validity(response) == "not-found"
        content = response.content.decode()
        assert certificate.serial not in content and "王晓梅" not in content
        assert_private(response)


def test_nothing_else_personal_appears(client, holder, certificate):
    content = page(client, certificate.code).content.decode()
    for private in HOLDER["staff_no"], HOLDER["phone"], HOLDER["email"]:
        assert private not in content


def test_code_is_case_insensitive_and_ignores_spaces(client, certificate):
    code = certificate.code
    spaced = " ".join([code[:7], code[7:14], code[14:]]).upper()
    for variant in (code.upper(), spaced, f"{code[:10]}-{code[10:]}"):
        response = page(client, variant)
        assert response.status_code == 200, variant
        assert certificate.serial in response.content.decode()


def test_transcript_shows_its_details(client, holder):
    details = {
        "cycle": "十五五（2026–2030）",
        "rows": [
            {
                "label": "师德素养",
                "have_points": "12.5",
                "need_points": "8.0",
                "have_hours": "30.0",
                "met": True,
            },
            {
                "label": "实践体验",
                "have_points": "6.0",
                "need_points": "14.0",
                "have_hours": "18.0",
                "met": False,
            },
        ],
        "total_points": "18.5",
        "total_hours": "48.0",
        "min_total_points": "36.0",
        "met": False,
        "entries": 7,
        "ledger_head": "ab" * 32,
    }
    certificate = CertificateFactory(
        holder=holder, kind=CertificateKind.TRANSCRIPT, title="学时证明", details=details
    )
    response = page(client, certificate.code)
    assert response.status_code == 200
    content = response.content.decode()
    assert "十五五（2026–2030）" in content
    for shown in ("师德素养", "12.5", "8.0", "30.0", "实践体验", "14.0", "18.5", "48.0", "36.0"):
        assert shown in content
    assert content.count('class="verify-met"') == 1
    assert content.count('class="verify-unmet"') == 2  # the second row and the overall result


def test_only_get_and_head(client, certificate):
    assert client.post(url(certificate.code)).status_code == 405
    # Link previews (WeChat) and some scanners ask with HEAD first.
    assert client.head(url(certificate.code)).status_code == 200


def test_constant_queries(client, holder, certificate, django_assert_max_num_queries):
    page(client, certificate.code)  # warm the site settings and menu caches
    # The certificate, plus base.html's site and menu lookups (3 measured on SQLite).
    with django_assert_max_num_queries(4):
        assert page(client, certificate.code).status_code == 200


# --- The code form -----------------------------------------------------------------------------


def test_form_page(client):
    response = client.get("/verify/")
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()
    assert_private(response)


def test_form_redirects_to_the_normalised_code(client, certificate):
    code = certificate.code
    response = client.get("/verify/", {"code": f"  {code[:8].upper()} {code[8:]} "})
    assert response.status_code == 302
    assert response["Location"] == url(code)


def test_form_accepts_a_pasted_verification_url(client, certificate):
    pasted = f"http://127.0.0.1:8000/verify/{certificate.code}/"
    response = client.get("/verify/", {"code": pasted})
    assert response["Location"] == url(certificate.code)


def test_form_refuses_what_cannot_be_a_code(client):
    for bad in ("", "abc", "<script>", "a/b/../c" * 5):
        response = client.get("/verify/", {"code": bad})
        assert response.status_code == 200
        assert 'aria-invalid="true"' in response.content.decode()


# --- Rate limits -------------------------------------------------------------------------------


def miss(client, ip="10.0.0.1", **headers):
    return page(client, "nosuchcode2345678abcd", ip=ip, **headers)


def test_21st_miss_is_refused_and_then_every_lookup(client, certificate):
    for _ in range(20):
        assert miss(client).status_code == 404
    response = miss(client)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    assert validity(response) == "rate-limited"
    assert_private(response)
    # A valid code from the same address is refused too: no hit/miss oracle.
    response = page(client, certificate.code)
    assert response.status_code == 429
    assert certificate.serial not in response.content.decode()
    # Another address is not affected.
    assert page(client, certificate.code, ip="10.0.0.2").status_code == 200


def test_miss_limit_and_window_are_settings(client, certificate, settings):
    settings.VERIFY_MISS_LIMIT = 2
    settings.VERIFY_MISS_WINDOW = 120
    assert miss(client).status_code == 404
    assert miss(client).status_code == 404
    response = page(client, certificate.code)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 120


def test_hits_count_towards_the_overall_limit(client, certificate, settings):
    settings.VERIFY_RATE_LIMIT = 3
    for _ in range(3):
        assert page(client, certificate.code).status_code == 200
    response = page(client, certificate.code)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert page(client, certificate.code, ip="10.0.0.2").status_code == 200


def test_forwarded_for_is_ignored_without_trusted_proxies(client, certificate, settings):
    settings.VERIFY_MISS_LIMIT = 1
    assert miss(client, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 404
    # A forged header does not make the same address a new client.
    response = page(client, certificate.code, HTTP_X_FORWARDED_FOR="2.2.2.2")
    assert response.status_code == 429


def test_trusted_proxy_count_is_honoured(client, certificate, settings):
    """Behind TRUSTED_PROXY_COUNT proxies the site-wide rule applies: the hop the proxy saw,
    not what the client wrote to the left of it."""
    settings.VERIFY_MISS_LIMIT = 1
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.9.9.9"
    assert miss(client, ip=proxy, HTTP_X_FORWARDED_FOR="6.6.6.6, 1.1.1.1").status_code == 404
    forged = page(client, certificate.code, ip=proxy, HTTP_X_FORWARDED_FOR="7.7.7.7, 1.1.1.1")
    assert forged.status_code == 429
    other = page(client, certificate.code, ip=proxy, HTTP_X_FORWARDED_FOR="1.1.1.2")
    assert other.status_code == 200


def test_ipv6_clients_are_counted_per_64(client, certificate, settings):
    settings.VERIFY_MISS_LIMIT = 1
    assert miss(client, ip="2001:db8:1:2::1").status_code == 404
    assert page(client, certificate.code, ip="2001:db8:1:2::ffff").status_code == 429
    assert page(client, certificate.code, ip="2001:db8:1:3::1").status_code == 200


def test_a_cache_outage_does_not_take_the_page_down(client, certificate, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis is gone")

    for method in "get", "add", "incr", "set":
        monkeypatch.setattr(cache, method, down)
    assert page(client, certificate.code).status_code == 200
    assert miss(client).status_code == 404
