"""Settings for coparent, driven by environment variables.

Development is the default (SQLite in WAL mode, email to the console). COPARENT_ENV=production
turns on every transport-security setting and refuses to start with an insecure secret key.
"""

from __future__ import annotations

import os
from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("COPARENT_VAR_DIR", PROJECT_DIR / "var"))

ENV = os.environ.get("COPARENT_ENV", "development")
if ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured("COPARENT_ENV must be development, production or test.")
PRODUCTION = ENV == "production"

_DEV_SECRET = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET)
if PRODUCTION and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a random value of at least 50 characters before starting in "
        "production, e.g. python -c 'import secrets; print(secrets.token_urlsafe(64))'."
    )

DEBUG = os.environ.get("DEBUG", "0" if PRODUCTION else "1") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h] or (
    [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# Every absolute link (emails, feeds, QR codes) starts here, never from the request's Host header.
# In development it follows PORT, so `PORT=9000 make run` links to :9000.
SITE_URL = (
    os.environ.get("SITE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs' Swagger UI from our own static files (the CSP allows no CDN)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "coparent.core",
    "coparent.accounts",
    "coparent.families",
    "coparent.schedule",
    "coparent.records",
    "coparent.messaging",
    "coparent.passes",
    "coparent.exchanges",
    "coparent.decisions",
    "coparent.plan",
    "coparent.expenses",
    "coparent.reports",  # court reports: PDF + CSV with the record bundle attached
    "coparent.attention",
    "coparent.notifications",
    "coparent.push",
    "coparent.safety",  # quick exit, the safety page
    "coparent.childinfo",
    "coparent.documents",
    "coparent.journal",
    "coparent.worker",  # background work: `coparent worker`, periodic jobs, retries
    "django_tasks_db",
    "coparent.demo",  # `coparent demo`: the fictional families `make run` loads
]

MIDDLEWARE = [
    # Outermost, so every response, error pages included, carries X-Request-ID.
    "coparent.core.middleware.RequestIdMiddleware",
    "coparent.api.middleware.ApiErrorShapeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "coparent.core.overload.OverloadMiddleware",
    # Where this request's reads go: a replica for a GET, the primary for the rest.
    "coparent.core.replicas.ReplicaReadMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "coparent.accounts.middleware.SessionActivityMiddleware",
    "coparent.core.middleware.UserTimezoneMiddleware",
    "coparent.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "coparent.core.middleware.PrivatePageMiddleware",
]

if PRODUCTION:
    # Serves collected static files from the app server itself; runserver does it in development.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "coparent.urls"
WSGI_APPLICATION = "coparent.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coparent.families.context_processors.navigation",
                "coparent.attention.context_processors.attention",
                "coparent.notifications.context_processors.unread",
                "coparent.safety.context_processors.quick_exit",
            ],
        },
    }
]

# SQLite is the embedded default; DATABASE_URL (postgres://...) is the production path.
VAR_DIR.mkdir(parents=True, exist_ok=True)
_database_url = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'coparent.sqlite3'}")
# Connections stay open across requests, checked before reuse: opening SQLite and its WAL (or a
# PostgreSQL session) per request costs more than most requests. Safe for SQLite too: Django's
# connections are per thread; runserver closes a thread's own when its request ends, and gunicorn
# opens them in each worker after forking.
DATABASES = {
    "default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
}
# How long a write waits for a lock before the request answers 503 (coparent/core/overload.py).
DATABASE_LOCK_TIMEOUT_SECONDS = int(os.environ.get("DATABASE_LOCK_TIMEOUT_SECONDS", 20))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite, with the writers of one process queued rather than polling for the lock.
    DATABASES["default"]["ENGINE"] = "coparent.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed while one writer commits. IMMEDIATE takes the write lock at
        # BEGIN, where the busy timeout applies: a transaction that read first and then writes
        # cannot wait for the lock, it fails at once. Writes outside atomic() are one statement
        # each, which waits too (tests/test_overload.py checks every BEGIN).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": DATABASE_LOCK_TIMEOUT_SECONDS,
    }
