"""Local development: SQLite file under instance/, debug toolbar-free, verbose errors."""

DEBUG = True
# SQLALCHEMY_DATABASE_URI is derived from the instance folder when not set
# (instance/campus.db), see campus/config.py.

# Mails are written to instance/mails and listed at http://127.0.0.1:5000/dev/mails.
MAIL_BACKEND = "folder"
