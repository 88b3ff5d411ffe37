"""Small helpers shared by every blueprint's routes for forms."""

from flask_wtf import FlaskForm

from campus.exceptions import DomainError, FieldErrors


def attach_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal next to its field(s), or above the form if it has none."""
    errors = error.errors if isinstance(error, FieldErrors) else {error.field: error.message}
    for name, message in errors.items():
        field = getattr(form, name, None) if name else None
        if field is not None:
            field.errors = [*field.errors, str(message)]
        else:
            form.form_errors.append(str(message))


def form_status(form: FlaskForm) -> int:
    """422 for a form that came back with errors, so clients and tests can tell."""
    return 422 if form.errors else 200