else:
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (
        f"{_options.get('options', '')} -c lock_timeout={DATABASE_LOCK_TIMEOUT_SECONDS}s".strip()
    )
    # Planning, not running, is most of a page's query time on PostgreSQL (0.5-1.7 ms to plan a
    # query that runs in 0.1): parameters bound by the server let psycopg prepare a statement
    # the connection has run DATABASE_PREPARE_THRESHOLD times, and later requests on that kept
    # connection skip the planning. A pooler in transaction mode that cannot keep prepared
    # statements (PgBouncer before 1.21, or without max_prepared_statements) needs "off".
    _prepare = os.environ.get("DATABASE_PREPARE_THRESHOLD", "2")
    if _prepare != "off":
        _options["server_side_binding"] = True
        _options["prepare_threshold"] = int(_prepare)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Read replicas (PostgreSQL only): comma-separated URLs, each a streaming replica of the primary.
# The reads of GET requests go to them, everything else to the primary (coparent/core/replicas.py);
# a person who has just written reads from the primary for DATABASE_REPLICA_STICKY_SECONDS.
DATABASE_REPLICAS: list[str] = []
for _number, _url in enumerate(
    (u.strip() for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if u.strip()), 1
):
    _replica = dj_database_url.parse(_url, conn_max_age=60, conn_health_checks=True)
    if "options" in DATABASES["default"].get("OPTIONS", {}):  # PostgreSQL's lock_timeout
        _replica.setdefault("OPTIONS", {}).setdefault(
            "options", DATABASES["default"]["OPTIONS"]["options"]
        )
    DATABASES[f"replica_{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica_{_number}")
DATABASE_ROUTERS = ["coparent.core.replicas.ReplicaRouter"]
DATABASE_REPLICA_STICKY_SECONDS = int(os.environ.get("DATABASE_REPLICA_STICKY_SECONDS", 5))

_redis_url = os.environ.get("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}
        if _redis_url
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "coparent_cache",
            # Past MAX_ENTRIES it deletes a third of all keys, throttle counters included: at the
            # default 300, an attacker's own failures from other addresses would free them.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    ),
    # Counts each server process may reuse for seconds (the navigation's badge): kept in memory,
    # never shared, so reading one costs no query and no round trip.
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "coparent-local",
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    },
    # The site's frame around kept pages (core/fragments.py): a pure function of its key, so each
    # process keeps its own, never stale; a few kilobytes an entry.
    "frames": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "coparent-frames",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 2_000},
    },
    # Drawn page content (core/fragments.py), tens of kilobytes an entry, 30 s at most: shared
    # by every app server through Redis when there is one, otherwise by this machine's workers
    # through files in the var directory (a worker that did not draw a page still finds it).
    "pages": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
            "KEY_PREFIX": "pages",
        }
        if _redis_url
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "pages"),
            "OPTIONS": {"MAX_ENTRIES": 2_000},
        }
    ),
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["coparent.accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "coparent.accounts.validators.MaximumLengthValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# Sessions: server-side (database), ended on logout and password change; idle and absolute limits.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", 14 * 24 * 3600))
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", 12 * 3600))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_NAME = "__Host-coparent-session" if PRODUCTION else "coparent-session"
CSRF_COOKIE_NAME = "__Host-csrftoken" if PRODUCTION else "csrftoken"

# Failed-login throttling: per account+address, so an attacker elsewhere cannot lock a victim out.
LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5
LOGIN_FAILURES_PER_ADDRESS = 50
LOGIN_COOL_OFF_SECONDS = 15 * 60
REAUTH_SECONDS = 10 * 60
# Sign-up, password reset and confirmation resend email whatever address is typed in: per hour,
# at most this many per client address, and this many to any one email address.
ACCOUNT_EMAILS_PER_CLIENT = 20
ACCOUNT_EMAILS_PER_ADDRESS = 3
ACCOUNT_EMAIL_WINDOW_SECONDS = 3600
# Addresses or CIDRs of the reverse proxies in front of the app (comma-separated). X-Forwarded-For
# is believed only on connections from these; see core.http.client_address, and core.checks for
# what `check --deploy` says about it.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]

# Headers
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Email: console in development, SMTP in production (EMAIL_HOST, EMAIL_PORT, ...). Mail is sent
# by the worker (core.emails), never inside a request; a server that accepts the connection and
# never answers gives up after EMAIL_TIMEOUT seconds (the environment variable; Django 6.1 takes
# the timeout in MAILERS' options), and the task is retried later.
MAILERS: dict[str, dict[str, object]] = {
    "default": {
        "BACKEND": os.environ.get(
            "EMAIL_BACKEND",
            "django.core.mail.backends.smtp.EmailBackend"
            if PRODUCTION
            else "django.core.mail.backends.console.EmailBackend",
        ),
    }
}
if str(MAILERS["default"]["BACKEND"]).endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": os.environ.get("EMAIL_USE_TLS", "0") == "1",
        "timeout": float(os.environ.get("EMAIL_TIMEOUT", "10")),
    }
