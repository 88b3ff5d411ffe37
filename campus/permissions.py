"""Who may see and do what: the one place for access rules."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from campus.models import Role, User


def is_admin(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def can_administer(user: User) -> bool:
    """Campuses, schools and users are managed by administrators only."""
    return is_admin(user)


def can_deactivate(actor: User, target: User) -> bool:
    """Admins deactivate others, never themselves (that would lock the last door)."""
    return can_administer(actor) and actor.id != target.id


def admin_required(view):
    """Route guard: log in first, then only administrators; anyone else gets 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can_administer(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped
