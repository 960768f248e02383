"""The public verification page /verify/<code>/: anyone holding a certificate's code (its QR)
sees whether it is valid, expired or revoked, and what it certifies — nothing else personal.

The code in the URL is the only secret, so every answer is kept out of caches, search
engines and Referer headers, and lookups are rate-limited per client address: a burst of
unknown codes (someone guessing) locks that address out for the rest of the window, hits
included, and all lookups share a generous per-minute ceiling.
"""

import ipaddress
import logging
import math
import re
import time

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from cms.ratelimit import client_ip

from ..models import Certificate, CertificateKind

logger = logging.getLogger(__name__)

# Codes are lower-case base32 (certification.services.certificates.CODE_ALPHABET); anything
# outside this shape cannot exist and is a miss without a database query.
CODE_SHAPE = re.compile(r"^[a-z0-9]{8,40}$")
# What people type or paste: spaces and dashes when reading a code aloud, or the whole URL.
CODE_NOISE = re.compile(r"[\s\-]+")


def normalize_code(raw: str) -> str:
    """Case-insensitive, ignores spaces and dashes; a pasted verification URL gives its code."""
    raw = raw or ""
    if "/verify/" in raw:
        raw = raw.rsplit("/verify/", 1)[1].split("?", 1)[0].strip("/")
    return CODE_NOISE.sub("", raw).lower()


# --- Rate limits -----------------------------------------------------------------------------


def miss_limit() -> int:
    return int(getattr(settings, "VERIFY_MISS_LIMIT", 20))


def miss_window() -> int:
    return int(getattr(settings, "VERIFY_MISS_WINDOW", 600))


def lookup_limit() -> int:
    return int(getattr(settings, "VERIFY_RATE_LIMIT", 120))


def client_address(request) -> str:
    """The client's address as the rate limits count it: the site-wide rule
    (`cms.ratelimit.client_ip`, which honours TRUSTED_PROXY_COUNT and never trusts what a client
    wrote to the left of the proxies' hops). IPv6 clients are counted per /64: one subscriber
    usually holds the network."""
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _miss_keys(client: str) -> tuple[str, str]:
    return f"verify:misses:{client}", f"verify:misses-since:{client}"


def _incr(key: str, timeout: int) -> int:
    """Atomic count: `add` creates the key with its expiry once, `incr` never resets it."""
    if cache.add(key, 1, timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        return 1


def record_miss(client: str) -> None:
    """Count an unknown code. The window starts at the first miss and the lock-out lasts
    until it ends, however many lookups come meanwhile."""
    count_key, since_key = _miss_keys(client)
    window = miss_window()
    cache.add(since_key, time.time(), window)
    _incr(count_key, window)


def locked_out_for(client: str) -> int:
    """Seconds until this client may look up again; 0 when it may now. Counts the lookup
    against the per-minute ceiling."""
    count_key, since_key = _miss_keys(client)
    if int(cache.get(count_key) or 0) >= miss_limit():
        since = cache.get(since_key)
        if since is None:
            return miss_window()
        return max(1, math.ceil(float(since) + miss_window() - time.time()))
    now = time.time()
    minute = int(now // 60)
    if _incr(f"verify:lookups:{client}:{minute}", 120) > lookup_limit():
        return max(1, math.ceil((minute + 1) * 60 - now))
    return 0


# --- Views -----------------------------------------------------------------------------------


def _private(response):
    """The URL carries the secret: no caching, no indexing, no Referer to linked sites."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _too_many(request, retry_after: int):
    response = TemplateResponse(
        request,
        "certification/verify/too_many.html",
        {"minutes": max(1, math.ceil(retry_after / 60))},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return _private(response)


def _locked_out_for(client: str) -> int:
    # A cache outage (Redis gone) must not take the public page down with it: the limits
    # are then not enforced until it is back.
    try:
        return locked_out_for(client)
    except Exception:
        logger.warning("verify: cache unavailable, rate limit not enforced", exc_info=True)
        return 0


def _record_miss(client: str) -> None:
    try:
        record_miss(client)
    except Exception:
        logger.warning("verify: cache unavailable, miss not counted", exc_info=True)


@require_safe
def verify(request, code: str):
    client = client_address(request)
    retry_after = _locked_out_for(client)
    if retry_after:
        return _too_many(request, retry_after)
    code = normalize_code(code)
    certificate = None
    if CODE_SHAPE.match(code):
        # Only the snapshot columns: the page shows what the certificate stated at issue
        # and never touches the holder's account (工号, phone, e-mail).
        certificate = (
            Certificate.objects.filter(code=code)
            .only(
                "serial",
                "code",
                "kind",
                "holder_name",
                "school_name",
                "title",
                "hours",
                "points",
                "details",
                "issued_on",
                "expires_on",
                "revoked_at",
                "revoked_reason",
            )
            .first()
        )
    if certificate is None:
        _record_miss(client)
        return _private(
            TemplateResponse(request, "certification/verify/not_found.html", {}, status=404)
        )
    details = certificate.details if certificate.kind == CertificateKind.TRANSCRIPT else {}
    return _private(
        TemplateResponse(
            request,
            "certification/verify/verify.html",
            {
                "certificate": certificate,
                "validity": certificate.validity(),
                "revoked_on": (
                    timezone.localdate(certificate.revoked_at) if certificate.revoked_at else None
                ),
                "transcript": details if isinstance(details, dict) else {},
            },
        )
    )


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=200,
        help_text=_("The code printed under the QR code on the certificate."),
    )

    def clean_code(self):
        code = normalize_code(self.cleaned_data["code"])
        if not CODE_SHAPE.match(code):
            raise forms.ValidationError(
                _("This is not a verification code. Check the code on the certificate.")
            )
        return code


@require_safe
def verify_form(request):
    """/verify/: type the code by hand (when the QR cannot be scanned)."""
    form = VerifyForm(request.GET if "code" in request.GET else None)
    if form.is_valid():
        return _private(redirect("certification:verify", code=form.cleaned_data["code"]))
    return _private(TemplateResponse(request, "certification/verify/form.html", {"form": form}))


urlpatterns = [
    path("verify/", verify_form, name="verify_form"),
    path("verify/<str:code>/", verify, name="verify"),
]