# Background work (docs/ARCHITECTURE.md, "Background work"): tasks are rows in the database,
# run by `coparent worker`; nothing is sent inside a request.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Periodic jobs: name -> (the task's dotted path, every how many seconds). Each period is
# enqueued once however many workers run (coparent.worker.scheduler).
COPARENT_PERIODIC_TASKS: dict[str, tuple[str, int]] = {
    "exchanges.remind": ("coparent.exchanges.tasks.reminders_send_task", 300),
    "schedule.expire": ("coparent.schedule.tasks.deadlines_expire_task", 300),
    "decisions.expire": ("coparent.decisions.tasks.decisions_expire_task", 300),
    "plan.time_away_expire": ("coparent.plan.tasks.time_away_expire_task", 300),
    "worker.prune": ("coparent.worker.tasks.results_prune_task", 24 * 3600),
    "notifications.release": ("coparent.notifications.tasks.release_held", 300),
    "notifications.digest": ("coparent.notifications.tasks.send_digests", 600),
    "documents.expiry": ("coparent.documents.tasks.expiry_reminders_task", 3600),
    "accounts.exports_prune": ("coparent.accounts.tasks.data_exports_prune_task", 3600),
    "families.purge": ("coparent.families.tasks.families_purge_task", 3600),
    "expenses.deadlines": ("coparent.expenses.tasks.deadlines_mark_task", 300),
    "expenses.recurring": ("coparent.expenses.tasks.recurring_run_task", 3600),
    "reports.expire": ("coparent.reports.tasks.reports_expire_task", 3600),
}
# A task that raises runs again after 30 s, 1, 2, 4 min... (at most an hour apart) until it
# has run this many times; then it stays failed for `coparent tasks list --failed`.
COPARENT_TASK_MAX_ATTEMPTS = int(os.environ.get("COPARENT_TASK_MAX_ATTEMPTS", "6"))
COPARENT_TASK_RETRY_SECONDS = float(os.environ.get("COPARENT_TASK_RETRY_SECONDS", "30"))
COPARENT_TASK_RETRY_MAX_SECONDS = 3600.0
# Finished tasks carry the emails they sent: successful ones are deleted after this many days,
# failed ones after COPARENT_TASK_FAILED_KEEP_DAYS (long enough for an operator to look).
COPARENT_TASK_KEEP_DAYS = 2
COPARENT_TASK_FAILED_KEEP_DAYS = 30

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "coparent <no-reply@coparent.localhost>")

LANGUAGE_CODE = "en"
LOCALE_PATHS = [BASE_DIR / "locale"]


def _languages() -> list[tuple[str, str]]:
    """English (the source language) and every language with a catalog in coparent/locale, named
    as Django names it: adding a language is adding its catalog (see README, Languages)."""
    from django.conf.locale import LANG_INFO

    found = {LANGUAGE_CODE}
    for catalog in (BASE_DIR / "locale").glob("*/LC_MESSAGES/django.po"):
        code = catalog.parent.parent.name.lower().replace("_", "-")
        if code in LANG_INFO and "name" in LANG_INFO[code]:
            found.add(code)
    return [(code, LANG_INFO[code]["name"]) for code in sorted(found)]


LANGUAGES = _languages()
# Babel's CLDR locale for money and numbers where it is not the language code itself. Spanish is
# written for readers across Latin America and the US: CLDR's es-419, not Spain's es.
COPARENT_CLDR_LOCALES = {"es": "es_419"}
USE_I18N = True
USE_TZ = True
# One date format across the site (coparent/formats/en/formats.py).
FORMAT_MODULE_PATH = ["coparent.formats"]
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

