"""Settings for every deployment tier, read from the environment.

Embedded default: SQLite in WAL mode inside ``CONGSO_DATA_DIR``; PostgreSQL and the rest by
setting ``CONGSO_DATABASE_URL`` and friends. Nothing secret lives in this file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
import structlog

from congso.web import log as congso_log

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("CONGSO_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The key from the environment, else one generated once into the data directory."""
    from_env = os.environ.get("CONGSO_SECRET_KEY")
    if from_env:
        return from_env
    path = DATA_DIR / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        key = secrets.token_urlsafe(64)
        handle.write(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("CONGSO_DEBUG", False)
# The development SMS/e-mail inboxes and demo conveniences; on only in `make demo`.
DEMO_MODE = _env_bool("CONGSO_DEMO", False)
ALLOWED_HOSTS = _env_list("CONGSO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("CONGSO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "congso.identity.admin_site.CongsoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_structlog",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "congso.core",
    "oauth2_provider",
    "congso.identity",
    "congso.identity.oidc",
    "congso.registry",
    "congso.notify",
    "congso.exchange",
    "congso.catalog",
    "congso.signing",
    "congso.documents",
    "congso.dossiers",
    "congso.demo",
    "congso.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before django-structlog: it binds the id this one vets (or makes) to every log line.
    "congso.web.middleware.RequestIdMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware without Accept-Language: Vietnamese unless the visitor switches.
    "congso.web.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "congso.urls"
WSGI_APPLICATION = "congso.wsgi.application"
AUTH_USER_MODEL = "identity.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "congso.web.context_processors.site",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
_sqlite_path = DATA_DIR / "congso.sqlite3"
DATABASES: dict[str, Any] = {
    "default": dj_database_url.parse(
        os.environ.get("CONGSO_DATABASE_URL", f"sqlite:///{_sqlite_path}"),
        conn_max_age=int(os.environ.get("CONGSO_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock when a
    # transaction starts, so two writers queue instead of failing halfway (this is what keeps
    # the audit chain and the code sequences linear on SQLite).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file too (not memory) so that they see WAL and real locking.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test_congso.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: per process by default; shared through Redis when CONGSO_REDIS_URL is set, which
# every multi-process deployment needs for rate limits that hold across processes.
_redis_url = os.environ.get("CONGSO_REDIS_URL", "")
CACHES: dict[str, Any] = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}
        if _redis_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Background jobs ------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Passwords ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["congso.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from it once collectstatic has run
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "congso.web.storage.StaticFilesStorage"  # whitenoise's, usable before collectstatic
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security -------------------------------------------------------------------------------
_secure = _env_bool("CONGSO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 30 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = _env_bool("CONGSO_SSL_REDIRECT", False)
# Load balancers probe the node over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
CSRF_FAILURE_VIEW = "congso.web.views.csrf_failure"
SECURE_HSTS_SECONDS = int(os.environ.get("CONGSO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
if _env_bool("CONGSO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Platform settings ----------------------------------------------------------------------
# Applications received after this local hour count from the next working day
# (a common one-stop-shop practice, configurable per deployment; vietnam.md section 2).
CONGSO_WORKDAY_CUTOFF_HOUR = int(os.environ.get("CONGSO_WORKDAY_CUTOFF_HOUR", "15"))
CONGSO_SITE_NAME = os.environ.get("CONGSO_SITE_NAME", "Cổng Số")

# --- Logging: structured JSON, one line per event, with the request id --------------------
LOG_LEVEL = os.environ.get("CONGSO_LOG_LEVEL", "INFO")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processor": structlog.processors.JSONRenderer(ensure_ascii=False),
            "foreign_pre_chain": [
                structlog.contextvars.merge_contextvars,
                congso_log.add_request_id_from_record,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                structlog.stdlib.add_logger_name,
                structlog.stdlib.add_log_level,
                # Django's "Internal Server Error" records carry exc_info: log the traceback text.
                structlog.processors.format_exc_info,
            ],
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
    },
}
structlog.configure(
    processors=[
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.filter_by_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    cache_logger_on_first_use=True,
)
DJANGO_STRUCTLOG_CELERY_ENABLED = False
# congso.web.middleware.RequestIdMiddleware has vetted (or made) the incoming X-Request-ID.
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True

# --- Notifications ---------------------------------------------------------------------------
# SMS, e-mail and in-app messages (congso.notify). In demo and debug mode SMS and e-mail land
# in the development inboxes (/dev/phone, /dev/mail); elsewhere, an HTTP SMS gateway and SMTP.
_dev_inboxes = DEMO_MODE or DEBUG
CONGSO_SMS_BACKEND = os.environ.get("CONGSO_SMS_BACKEND") or (
    "congso.notify.backends.sms.DevPhoneBackend"
    if _dev_inboxes
    else "congso.notify.backends.sms.HttpGatewayBackend"
)
CONGSO_SMS_GATEWAY_URL = os.environ.get("CONGSO_SMS_GATEWAY_URL", "")
CONGSO_SMS_GATEWAY_TOKEN = os.environ.get("CONGSO_SMS_GATEWAY_TOKEN", "")
CONGSO_SMS_GATEWAY_TIMEOUT = float(os.environ.get("CONGSO_SMS_GATEWAY_TIMEOUT", "10"))
CONGSO_SMS_SENDER = os.environ.get("CONGSO_SMS_SENDER", "CONGSO")  # the registered brandname
CONGSO_SMS_MAX_SEGMENTS = int(os.environ.get("CONGSO_SMS_MAX_SEGMENTS", "3"))
CONGSO_SMS_STRIP_DIACRITICS = _env_bool("CONGSO_SMS_STRIP_DIACRITICS", False)
CONGSO_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("CONGSO_NOTIFY_MAX_ATTEMPTS", "5"))
CONGSO_NOTIFY_RETRY_BASE_SECONDS = int(os.environ.get("CONGSO_NOTIFY_RETRY_BASE_SECONDS", "30"))
CONGSO_NOTIFY_RETRY_MAX_SECONDS = int(os.environ.get("CONGSO_NOTIFY_RETRY_MAX_SECONDS", "3600"))
CONGSO_NOTIFY_SWEEP_AFTER_MINUTES = int(os.environ.get("CONGSO_NOTIFY_SWEEP_AFTER_MINUTES", "5"))
CONGSO_NOTIFY_SENDING_TIMEOUT_MINUTES = int(os.environ.get("CONGSO_NOTIFY_SENDING_TIMEOUT_MINUTES", "15"))
CONGSO_NOTIFY_SWEEP_INTERVAL_SECONDS = int(os.environ.get("CONGSO_NOTIFY_SWEEP_INTERVAL_SECONDS", "60"))
EMAIL_BACKEND = os.environ.get("CONGSO_EMAIL_BACKEND") or (
    "congso.notify.backends.email.DevMailboxBackend"
    if _dev_inboxes
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("CONGSO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CONGSO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CONGSO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CONGSO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("CONGSO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("CONGSO_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("CONGSO_EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("CONGSO_DEFAULT_FROM_EMAIL", "Cổng Số <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# --- end Notifications -----------------------------------------------------------------------

# --- Identity --------------------------------------------------------------------------------
# Accounts, one-time codes, lockout, passkeys (congso.identity). Thresholds differ per
# deployment, so they come from the environment.
PASSWORD_HASHERS = [
    "congso.identity.passwords.Argon2idHasher",  # OWASP's first choice, at its parameters
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Decree 69/2024: 8-20 characters with upper and lower case letters, digits and symbols.
AUTH_PASSWORD_VALIDATORS = [
    *AUTH_PASSWORD_VALIDATORS,
    {"NAME": "congso.identity.passwords.ComplexityValidator"},
]
LOGIN_URL = "/dang-nhap/"
LOGIN_REDIRECT_URL = "/tai-khoan/"
LOGOUT_REDIRECT_URL = "/"
# After authentication: keeps "last seen" of each session and ends sessions signed out elsewhere.
MIDDLEWARE = [*MIDDLEWARE, "congso.identity.middleware.SessionActivityMiddleware"]
CONGSO_LOGIN_MAX_FAILURES = int(os.environ.get("CONGSO_LOGIN_MAX_FAILURES", "5"))
CONGSO_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("CONGSO_LOGIN_LOCKOUT_MINUTES", "15"))
CONGSO_LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("CONGSO_LOGIN_FAILURE_WINDOW_MINUTES", "60"))
# Wrong second-factor codes (all codes of a login together) before the account is locked.
CONGSO_LOGIN_MAX_CODE_FAILURES = int(os.environ.get("CONGSO_LOGIN_MAX_CODE_FAILURES", "10"))
CONGSO_LOGIN_IP_MAX_FAILURES = int(os.environ.get("CONGSO_LOGIN_IP_MAX_FAILURES", "30"))
CONGSO_LOGIN_IP_WINDOW_MINUTES = int(os.environ.get("CONGSO_LOGIN_IP_WINDOW_MINUTES", "15"))
CONGSO_OTP_LIFETIME_SECONDS = int(os.environ.get("CONGSO_OTP_LIFETIME_SECONDS", "300"))
CONGSO_OTP_MAX_ATTEMPTS = int(os.environ.get("CONGSO_OTP_MAX_ATTEMPTS", "5"))
CONGSO_OTP_RESEND_SECONDS = int(os.environ.get("CONGSO_OTP_RESEND_SECONDS", "60"))
CONGSO_SMS_CODES_PER_PHONE_PER_HOUR = int(os.environ.get("CONGSO_SMS_CODES_PER_PHONE_PER_HOUR", "5"))
# Activation and recovery requests per source address per hour.
CONGSO_IDENTITY_REQUESTS_PER_IP_PER_HOUR = int(
    os.environ.get("CONGSO_IDENTITY_REQUESTS_PER_IP_PER_HOUR", "30")
)
# Reverse proxies in front of the site that append to X-Forwarded-For (0: use REMOTE_ADDR).
CONGSO_IDENTITY_PROXY_COUNT = int(os.environ.get("CONGSO_IDENTITY_PROXY_COUNT", "0"))
# Security changes (factors, one-device option) need a login this recent, in minutes.
CONGSO_REAUTH_MINUTES = int(os.environ.get("CONGSO_REAUTH_MINUTES", "15"))
# WebAuthn relying party: empty means the host (and origin) of the request.
CONGSO_WEBAUTHN_RP_ID = os.environ.get("CONGSO_WEBAUTHN_RP_ID", "")
CONGSO_WEBAUTHN_ORIGINS = _env_list("CONGSO_WEBAUTHN_ORIGINS", "")
# Which enterprises a person represents is asked of the business registry, through the
# exchange, at login and before acting for an organisation when the last answer is older.
CONGSO_IDENTITY_REPRESENTATION_MAX_AGE_SECONDS = int(
    os.environ.get("CONGSO_IDENTITY_REPRESENTATION_MAX_AGE_SECONDS", "900")
)
# Authenticator-app secrets are encrypted at rest (AES-256-GCM, congso.identity.fieldcrypt) with
# these keys: comma-separated, 32 bytes each in urlsafe base64; the first encrypts, all decrypt.
# Unset: one key derived from a secret generated once into the data directory.
from congso.identity import fieldcrypt as _field_crypto  # noqa: E402  (no Django models imported)
from congso.identity.oidc.keys import stored_secret as _stored_secret  # noqa: E402

CONGSO_FIELD_ENCRYPTION_KEYS = _env_list("CONGSO_FIELD_ENCRYPTION_KEYS", "") or [
    _field_crypto.key_derive(_stored_secret(DATA_DIR / "field_encryption_secret"))
]
# --- end Identity ----------------------------------------------------------------------------

# --- OpenID Connect provider -----------------------------------------------------------------
# congso.identity.oidc on django-oauth-toolkit: authorization code flow with PKCE (S256) only,
# pairwise subjects, RS256 id_tokens. Relying parties are registered in the admin.
from congso.identity.oidc import keys as _oidc_keys  # noqa: E402  (no Django models imported)

# The issuer is derived from the request unless set; set it in production (e.g.
# "https://congso.gov.vn") so that tokens fetched over an internal address carry the public one.
CONGSO_OIDC_ISSUER = os.environ.get("CONGSO_OIDC_ISSUER", "").rstrip("/")
# Signing keys from the environment, else generated into (and rotated in) this directory.
CONGSO_OIDC_KEY_DIR: Path | None = (
    None if os.environ.get("CONGSO_OIDC_RSA_PRIVATE_KEY") else DATA_DIR / "oidc-keys"
)
_oidc_active_key, _oidc_inactive_keys = _oidc_keys.startup_pems(
    key_dir=CONGSO_OIDC_KEY_DIR,
    env_active=os.environ.get("CONGSO_OIDC_RSA_PRIVATE_KEY", ""),
    env_inactive=os.environ.get("CONGSO_OIDC_RSA_PRIVATE_KEYS_INACTIVE", ""),
)
# The secret that turns an account into a per-sector "sub"; changing it changes every sub.
CONGSO_OIDC_PAIRWISE_SALT = os.environ.get("CONGSO_OIDC_PAIRWISE_SALT") or _oidc_keys.stored_secret(
    DATA_DIR / "oidc_pairwise_salt"
)
OAUTH2_PROVIDER_APPLICATION_MODEL = "oidc.Application"
# The default, named so that migrations with a foreign key to it can resolve the swappable setting.
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105 (a model name, not a secret)
OAUTH2_PROVIDER: dict[str, Any] = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": CONGSO_OIDC_ISSUER,
    "OIDC_RSA_PRIVATE_KEY": _oidc_active_key,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": _oidc_inactive_keys,
    "OAUTH2_VALIDATOR_CLASS": "congso.identity.oidc.validators.CongsoOAuth2Validator",
    "APPLICATION_ADMIN_CLASS": "congso.identity.oidc.admin.ApplicationAdmin",
    "SCOPES": {
        "openid": "OpenID Connect: a pairwise subject identifier",
        "profile": "Full name, date of birth and sex",
        "phone": "Phone number",
        "address": "Address",
        "personal_id": "Personal identification number",
    },
    "DEFAULT_SCOPES": ["openid"],
    "PKCE_REQUIRED": True,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_SUBJECT_TYPES_SUPPORTED": ["pairwise"],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    # No question when the id_token_hint names the person logged in here.
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    # http is accepted for loopback redirect URIs only (oidc.models.uri_scheme_problem).
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("CONGSO_OIDC_ACCESS_TOKEN_SECONDS", "600")),
    "ID_TOKEN_EXPIRE_SECONDS": int(os.environ.get("CONGSO_OIDC_ID_TOKEN_SECONDS", "600")),
    "REFRESH_TOKEN_EXPIRE_SECONDS": int(os.environ.get("CONGSO_OIDC_REFRESH_TOKEN_SECONDS", "28800")),
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "CLIENT_SECRET_HASHER": "congso_client_secret",
    # RFC 9700 (OAuth 2.0 Security BCP): no implicit or password grant, no "plain" PKCE, no
    # tokens in query strings, `iss` in authorization responses, tokens stored only as hashes.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}
# Client secrets are random and long: a fast salted hash, not Argon2 (see oidc/hashers.py).
PASSWORD_HASHERS = [*PASSWORD_HASHERS, "congso.identity.oidc.hashers.ClientSecretHasher"]
# Refused token requests (bad client, code, verifier, refresh token) per window: past the limit
# every token request from that address, or naming that client, is answered 429 until the
# window ends. A relying party's servers are one address for all its users: raise the first
# figure if a large service legitimately sees more refusals than this.
CONGSO_OIDC_TOKEN_REFUSALS_PER_ADDRESS = int(os.environ.get("CONGSO_OIDC_TOKEN_REFUSALS_PER_ADDRESS", "30"))
CONGSO_OIDC_TOKEN_REFUSALS_PER_CLIENT = int(os.environ.get("CONGSO_OIDC_TOKEN_REFUSALS_PER_CLIENT", "300"))
CONGSO_OIDC_TOKEN_REFUSAL_WINDOW_MINUTES = int(
    os.environ.get("CONGSO_OIDC_TOKEN_REFUSAL_WINDOW_MINUTES", "15")
)
# --- end OpenID Connect provider -------------------------------------------------------------

# --- Data exchange ---------------------------------------------------------------------------
# The data-exchange platform (congso.exchange): gateway /r1/..., token endpoint, message log.
CONGSO_EXCHANGE_INSTANCE = os.environ.get("CONGSO_EXCHANGE_INSTANCE", "VN")
# Ed25519 key signing log checkpoints, receipts and evidence (PEM or base64 seed); empty:
# generated once into DATA_DIR/exchange_signing_key.pem. Rotated-out public keys (base64)
# stay trusted by the log verifier when listed in CONGSO_EXCHANGE_TRUSTED_LOG_KEYS.
CONGSO_EXCHANGE_SIGNING_KEY = os.environ.get("CONGSO_EXCHANGE_SIGNING_KEY", "")
CONGSO_EXCHANGE_TRUSTED_LOG_KEYS = _env_list("CONGSO_EXCHANGE_TRUSTED_LOG_KEYS", "")
# The `aud` client assertions must name; empty: the token endpoint's URL as requested.
CONGSO_EXCHANGE_TOKEN_URL = os.environ.get("CONGSO_EXCHANGE_TOKEN_URL", "")
CONGSO_EXCHANGE_TOKEN_LIFETIME_SECONDS = int(os.environ.get("CONGSO_EXCHANGE_TOKEN_LIFETIME_SECONDS", "300"))
CONGSO_EXCHANGE_ASSERTION_MAX_SECONDS = int(os.environ.get("CONGSO_EXCHANGE_ASSERTION_MAX_SECONDS", "300"))
# Mutual TLS: the header in which the TLS-terminating proxy passes the verified client
# certificate (e.g. "Client-Cert", RFC 9440); the proxy must strip it from client requests.
CONGSO_EXCHANGE_MTLS_CERT_HEADER = os.environ.get("CONGSO_EXCHANGE_MTLS_CERT_HEADER", "")
CONGSO_EXCHANGE_RATE_LIMIT_PER_MINUTE = int(os.environ.get("CONGSO_EXCHANGE_RATE_LIMIT_PER_MINUTE", "600"))
CONGSO_EXCHANGE_MAX_BODY_BYTES = int(os.environ.get("CONGSO_EXCHANGE_MAX_BODY_BYTES", str(1024 * 1024)))
CONGSO_EXCHANGE_MAX_RESPONSE_BYTES = int(
    os.environ.get("CONGSO_EXCHANGE_MAX_RESPONSE_BYTES", str(10 * 1024 * 1024))
)
# How long a process trusts its cached clients, services and rights (changes elsewhere).
CONGSO_EXCHANGE_CACHE_SECONDS = float(os.environ.get("CONGSO_EXCHANGE_CACHE_SECONDS", "5"))
CONGSO_EXCHANGE_CHECKPOINT_EVERY = int(os.environ.get("CONGSO_EXCHANGE_CHECKPOINT_EVERY", "1000"))
CONGSO_EXCHANGE_CHECKPOINT_SECONDS = int(os.environ.get("CONGSO_EXCHANGE_CHECKPOINT_SECONDS", "300"))
CONGSO_EXCHANGE_PORTAL_CLIENT = os.environ.get("CONGSO_EXCHANGE_PORTAL_CLIENT", "VN/GOV/CONGSO/PORTAL")
# The electronic-identity system's subsystem: it asks the business registry whom a person
# represents. Where the police operate the eID, name their member here.
CONGSO_EXCHANGE_EID_CLIENT = os.environ.get("CONGSO_EXCHANGE_EID_CLIENT", "VN/GOV/CONGSO/VNEID")
# Decree 13/2023 art. 11: consent is specific and time-bound.
CONGSO_EXCHANGE_CONSENT_MAX_DAYS = int(os.environ.get("CONGSO_EXCHANGE_CONSENT_MAX_DAYS", "365"))
# /metrics: a bearer token, else only these addresses.
CONGSO_EXCHANGE_METRICS_TOKEN = os.environ.get("CONGSO_EXCHANGE_METRICS_TOKEN", "")
CONGSO_EXCHANGE_METRICS_ALLOWED_IPS = _env_list("CONGSO_EXCHANGE_METRICS_ALLOWED_IPS", "127.0.0.1,::1")
CONGSO_EXCHANGE_METRICS_FLUSH_SECONDS = float(os.environ.get("CONGSO_EXCHANGE_METRICS_FLUSH_SECONDS", "10"))
CONGSO_EXCHANGE_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("CONGSO_EXCHANGE_WEBHOOK_MAX_ATTEMPTS", "8"))
CONGSO_EXCHANGE_WEBHOOK_RETRY_BASE_SECONDS = int(
    os.environ.get("CONGSO_EXCHANGE_WEBHOOK_RETRY_BASE_SECONDS", "30")
)
CONGSO_EXCHANGE_WEBHOOK_TIMEOUT = float(os.environ.get("CONGSO_EXCHANGE_WEBHOOK_TIMEOUT", "10"))
# --- end Data exchange -----------------------------------------------------------------------

# --- Dossiers ---------------------------------------------------------------------------------------
# The portal's public address, for QR codes on receipts and results and links in messages.
CONGSO_SITE_URL = os.environ.get("CONGSO_SITE_URL", "http://localhost:8000").rstrip("/")
# A dossier due within this many working days shows as "due soon" in the officer's queue.
CONGSO_DOSSIER_DUE_SOON_DAYS = int(os.environ.get("CONGSO_DOSSIER_DUE_SOON_DAYS", "2"))
# How long the consent given in the application wizard lasts (the citizen can withdraw it).
CONGSO_DOSSIER_CONSENT_DAYS = int(os.environ.get("CONGSO_DOSSIER_CONSENT_DAYS", "30"))
# The public status lookup (page and API): missed lookups per client address before a lockout.
CONGSO_DOSSIER_LOOKUP_MAX_MISSES = int(os.environ.get("CONGSO_DOSSIER_LOOKUP_MAX_MISSES", "20"))
CONGSO_DOSSIER_LOOKUP_LOCK_MINUTES = int(os.environ.get("CONGSO_DOSSIER_LOOKUP_LOCK_MINUTES", "15"))
# --- end Dossiers -----------------------------------------------------------------------------------

# --- Signing ---------------------------------------------------------------------------------
# Agency digital signatures on PDFs ("chữ ký số cơ quan", congso.signing). Private keys live as
# encrypted PKCS#8 files in CONGSO_PKI_DIR (mode 0700), never in the database; the passphrase
# comes from the environment, else it is generated once into DATA_DIR/pki_passphrase, which
# only suits a demo or a single server whose disk is itself protected.
CONGSO_PKI_DIR = Path(os.environ.get("CONGSO_PKI_DIR") or DATA_DIR / "pki").resolve()
CONGSO_PKI_PASSPHRASE = os.environ.get("CONGSO_PKI_PASSPHRASE", "")
# A demo root CA issues each agency's certificate on its first signature. Production sets this
# to false and imports every agency's certificate (`manage.py signing_import_pkcs12`).
CONGSO_SIGNING_DEMO_CA = _env_bool("CONGSO_SIGNING_DEMO_CA", True)
CONGSO_SIGNING_CERTIFICATE_DAYS = int(os.environ.get("CONGSO_SIGNING_CERTIFICATE_DAYS", "1095"))
# DejaVu TrueType fonts (Debian: fonts-dejavu-core) carry every Vietnamese letter.
CONGSO_PDF_FONT_DIR = Path(os.environ.get("CONGSO_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
# The public check of a signed PDF (/xac-minh-chu-ky/): upload size and checks per address.
CONGSO_SIGNING_VERIFY_MAX_BYTES = int(
    os.environ.get("CONGSO_SIGNING_VERIFY_MAX_BYTES", str(10 * 1024 * 1024))
)
CONGSO_SIGNING_VERIFY_PER_IP_PER_HOUR = int(os.environ.get("CONGSO_SIGNING_VERIFY_PER_IP_PER_HOUR", "60"))
# --- end Signing -----------------------------------------------------------------------------

# --- Documents -------------------------------------------------------------------------------
# The personal document store and safe uploads (congso.documents).
CONGSO_UPLOAD_MAX_BYTES = int(os.environ.get("CONGSO_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
# Files one dossier may carry (checked by congso.dossiers).
CONGSO_UPLOAD_MAX_FILES = int(os.environ.get("CONGSO_UPLOAD_MAX_FILES", "20"))
# Uploads above 1 MiB stream to a temporary file rather than sit in memory. The temporary
# files live beside MEDIA_ROOT so that storing one is a rename, not a second copy.
# (DATA_UPLOAD_MAX_MEMORY_SIZE, set above, limits the form fields only, never the files.)
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "upload-tmp")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(exist_ok=True)
# People's files: readable by the service account (and its group) only.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
# --- end Documents ---------------------------------------------------------------------------
