"""Static files under content-hashed names, cached for a year and sent compressed.

`url_for("static", filename="campus.css")` gives `/static/campus.<digest>.css`, the digest
being the first 12 hex digits of the file's SHA-256; the same holds for a blueprint's static
files (Bootstrap-Flask's `bootstrap.static`). That name changes whenever the content does,
so it is sent with `Cache-Control: public, max-age=31536000, immutable`: a browser asks for
it once. The plain name and a name with another digest (a page, or the day plan's offline
copy, from before a deployment) are still served, with the current content and a short
cache. `sw.js` keeps its name: the service worker is served at /sw.js by its own route.

CSS, JavaScript, SVG and JSON go out brotli- or gzip-compressed when the browser accepts
it (`Vary: Accept-Encoding`, one ETag per encoding, conditional requests answered with
304). Each file is read, hashed and compressed once per process and kept in memory; a
file that changes on disk (while developing) is read again. HTML is never compressed
here: pages carry CSRF tokens and reflect input, which compression would expose (BREACH);
README ("Static files and compression") shows the proxy settings instead.
"""

import gzip
import hashlib
import mimetypes
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, Response, abort, request, send_file
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import safe_join

try:  # optional: a quarter smaller than gzip; without it, gzip alone
    import brotli
except ImportError:  # pragma: no cover - brotli is a dependency; a platform may lack it
    brotli = None

DIGEST_LENGTH = 12
HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<suffix>\.[0-9A-Za-z]+)$")
LONG_CACHE = "public, max-age=31536000, immutable"
# Plain or outdated names: served, but kept only briefly (their content may change).
SHORT_CACHE = "public, max-age=300"
COMPRESSIBLE = frozenset(
    {
        "text/css",
        "text/javascript",
        "application/javascript",
        "image/svg+xml",
        "application/json",
        "text/plain",
    }
)
KEEP_NAMES = frozenset({"sw.js"})  # a service worker's address must not change


def _brotli(data: bytes) -> bytes:
    return brotli.compress(data, quality=11)


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


# In the order offered when the browser likes them equally.
ENCODERS = {"br": _brotli, "gzip": _gzip} if brotli else {"gzip": _gzip}


@dataclass
class Asset:
    """One static file as read: its stamp on disk, digest, type and, when compressible,
    its bytes in each encoding that is smaller than the original."""

    stamp: tuple[int, int]  # (mtime_ns, size): a change on disk reads the file again
    digest: str
    mimetype: str
    modified: float
    bodies: dict[str, bytes] = field(default_factory=dict)  # "identity", "gzip", "br"

    @property
    def short_digest(self) -> str:
        return self.digest[:DIGEST_LENGTH]


_assets: dict[Path, Asset] = {}
_lock = threading.Lock()


def _read(path: Path) -> Asset:
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    asset = _assets.get(path)
    if asset is not None and asset.stamp == stamp:
        return asset
    with _lock:  # one thread reads and compresses; the others wait for its result
        asset = _assets.get(path)
        if asset is None or asset.stamp != stamp:
            data = path.read_bytes()
            mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            asset = Asset(stamp, hashlib.sha256(data).hexdigest(), mimetype, stat.st_mtime)
            if mimetype in COMPRESSIBLE:
                asset.bodies["identity"] = data
                for name, encode in ENCODERS.items():
                    packed = encode(data)
                    if len(packed) < len(data):
                        asset.bodies[name] = packed
            _assets[path] = asset
    return asset


def _file(folder: str, filename: str) -> Path | None:
    """The file `filename` in `folder`, or None: missing, a folder, or outside it."""
    joined = safe_join(folder, filename)
    if joined is None or not os.path.isfile(joined):
        return None
    return Path(joined)


def hashed_name(folder: str, filename: str) -> str:
    """`css/site.css` -> `css/site.<digest>.css`; unchanged for a file that is missing,
    has no suffix, or must keep its name."""
    base = filename.rpartition("/")[2]
    stem, _, suffix = base.rpartition(".")
    if not stem or base in KEEP_NAMES:
        return filename
    path = _file(folder, filename)
    if path is None:
        return filename
    return f"{filename[: -len(suffix) - 1]}.{_read(path).short_digest}.{suffix}"


def _locate(folder: str, filename: str) -> tuple[Path | None, str | None]:
    """The file a request names, and the digest its name carries (None: a plain name)."""
    path = _file(folder, filename)
    if path is not None:
        return path, None
    match = HASHED.match(filename)
    if match:
        path = _file(folder, match["stem"] + match["suffix"])
        if path is not None:
            return path, match["digest"]
    return None, None


def serve(folder: str, filename: str) -> Response:
    """The view of a static endpoint: the current content of the named file."""
    path, digest = _locate(folder, filename)
    if path is None:
        abort(404)
    asset = _read(path)
    current = digest == asset.short_digest and path.name not in KEEP_NAMES
    if asset.bodies:
        encoding = request.accept_encodings.best_match(
            [name for name in ENCODERS if name in asset.bodies]
        )
        encoding = encoding or "identity"
        response = Response(asset.bodies[encoding], mimetype=asset.mimetype)
        if encoding != "identity":
            response.headers["Content-Encoding"] = encoding
        response.vary.add("Accept-Encoding")
        response.set_etag(f"{asset.digest[:32]}-{encoding}")
        response.last_modified = asset.modified
        response.make_conditional(request)
    else:
        response = send_file(
            path,
            mimetype=asset.mimetype,
            etag=asset.digest[:32],
            last_modified=asset.modified,
            conditional=True,
        )
        response.expires = None
    response.headers["Cache-Control"] = LONG_CACHE if current else SHORT_CACHE
    del response.headers["Date"]  # the server (gunicorn, werkzeug) sends its own
    return response


def static_folders(app: Flask) -> dict[str, str]:
    """Each static endpoint (the app's, and each blueprint's) and its folder."""
    folders = {}
    if app.static_folder and "static" in app.view_functions:
        folders["static"] = app.static_folder
    for name, blueprint in app.blueprints.items():
        if blueprint.static_folder and f"{name}.static" in app.view_functions:
            folders[f"{name}.static"] = blueprint.static_folder
    return folders


class SessionsBesideStaticFiles(SecureCookieSessionInterface):
    """A static file says nothing about the session: no `Vary: Cookie` on it (Flask-Login
    reads the session after every request), which would keep shared caches from keeping
    it and have browsers ask again after each login."""

    def save_session(self, app, session, response) -> None:
        static = request.endpoint in app.extensions["campus_static_endpoints"]
        if static and not session.modified:
            return
        super().save_session(app, session, response)


def _view(folder: str):
    def view(filename: str) -> Response:
        return serve(folder, filename)

    return view


def init_app(app: Flask) -> None:
    """Serve every static endpoint with `serve` and build its URLs with hashed names.
    Call after all blueprints are registered."""
    folders = static_folders(app)
    for endpoint, folder in folders.items():
        app.view_functions[endpoint] = _view(folder)
    app.extensions["campus_static_endpoints"] = frozenset(folders)
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = SessionsBesideStaticFiles()

    @app.url_defaults
    def _hashed(endpoint: str, values: dict) -> None:
        folder = folders.get(endpoint)
        if folder is not None and isinstance(values.get("filename"), str):
            values["filename"] = hashed_name(folder, values["filename"])
