"""Settings shared by every environment; integrations switch on by environment variables."""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "django-insecure-dev-only-key-do-not-use-in-production"
)
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "people.apps.PeopleConfig",
    "cms.apps.CmsConfig",
    "courses.apps.CoursesConfig",
    "casebank.apps.CasebankConfig",
    "certification.apps.CertificationConfig",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "people.apps.PeopleUsersAppConfig",  # wagtail.users with our UserViewSet
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "drf_spectacular",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cms.csp.SiteCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "cms.ratelimit.RateLimitedViewsMiddleware",
    # Last, as django-axes asks: it turns a locked-out authenticate() into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "people.context_processors.notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

# --- Database: SQLite by default, PostgreSQL (or anything dj-database-url knows) by URL.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A database that is gone fails a request (and /healthz) in seconds, not minutes.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "2"))
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                # WAL lets the dev server read while a seed or import writes.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: local memory by default, Redis by URL.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Degrades to "no cache" when Redis is down, so pages keep answering (cms.cache).
            "BACKEND": "cms.cache.FailSafeRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "qp"),
            # Fail fast: a request waits at most this long for a Redis that is gone.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery: eager (inline) without a broker, real workers with one.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else None
)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "900"))
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "840"))
CELERY_TASK_ACKS_LATE = True
# A worker killed mid-task (OOM, deploy) puts the task back instead of losing it: every task
# is safe to run twice (STYLE.md §4).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A request's delay() must not hang on a broker that is down: fail fast, log, and let the
# nightly recompute catch up (certification.tasks).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A credit's qualification recompute runs this many seconds after the first credit that
# queued it, for every teacher credited meanwhile (certification.tasks): on lecture day one
# set-based run per second instead of one per check-in. Eager Celery runs it at once.
QUALIFICATION_BATCH_DELAY_SECONDS = float(os.environ.get("QUALIFICATION_BATCH_DELAY_SECONDS", "1"))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_EXPIRES = 3600
# A separate queue name keeps parallel test runs on one Redis from eating each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
# Periodic tasks (`celery -A cms beat`). A run that waited longer than its period is dropped:
# the next one does the same work.
CELERY_BEAT_SCHEDULE = {
    "lecture-reminders": {
        "task": "courses.lecture_reminders_send",
        "schedule": 600.0,
        "options": {"expires": 540},
    },
    # Qualification states move with the calendar (expiring, expired): the full set-based
    # recompute every night at 01:30 Asia/Shanghai (CELERY_TIMEZONE).
    "qualification-recompute": {
        "task": "certification.recompute_all_statuses",
        "schedule": crontab(hour=1, minute=30),
        "options": {"expires": 6 * 3600},
    },
}

# --- Auth
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account or IP is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with the session's user read in one hand-written SELECT.
    "people.backends.UserBackend",
]
# Django's database sessions, with the per-request read in one hand-written SELECT.
SESSION_ENGINE = "cms.session_store"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # new staff get three days to set a password

# --- Login lockout (django-axes; people.lockout). An account is locked after
# AXES_FAILURE_LIMIT wrong passwords, an IP after AXES_IP_FAILURE_LIMIT: a whole school
# signs in from one NAT address, so the IP threshold is higher and one teacher's typos do
# not lock out the school. Both cool off after AXES_COOLOFF_MINUTES; 区管理员 unlock earlier
# in the admin (Settings → Login lockouts).
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_IP_FAILURE_LIMIT = int(os.environ.get("AXES_IP_FAILURE_LIMIT", "30"))
AXES_COOLOFF_MINUTES = int(os.environ.get("AXES_COOLOFF_MINUTES", "30"))
AXES_COOLOFF_TIME = AXES_COOLOFF_MINUTES / 60  # hours, as axes reads a number
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_HANDLER = "people.lockout.AccountOrIPHandler"
AXES_LOCKOUT_CALLABLE = "people.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "cms.ratelimit.client_ip"
# The login form's field (and authenticate()'s keyword) is "username", though it holds the
# 工号: axes would otherwise look for USERNAME_FIELD ("staff_no") and record no account.
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # we unlock in the Wagtail admin; Django's admin is not routed
# Behind the reverse proxy REMOTE_ADDR is the proxy: trust that many X-Forwarded-For hops.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# --- Language and time
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文")]

