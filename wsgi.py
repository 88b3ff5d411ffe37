"""Entry point for gunicorn (`gunicorn wsgi:app`) and `flask --app wsgi`."""

import sys

from campus import create_app
from campus.config import ConfigError

try:
    app = create_app()
except ConfigError as error:  # one clear line instead of a traceback
    sys.exit(f"campus: {error}")
