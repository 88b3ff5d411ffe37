"""Small helpers shared by every blueprint's routes for forms."""

from flask_wtf import FlaskForm


def form_status(form: FlaskForm) -> int:
    """422 for a form that came back with errors, so clients and tests can tell."""
    return 422 if form.errors else 200