# --- Security headers for every environment (production adds HTTPS-only ones).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# SAMEORIGIN, not DENY: the H5P player is an iframe of our own origin.
X_FRAME_OPTIONS = "SAMEORIGIN"
# Content-Security-Policy (django-csp; cms.csp). The public site allows scripts from our own
# origin, nonce-tagged inline scripts and the one inline script h5p-standalone writes into its
# player iframe (by hash); no 'unsafe-inline' for scripts. Styles allow inline: H5P content
# types build markup with style attributes. /admin/ gets CSP_ADMIN_DIRECTIVES (cms.csp).
# Video embeds (lesson VideoBlock) come from the hosts in CSP_FRAME_HOSTS.
CSP_FRAME_HOSTS = env_list(
    "CSP_FRAME_HOSTS", "https://player.bilibili.com,https://player.youku.com,https://v.qq.com"
)
# h5p-standalone's frame: "H5PIntegration = window.parent.H5PIntegration; var H5P = H5P || {};
# H5P.externalEmbed = false;" (tests/cms/test_headers.py recomputes it from node_modules).
H5P_FRAME_INLINE_SCRIPT_HASH = "'sha256-8CniZYrnO46q7MvZ3m08Wom1HH/ZhyXmm29kBKTV1rk='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE, H5P_FRAME_INLINE_SCRIPT_HASH],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'", *CSP_FRAME_HOSTS],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
# Wagtail's admin still relies on inline scripts and styles (widgets, page previews).
CSP_ADMIN_DIRECTIVES = {
    **CONTENT_SECURITY_POLICY["DIRECTIVES"],
    "script-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", "https:"],
}

# --- Static and media
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # The H5P player (npm h5p-standalone), served by us: no CDN.
    ("h5p-standalone", BASE_DIR / "node_modules" / "h5p-standalone" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# --- H5P packages (courses.h5p.validator): limits checked on the bytes actually read.
H5P_MAX_UPLOAD_SIZE = int(os.environ.get("H5P_MAX_UPLOAD_SIZE", 200 * 1024 * 1024))
H5P_MAX_FILE_SIZE = int(os.environ.get("H5P_MAX_FILE_SIZE", 100 * 1024 * 1024))
H5P_MAX_TOTAL_SIZE = int(os.environ.get("H5P_MAX_TOTAL_SIZE", 500 * 1024 * 1024))
H5P_MAX_FILES = int(os.environ.get("H5P_MAX_FILES", 5000))
# Uncompressed/compressed bytes per entry; files smaller than the floor are not judged.
H5P_MAX_COMPRESSION_RATIO = int(os.environ.get("H5P_MAX_COMPRESSION_RATIO", 100))
H5P_COMPRESSION_RATIO_FLOOR = int(os.environ.get("H5P_COMPRESSION_RATIO_FLOOR", 1024 * 1024))
H5P_STORAGE_PREFIX = "h5p/packages"
# --- xAPI endpoint (courses.services.xapi): body size limit and statements per user per minute.
XAPI_MAX_BYTES = int(os.environ.get("XAPI_MAX_BYTES", 64 * 1024))
XAPI_RATE_LIMIT = int(os.environ.get("XAPI_RATE_LIMIT", 120))
# --- Lecture check-in (courses.services.checkin): code rotation (30–60 s) and how early it opens.
LECTURE_CHECKIN_STEP = min(60, max(30, int(os.environ.get("LECTURE_CHECKIN_STEP", 45))))
LECTURE_CHECKIN_EARLY_MINUTES = int(os.environ.get("LECTURE_CHECKIN_EARLY_MINUTES", 30))
# --- Rate limits of cms.ratelimit: scope -> (attempts, window in seconds), per user.
# (xAPI has XAPI_RATE_LIMIT, check-in codes courses.services.checkin's wrong-code limit,
# /verify/ its own counters, the API DRF's throttle.)
RATE_LIMITS = {
    # Roster and training-record uploads: each parses up to ROSTER_IMPORT_MAX_ROWS rows.
    "imports": (int(os.environ.get("IMPORT_RATE_LIMIT", "20")), 3600),
}
# POSTs to these views (URL names) count against a scope (cms.ratelimit middleware).
RATE_LIMITED_VIEWS = {
    "people_roster_import:index": "imports",
    "certification_training_import:index": "imports",
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail: console in development, SMTP by URL-ish variables in production.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "青浦区教师进修学院 <noreply@localhost>")

# --- Wagtail
WAGTAIL_SITE_NAME = _("Qingpu Mentor Training Platform")
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# Search: the database backend (SQLite FTS5 / PostgreSQL full text) over text segmented by
# cms.search; "simple" keeps PostgreSQL from English stemming so both databases tokenise alike.
# SEARCH_URL switches to OpenSearch/Elasticsearch (give its index a Chinese analyzer, or rely
# on the segmented field, which is space-separated words).
SEARCH_URL = os.environ.get("SEARCH_URL", "")
if SEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": os.environ.get("SEARCH_BACKEND", "wagtail.search.backends.elasticsearch8"),
            "URLS": [SEARCH_URL],
            "INDEX": os.environ.get("SEARCH_INDEX", "qingpu"),
            "TIMEOUT": int(os.environ.get("SEARCH_TIMEOUT", "10")),
            "OPTIONS": {},
            "INDEX_SETTINGS": {},
        }
    }