INVITATION_DAYS = 14
# A professional's request for access waits this long for the parents' answer.
ACCESS_REQUEST_DAYS = 14
# Right of access: each person's zip of their data, kept this long after it is made.
DATA_EXPORT_DIR = Path(os.environ.get("COPARENT_DATA_EXPORT_DIR", VAR_DIR / "data-exports"))
DATA_EXPORT_KEEP_DAYS = 7
# A family whose last member left is deleted, files and record too, this long after (no hold).
FAMILY_DELETE_DAYS = 30
MESSAGING_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("MESSAGING_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
)
MESSAGING_ATTACHMENT_DIR = Path(os.environ.get("MESSAGING_ATTACHMENT_DIR", VAR_DIR / "attachments"))
# Court reports written by the worker; each is deleted seven days after it was written.
REPORT_DIR = Path(os.environ.get("COPARENT_REPORT_DIR", VAR_DIR / "reports"))
REPORT_KEEP_DAYS = 7
PASS_SIGNING_KEY_FILE = os.environ.get("COPARENT_PASS_KEY_FILE", str(VAR_DIR / "pass-signing.pem"))
RECORD_SIGNING_KEY_FILE = os.environ.get(
    "COPARENT_RECORD_KEY_FILE", str(VAR_DIR / "record-signing.key")
)
# The newest signed checkpoint of each family, outside the database (records/checkpoints.py).
RECORD_CHECKPOINT_DIR = os.environ.get(
    "COPARENT_RECORD_CHECKPOINT_DIR", str(VAR_DIR / "record-checkpoints")
)
EMAIL_CONFIRMATION_SECONDS = 3 * 24 * 3600
# Account → Sign-in history keeps each attempt this long (the worker's daily prune deletes older).
SIGN_IN_HISTORY_DAYS = 365

# Safety (coparent/safety): where quick exit goes, and the help lines the safety page lists, as
# JSON: [{"name": ..., "phone": ..., "text": ..., "url": "https://...", "hours": ...}].
COPARENT_QUICK_EXIT_URL = os.environ.get(
    "COPARENT_QUICK_EXIT_URL", "https://www.google.com/search?q=weather"
)
COPARENT_SAFETY_HOTLINES = os.environ.get("COPARENT_SAFETY_HOTLINES", "")

# Web push (coparent/push): the VAPID key pair signs every push request, created on first use.
PUSH_VAPID_KEY_FILE = os.environ.get("COPARENT_PUSH_KEY_FILE", str(VAR_DIR / "push-vapid.pem"))
# Who push services contact about this server's traffic (RFC 8292): the operator's address, or
# the site's own HTTPS address while the sender address is still the localhost default.
_sender = parseaddr(DEFAULT_FROM_EMAIL)[1] or "no-reply@coparent.localhost"
PUSH_VAPID_SUBJECT = os.environ.get("PUSH_VAPID_SUBJECT") or (
    SITE_URL
    if _sender.endswith(".localhost") and SITE_URL.startswith("https://")
    else f"mailto:{_sender}"
)
# The push services browsers subscribe at; the server POSTs to no other host.
PUSH_SERVICE_HOSTS = [
    h.strip().lower()
    for h in os.environ.get(
        "PUSH_SERVICE_HOSTS",
        "fcm.googleapis.com,*.push.services.mozilla.com,*.push.apple.com,*.notify.windows.com",
    ).split(",")
    if h.strip()
]
PUSH_ALLOW_HTTP_LOOPBACK = False  # the tests' fake push service only
PUSH_TIMEOUT_SECONDS = float(os.environ.get("PUSH_TIMEOUT_SECONDS", "10"))
PUSH_TTL_SECONDS = 24 * 3600  # how long a push service keeps a notification for an offline phone
PUSH_SUBSCRIPTIONS_PER_USER = 20

# Server errors (django.request) and refused suspicious requests (django.security: bad Host,
# oversized bodies) are one JSON line each on stderr, with the request id (core.logging). They
# do not propagate to Django's mail_admins handler: its reports would carry request data.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "utc": {
            "()": "coparent.core.logging.UTCFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "coparent.core.logging.JSONLineFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "utc"},
        "errors": {"class": "coparent.core.logging.StderrHandler", "formatter": "json"},
    },
    "loggers": {
        "coparent.security": {"handlers": ["console"], "level": "INFO"},
        # The worker logs task ids, names and error classes, never arguments or messages.
        "coparent.worker": {"handlers": ["console"], "level": "INFO"},
        "django.tasks": {"handlers": ["console"], "level": "WARNING"},
        "django.request": {"handlers": ["errors"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["errors"], "level": "ERROR", "propagate": False},
    },
}
