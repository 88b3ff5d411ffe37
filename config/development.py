"""Local development: SQLite file under instance/, debug toolbar-free, verbose errors."""

DEBUG = True
# SQLALCHEMY_DATABASE_URI is derived from the instance folder when not set
# (instance/campus.db), see campus/config.py.