else:
    WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "simple"}
    }
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "zip"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_PASSWORD_RESET_ENABLED = False  # ours also reaches new staff

# --- The mentor-readiness API (certification.api). Its views set their own token-only
# authentication, permission, JSON renderer and throttle; the DRF defaults stay as they are,
# since Wagtail's admin page API (the explorer) relies on them with sessions.
# Requests per API token: API_RATE_LIMIT in DRF's rate syntax.
REST_FRAMEWORK = {
    "DEFAULT_THROTTLE_RATES": {"api_token": os.environ.get("API_RATE_LIMIT", "600/minute")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "青浦区全员导师制研修平台 API",
    "DESCRIPTION": "Mentor readiness (导师上岗资格) of teachers, for the schools' mentor matching.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    # Only /api/v1/: Wagtail's own API views would otherwise spoil the schema.
    "PREPROCESSING_HOOKS": ["certification.api.schema.only_api_v1"],
}

# --- Project
ROSTER_IMPORT_MAX_BYTES = int(os.environ.get("ROSTER_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
ROSTER_IMPORT_MAX_ROWS = int(os.environ.get("ROSTER_IMPORT_MAX_ROWS", "200000"))
# HR report exports up to this many teachers download at once; larger ones run in Celery.
HR_EXPORT_INLINE_MAX = int(os.environ.get("HR_EXPORT_INLINE_MAX", "2000"))
# Render a certificate's PDF as soon as it is issued (queued on commit). Off, the first
# download renders it (seed_demo turns it off: a district seed issues 1,000 certificates).
CERTIFICATE_RENDER_ON_ISSUE = os.environ.get("CERTIFICATE_RENDER_ON_ISSUE", "1") != "0"
# Public /verify/<code>/ (certification.views.verify): after VERIFY_MISS_LIMIT unknown codes
# within VERIFY_MISS_WINDOW seconds an address gets 429 for the rest of the window; every
# lookup counts toward VERIFY_RATE_LIMIT per minute. The client address is cms.ratelimit's
# (TRUSTED_PROXY_COUNT).
VERIFY_MISS_LIMIT = int(os.environ.get("VERIFY_MISS_LIMIT", "20"))
VERIFY_MISS_WINDOW = int(os.environ.get("VERIFY_MISS_WINDOW", "600"))
VERIFY_RATE_LIMIT = int(os.environ.get("VERIFY_RATE_LIMIT", "120"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail's background tasks and page actions log every step at INFO.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
