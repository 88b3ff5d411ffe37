"""Test runs: in-memory SQLite unless CAMPUS_TEST_DATABASE_URL says otherwise."""

TESTING = True
SQLALCHEMY_DATABASE_URI = "sqlite://"
WTF_CSRF_ENABLED = False  # tests that check CSRF switch it back on
SERVER_NAME = None
