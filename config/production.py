"""Production: PostgreSQL behind gunicorn; secrets only from the environment."""

DEBUG = False
SESSION_COOKIE_SECURE = True
REMEMBER_COOKIE_SECURE = True
PREFERRED_URL_SCHEME = "https"
# Set CAMPUS_SECRET_KEY and CAMPUS_DATABASE_URL; start-up fails without a real secret.
SECRET_KEY = None
