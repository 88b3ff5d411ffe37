"""Production: PostgreSQL behind gunicorn; secrets only from the environment."""

DEBUG = False
SESSION_COOKIE_SECURE = True
REMEMBER_COOKIE_SECURE = True
PREFERRED_URL_SCHEME = "https"
# Browsers keep to HTTPS for this long after a visit (Strict-Transport-Security);
# CAMPUS_HSTS_SECONDS=0 leaves the header out (e.g. while trying HTTPS out).
HSTS_SECONDS = 365 * 24 * 3600
# Set CAMPUS_SECRET_KEY and CAMPUS_DATABASE_URL; start-up fails without a real secret.
SECRET_KEY = None
