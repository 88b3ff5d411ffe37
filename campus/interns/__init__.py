"""Pupil internships at the campus (issue 19)."""

from flask import Blueprint

bp = Blueprint("interns", __name__, url_prefix="/internships")
