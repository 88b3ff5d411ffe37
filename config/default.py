"""Settings shared by every environment; the environment files below override them.

Every key can also be set from the environment as CAMPUS_<KEY> (see campus/config.py).
"""

# A development-only secret; production refuses to start with it.
SECRET_KEY = "dev-insecure-change-me"

SQLALCHEMY_DATABASE_URI = None  # set per environment or by CAMPUS_DATABASE_URL
# hide_parameters: a database error in the log shows the statement, never its values
# (names, e-mail addresses, ticket texts).
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = False
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_SECURE = False
REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 14
PERMANENT_SESSION_LIFETIME = 60 * 60 * 12

# werkzeug's scrypt: memory-hard, the current recommendation for password storage.
PASSWORD_HASH_METHOD = "scrypt"

# Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed
# (nginx in front of gunicorn: 1). 0: every client is taken at its own address.
TRUSTED_PROXIES = 0

# Failed logins: after this many for one account from one address (5x as many per address,
# 5x as many per account from all addresses) within the window, further attempts wait;
# the waits grow when failures go on (campus/auth/lockout.py).
LOGIN_MAX_FAILURES = 10
LOGIN_WINDOW_SECONDS = 15 * 60
# Work outside a request (mails, webhooks, digests, rebuilding report figures) runs as jobs
# (campus/jobs.py): "redis" (the RQ queue in REDIS_URL, taken by `flask campus worker`),
# "thread" (in the asking process), "inline" (at once), "off" (only the worker's sweeps).
# None: "redis" when REDIS_URL is set, otherwise "thread".
JOBS = None
JOB_QUEUE_NAME = "campus"  # several Campus installations on one Redis: one name each
JOB_TIMEOUT_SECONDS = 600
# Webhooks go out right after the action as a job; "off" leaves them to the worker's sweep.
WEBHOOK_DELIVERY = "job"
# How long one attempt holds its delivery; if its sender dies, another run may send it
# again after this (the receiver sees the same X-Campus-Delivery id).
WEBHOOK_LEASE_SECONDS = 60
# Webhooks never go to the server's own networks (loopback, private, link-local ...)
# unless listed here, e.g. ["10.20.0.0/16"] for a system house's ITSM in a private range.
WEBHOOK_ALLOWED_NETWORKS: list[str] = []

# E-mail (campus/mail/): "smtp" (the server below), "folder" (each mail as an .eml file in
# MAIL_FOLDER, default instance/mails; development lists them at /dev/mails) or "off"
# (no mails at all).
MAIL_BACKEND = "smtp"
MAIL_SERVER = "localhost"
MAIL_PORT = 25
MAIL_USE_TLS = False  # STARTTLS after connecting (port 587)
MAIL_USE_SSL = False  # TLS from the start (port 465)
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_FROM = "Campus <campus@localhost>"
MAIL_FOLDER = None
MAIL_LEASE_SECONDS = 120
# Replies by e-mail: the address the gateway (`flask campus mail-gateway`) receives for,
# e.g. "antwort@campus.stadt.example"; notifications name it, with a signed tag, as their
# Reply-To. None: mails say "please answer on the ticket page" and take no replies.
MAIL_REPLY_ADDRESS = None
MAIL_GATEWAY_HOST = "127.0.0.1"
MAIL_GATEWAY_PORT = 8025
# Links in mails: invitations, password resets and one-click answers expire after this.
INVITATION_DAYS = 14
PASSWORD_RESET_MINUTES = 60

# API requests per user and minute before 429 Too Many Requests.
API_REQUESTS_PER_MINUTE = 120

# One line per request on stderr: "text" or "json" (JSON lines for log collectors).
LOG_FORMAT = "text"
LOG_LEVEL = "INFO"

# Shared counters for several app servers, e.g. redis://127.0.0.1:6379/0 (optional).
REDIS_URL = None
# When Redis is away, rate limits count in each process's memory instead of failing the
# request, and ask Redis again now and then (Redis calls give up after a second).
RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
RATELIMIT_SWALLOW_ERRORS = True

WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = 60 * 60 * 8

BABEL_DEFAULT_LOCALE = "de"
BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
LANGUAGES = ["de", "en"]

BOOTSTRAP_SERVE_LOCAL = True
BOOTSTRAP_BOOTSWATCH_THEME = None

# Ticket photos: 3 x 10 MB at most, plus the form.
MAX_CONTENT_LENGTH = 40 * 1024 * 1024
# Where photos are stored: outside static/, shared by all app servers
# (default: instance/uploads).
UPLOAD_FOLDER = None

ITEMS_PER_PAGE = 25

# The address QR labels point to, e.g. https://campus.stadt.example (no trailing slash);
# without it, the address the label sheet was requested from.
BASE_URL = None

# Due dates (campus/timetable/due.py). The clocks run in these working hours (Berlin
# time, weekdays 0 = Monday) and stand still on weekends and holidays. A new ticket's
# first response is due by the end of the school's next visit (one that still has this
# many minutes to go), a blocking one's within DUE_BLOCKING_RESPONSE_HOURS working hours,
# and one at a school without a timetable within DUE_RESPONSE_HOURS; the resolution is due
# within DUE_RESOLUTION_HOURS working hours by impact.
DUE_WORKING_HOURS = "08:00-16:00"
DUE_WORKING_DAYS = "0,1,2,3,4"
DUE_VISIT_GRACE_MINUTES = 30
DUE_BLOCKING_RESPONSE_HOURS = 2
DUE_RESPONSE_HOURS = 16
DUE_RESOLUTION_HOURS = {"blocking": 8, "impaired": 24, "minor": 80}
# How far ahead each school's visits are worked out and kept (days).
VISIT_PLAN_DAYS = 84

# Whom to ask about privacy, shown on the privacy page (/datenschutz), e.g. "Datenschutz-
# beauftragte der Stadt Dortmund, datenschutz@stadt.example, 0231 50-12345". None: the
# page asks readers to turn to the school board's administration of Campus.
PRIVACY_CONTACT = None

# Sign-in with the school's account (OpenID Connect, campus/sso/): a JSON list of
# providers, each {"name", "label", "issuer", "client_id", "client_secret", ...}; the
# README lists every key. Empty: passwords only.
OIDC_PROVIDERS: list[dict] = []
