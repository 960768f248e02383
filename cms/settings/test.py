"""Test settings: fast hashing, in-memory e-mail, the same env switches as production."""

import os
from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A worker subprocess gets the parent's MEDIA_ROOT through the environment.
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT") or BASE_DIR / ".test-media" / str(os.getpid()))
# No persistent connections: the live server's request threads would otherwise keep the
# PostgreSQL test database open and stop pytest-django from dropping it.
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_PATH") or None}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Login lockout off for the suite (many tests log in); tests/people/test_lockout.py turns
# it on with the `axes_enabled` fixture.
AXES_ENABLED = False
