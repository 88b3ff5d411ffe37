"""Test runs: in-memory SQLite unless CAMPUS_TEST_DATABASE_URL says otherwise."""

import tempfile
from pathlib import Path

TESTING = True
SQLALCHEMY_DATABASE_URI = "sqlite://"
WTF_CSRF_ENABLED = False  # tests that check CSRF switch it back on
SERVER_NAME = None
# A real but cheap hash, so that fixtures can create many users quickly;
# test_config checks that every other environment uses scrypt.
PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
JOBS = "inline"  # deterministic: jobs (mails, webhooks) run before the response returns
MAIL_BACKEND = "folder"  # tests that read mails run a real SMTP server (aiosmtpd)
LOG_LEVEL = "WARNING"  # keep test output readable; test_logging switches it on
# Apps made without a tmp folder of their own (subprocess tests) write mails here.
MAIL_FOLDER = str(Path(tempfile.gettempdir()) / "campus-test-mails")
