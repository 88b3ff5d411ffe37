"""One log line per request: request id, user id, status, duration; as text or JSON lines.

Only the path is logged, never the query string, form, body or headers: no passwords,
tokens or ticket texts reach the log at INFO. People are named by their user id only, in
every log line of Campus, never by name or e-mail address (tests/functional/test_logging.py).
"""

import json
import logging
import re
import secrets
import sys
import time

from flask import Flask, g, request
from sqlalchemy import inspect as sa_inspect

logger = logging.getLogger("campus.requests")


# What a database server writes about the values of a failed statement (PostgreSQL:
# "DETAIL:  Failing row contains (...)", "Key (email)=(...) already exists"): the
# parameters are hidden by SQLAlchemy (hide_parameters), these lines by the formatters.
_VALUES = re.compile(r"^DETAIL:.*$|Key \(.*?\)=\(.*?\)", re.MULTILINE)


def scrub(text: str) -> str:
    return _VALUES.sub("[values hidden]", text)


class TextLines(logging.Formatter):
    def formatException(self, ei) -> str:
        return scrub(super().formatException(ei))


class JsonLines(TextLines):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update(getattr(record, "fields", {}))
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def init_logging(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if app.config.get("LOG_FORMAT") == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(TextLines("%(asctime)s %(levelname)s %(name)s %(message)s"))
    campus_logger = logging.getLogger("campus")
    campus_logger.handlers = [handler]
    campus_logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    campus_logger.propagate = False

    @app.before_request
    def _start_clock():
        g.started = time.perf_counter()

    @app.after_request
    def _log_request(response):
        if request.endpoint == "static":
            return response
        # Whoever this request was for, if anyone: read without loading anything again
        # (after the commit the user row is expired; its identity is still known).
        user = getattr(g, "api_user", None) or g.get("_login_user")
        fields = {
            "request_id": g.get("request_id", ""),
            "method": request.method,
            "path": printable(request.path),
            "status": response.status_code,
            "duration_ms": round(
                (time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1
            ),
            "user_id": _identity(user),
        }
        logger.info(
            "%s %s %s %sms",
            fields["method"],
            fields["path"],
            fields["status"],
            fields["duration_ms"],
            extra={"fields": fields},
        )
        return response


# Line breaks (and the other control and separator characters that some readers take as
# one) would let a path write a line of its own into the log: they are written as \xNN.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    return _UNPRINTABLE.sub(lambda m: ascii(m.group())[1:-1], text)


# A client's own request id (a proxy's, a script's) is kept if it is short and plain.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id_from(header: str | None) -> str:
    """The client's X-Request-ID if it is 1-64 safe characters, else a new one."""
    if header and _REQUEST_ID.fullmatch(header):
        return header
    return secrets.token_hex(8)


def _identity(user) -> int | None:
    """The database id of a loaded user; None for anonymous visitors."""
    state = sa_inspect(user, raiseerr=False) if user is not None else None
    if state is None or state.identity is None:
        return None
    return state.identity[0]
