"""Security headers and the Content-Security-Policy on the public site and the admin."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

FRAME_BUNDLE = (
    Path(settings.BASE_DIR) / "node_modules" / "h5p-standalone" / "dist" / "frame.bundle.js"
)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def test_public_pages_send_the_security_headers(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_public_csp_allows_no_inline_script(client):
    csp = directives(client.get("/accounts/login/"))
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert "'self'" in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]


def test_csp_hash_matches_the_inline_script_of_the_h5p_frame():
    """h5p-standalone writes one inline <script> into its player iframe; the policy allows
    exactly that one by hash. A new h5p-standalone with a different script fails here."""
    source = FRAME_BUNDLE.read_text(encoding="utf-8")
    inline = re.search(r'"<script>(H5PIntegration = .*?)<\\/script>"', source)
    assert inline, "h5p-standalone no longer writes its inline frame script"
    digest = base64.b64encode(hashlib.sha256(inline.group(1).encode()).digest()).decode()
    assert settings.H5P_FRAME_INLINE_SCRIPT_HASH == f"'sha256-{digest}'"
    csp = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert settings.H5P_FRAME_INLINE_SCRIPT_HASH in csp["script-src"]


def test_admin_has_its_own_policy(client, district_admin):
    client.force_login(district_admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    csp = directives(response)
    assert "'unsafe-inline'" in csp["script-src"]  # Wagtail's inline scripts
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'self'"]


def test_public_templates_have_no_inline_scripts():
    """Inline scripts on the public site would be blocked by the CSP: keep them in static/
    (or give them {{ request.csp_nonce }}). The admin's own templates are exempt."""
    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if "/admin/" in str(path) or 'extends "wagtailadmin/' in text:
            continue
        for match in re.finditer(r"<script(?P<attrs>[^>]*)>", text):
            attrs = match.group("attrs")
            if "src=" not in attrs and "csp_nonce" not in attrs and "application/json" not in attrs:
                offenders.append(str(path.relative_to(settings.BASE_DIR)))
        if re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{path.relative_to(settings.BASE_DIR)} (event handler attribute)")
    assert offenders == []


def test_only_lecturers_and_district_admins_may_upload_h5p_packages(db):
    """The CSP lets H5P library JavaScript run as site code (script-src 'self'): who may add
    a package is a security boundary. (The admin views are tested in test_h5p_admin.py.)"""
    from django.contrib.auth.models import Group

    from people import roles

    may_add = set(
        Group.objects.filter(permissions__codename="add_h5ppackage").values_list("name", flat=True)
    )
    assert may_add == {roles.LECTURER, roles.DISTRICT_ADMIN}
