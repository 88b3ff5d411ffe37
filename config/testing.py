"""Test runs: in-memory SQLite unless CAMPUS_TEST_DATABASE_URL says otherwise."""

TESTING = True
SQLALCHEMY_DATABASE_URI = "sqlite://"
WTF_CSRF_ENABLED = False  # tests that check CSRF switch it back on
SERVER_NAME = None
# A real but cheap hash, so that fixtures can create many users quickly;
# test_config checks that every other environment uses scrypt.
PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
WEBHOOK_DELIVERY = "inline"  # deterministic: sent before the response returns
LOG_LEVEL = "WARNING"  # keep test output readable; test_logging switches it on
