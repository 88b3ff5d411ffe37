"""Route guards: the HTTP side of the access rules in campus/permissions.py.

The rules only say yes or no; turning a no into a 403 belongs to the routes.
"""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from campus.permissions import can_administer


def admin_required(view):
    """Route guard: log in first, then only administrators; anyone else gets 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can_administer(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped
