"""One settings module, driven by environment variables.

With nothing set the workbench runs embedded: SQLite under ``var/`` and Celery tasks executed eagerly in-process,
so a newcomer needs no server. ``DATABASE_URL`` and ``CELERY_BROKER_URL`` switch it to PostgreSQL and real workers.
Defaults are the safe ones: ``DEBUG`` is off, cookies are secure once HTTPS is declared, hosts are loopback only.
Malformed values are rejected at start-up rather than guessed at.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("WORKBENCH_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE - {''})}, got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _embedded_secret_key() -> str:
    """A per-checkout random key for the embedded mode, so no shared default key ever exists."""
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    path.write_text(key)
    path.chmod(0o600)
    return key


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or _embedded_secret_key()
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "workbench.admin_site.WorkbenchAdminConfig",  # django.contrib.admin with the reviewers' home page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "axes",
    "workbench.sources",
    "workbench.claims",
    "workbench.provenance",
    "workbench.review",
    "workbench.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Conditional GET: a GET answer gets an ETag (its content's hash, or the verdict's "rN"), and a client sending it
    # back in If-None-Match gets 304 with no body while the answer is unchanged.
    "django.middleware.http.ConditionalGetMiddleware",
    "workbench.core.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so it sees the login views' answers: turns a locked-out attempt into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "workbench.urls"
WSGI_APPLICATION = "workbench.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "workbench" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite in var/ unless DATABASE_URL names another (postgres://user@host:port/name).
_default_db_url = f"sqlite:///{VAR_DIR / 'workbench.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL") or _default_db_url
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE_S", 60))}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The candidate index's covering index (key INCLUDE article, sentence) is a PostgreSQL optimisation; SQLite builds
    # the plain key index and answers the same lookups.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Password logins pass through django-axes first: after AXES_FAILURE_LIMIT failures for one username from one address,
# that pair is refused (even with the right password) for AXES_COOLOFF_MINUTES. API tokens are not password logins.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# HTTPS. Declaring HTTPS=true turns on every transport protection check --deploy asks for.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp): scripts, fonts and frames from this origin only; no inline script anywhere
# (Swagger UI is served from the drf-spectacular-sidecar files and loads its init script as a file). Inline style
# attributes stay allowed because the admin and Swagger UI set them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Cache: Redis shared by every web and worker process (CACHE_URL=redis://[:PASSWORD@]HOST:PORT/DB), or, unset, a
# memory cache in each process. The API's rate counters live here (per process without Redis), and, only in a shared
# cache, remembered token look-ups: one process's memory would not hear of a revocation made in another.
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CACHE_URL must be a redis://, rediss:// or unix:// URL")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "workbench",
            # An unreachable cache costs a request at most this long; the API then reads the database instead.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
API_TOKEN_CACHE_S = 60 if CACHE_URL else 0

# Celery: no broker URL means eager, in-process execution (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # Eager tasks never reach a broker; the in-memory transport stops Celery looking for one on localhost.
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
# Celery's Django fix-up closes the database connection before and after every task unless this is set, so every
# task paid for a new PostgreSQL connection. It now closes it every this many tasks; between tasks the connection is
# checked as Django checks it between requests (workbench.celery: closed after an error, past DB_CONN_MAX_AGE_S, or
# when its health check fails).
CELERY_DB_REUSE_MAX = 200
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-acks-late
CELERY_TASK_ACKS_LATE = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-reject-on-worker-lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Long tasks: a worker reserves one message at a time so a slow trace does not hold others hostage.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT_S", 300, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT_S", 360, minimum=1)
# https://docs.celeryq.dev/en/stable/getting-started/backends-and-brokers/redis.html#visibility-timeout
# Must exceed the longest task, or a running task is delivered twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT_S", 900, minimum=60)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A trace running when the broker goes away finishes and stores its result (the job row, not the message, is the
# truth); cancelling it, Celery 6's default, would leave it to wait out its lease, since a restarted Redis has lost
# the message it would be redelivered from.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "workbench.api.schema.WorkbenchAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "workbench.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "workbench.api.permissions.ScopePermission",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "workbench.api.throttling.TokenRateThrottle",
        "workbench.api.throttling.SubmitRateThrottle",
    ],
    "DEFAULT_PARSER_CLASSES": ["workbench.api.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "workbench.api.filters.QueryFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "workbench.api.pagination.WorkbenchCursorPagination",
    "EXCEPTION_HANDLER": "workbench.api.exceptions.api_exception_handler",
}
# Webhook retries wait this long, doubling each time (30 s, 1 min, 2 min ... over about half an hour).
API_WEBHOOK_RETRY_BACKOFF_S = env_int("API_WEBHOOK_RETRY_BACKOFF_S", 30, minimum=0)
# Per-token request rates ("N/second|minute|hour|day"); a key set to None switches that limit off.
API_THROTTLE_RATES = {
    "token": os.environ.get("API_THROTTLE_RATE", "1200/hour"),
    "submit": os.environ.get("API_SUBMIT_THROTTLE_RATE", "120/hour"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Provenance workbench API",
    "DESCRIPTION": "Submit articles for tracing; read stories, claims, provenance links, divergences and verdicts; "
    "record verdicts; export PROV-JSON and ClaimReview; subscribe webhooks. "
    "Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI's files come from drf-spectacular-sidecar, served by this site: no CDN, and the CSP holds.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "ClaimLabelEnum": "workbench.claims.models.Label",
        "VerdictLabelEnum": "workbench.review.models.Verdict.Label",
        "VerdictStateEnum": "workbench.review.models.Verdict.State",
        "DivergenceTypeEnum": "workbench.provenance.models.Divergence.Type",
        "TraceJobStateEnum": "workbench.provenance.models.TraceJob.State",
        "WebhookEventEnum": "workbench.api.models.Webhook.Event",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Ingest limits: anything larger is refused with a clear error, never truncated silently.
INGEST_MAX_BYTES = env_int("INGEST_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
# Submitted text over this size is acknowledged at once and read by a worker, never inside the web request.
INGEST_INLINE_MAX_BYTES = env_int("INGEST_INLINE_MAX_BYTES", 256 * 1024, minimum=1)
# Largest JSON body the API reads: an article at the ingest limit plus its metadata.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", INGEST_MAX_BYTES + 64 * 1024, minimum=1024)
# Django reads a request body whole only up to this size; the API's own limit is the one that applies.
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES

# The history pages only show past revisions: a verdict changes state through the review services alone.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Background pipeline. A claimed job's lease is short and renewed by its worker every TRACE_JOB_HEARTBEAT_S while the
# job runs, however long that is; when the worker dies the renewals stop and the sweeper (every TRACE_JOB_SWEEP_S, see
# provenance.services.jobs) re-arms the job once the lease has run out, so it is sent again within about a minute.
TRACE_JOB_LEASE_S = env_int("TRACE_JOB_LEASE_S", 30, minimum=2)
TRACE_JOB_HEARTBEAT_S = env_int("TRACE_JOB_HEARTBEAT_S", 5, minimum=1)
if TRACE_JOB_HEARTBEAT_S * 2 > TRACE_JOB_LEASE_S:
    # One late renewal (a busy database, a long GIL hold) must not let a live job's lease run out.
    raise ImproperlyConfigured(
        f"TRACE_JOB_HEARTBEAT_S={TRACE_JOB_HEARTBEAT_S} must be at most half of TRACE_JOB_LEASE_S={TRACE_JOB_LEASE_S}"
    )
TRACE_JOB_MAX_ATTEMPTS = env_int("TRACE_JOB_MAX_ATTEMPTS", 5, minimum=1)
# CPU seconds one attempt of a job may use before it is stopped and failed (text processing is linear, so only a
# runaway reaches this). Enforced in a worker's main thread (prefork children); 0 turns it off.
TRACE_JOB_CPU_LIMIT_S = env_int("TRACE_JOB_CPU_LIMIT_S", 240, minimum=0)
# A queued job untouched this long has lost its message; the sweeper sends it again.
TRACE_JOB_QUEUED_STALE_S = env_int("TRACE_JOB_QUEUED_STALE_S", 120, minimum=1)
FETCH_DOMAIN_INTERVAL_S = env_int("FETCH_DOMAIN_INTERVAL_S", 2, minimum=0)
# The whole fetch of one page (connecting, redirects, reading) must end within this, or it is given up as transient:
# a server trickling bytes cannot hold a worker.
FETCH_TIMEOUT_S = env_int("FETCH_TIMEOUT_S", 30, minimum=1)
# Test-only: "127.0.0.1:PORT" items the fetcher may reach on loopback. Never set this in production.
FETCH_TEST_ALLOW_LOOPBACK = env_list("FETCH_TEST_ALLOW_LOOPBACK", [])
