"""Entry point for gunicorn (`gunicorn wsgi:app`) and `flask --app wsgi`."""

import sys

from campus import create_app
from campus.config import ConfigError

try:
    # gunicorn and `flask --app wsgi` run production unless CAMPUS_ENV says otherwise:
    # a forgotten setting never means debug mode with a public secret key.
    app = create_app(default_env="production")
except ConfigError as error:  # one clear line instead of a traceback
    sys.exit(f"campus: {error}")
