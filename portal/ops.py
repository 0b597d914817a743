"""Running in production: health checks, request ids in structured (JSON) logs, fingerprinted
static files cached for a year, and compression of static assets.

Nothing here keeps state in process memory that matters: sessions live in signed cookies, rate
limits in Redis when several servers share them, everything else in the database. The static
manifest is derived from the files, so every server computes the same one.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import secrets
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    has_request_context,
    request,
    send_from_directory,
)
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.accounts.permissions import Action, allows
from portal.extensions import db

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

bp = Blueprint("ops", __name__)

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_ENVIRON_HEADER = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")
REQUEST_ID_KEY = "portal.request_id"  # in the WSGI environment
# What the logs call the request's path, in the WSGI environment: gunicorn's access log reads
# it as %({portal.route}e)s.
ROUTE_KEY = "portal.route"
# An id passed in by the reverse proxy is kept if it is plain; anything else is replaced.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
ONE_YEAR = 365 * 24 * 3600
ONE_HOUR = 3600


# Health ---------------------------------------------------------------------------------------


@bp.get("/healthz")
@allows(Action.CHECK_HEALTH)
def healthz() -> tuple[dict[str, str], int]:
    """The process is up and answering (for the load balancer's liveness check)."""
    return {"status": "ok"}, 200


@bp.get("/readyz")
@allows(Action.CHECK_HEALTH)
def readyz() -> tuple[dict[str, Any], int]:
    """The process can reach the database: send it traffic."""
    started = time.perf_counter()
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        return {"status": "unavailable", "database": type(error).__name__}, 503
    return {"status": "ok", "database_ms": round((time.perf_counter() - started) * 1000, 1)}, 200


# Request ids and JSON logs ----------------------------------------------------------------------


def current_request_id() -> str | None:
    return request.environ.get(REQUEST_ID_KEY) if has_request_context() else None


# What the logs say of a request no route took (a mistyped address, a wrong method, a host
# the portal refuses): its path could hold a code (a POST to /i/<code>), so not the path.
NO_ROUTE = "(no route)"


def logged_path() -> str:
    """The request's path as the logs give it: the route's pattern (`/i/<code>`,
    `/panel/leave/<token>`), never the invitation code or leave token in it; a static
    file's own path; NO_ROUTE where no route matched."""
    rule = request.url_rule
    if rule is None:
        return NO_ROUTE
    return request.path if rule.endpoint == "static" else rule.rule


def _note_route(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Run before any before_request hook (a CSRF, origin or rate-limit refusal among them),
    so a refused request is logged by its route too."""
    request.environ[ROUTE_KEY] = logged_path()


class RequestIds:
    """WSGI middleware giving each request an id (the reverse proxy's, if it sent a plain one)
    for its log lines, and returning it in X-Request-ID.

    In the WSGI environment and on the server's list of headers rather than through Flask's
    before and after hooks and `g`, which were 2.2% of a submission's CPU instructions, this a
    third of that (bench/results.md); every response carries it, hooks run or not."""

    def __init__(self, wsgi_app: WSGIApplication) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        given = environ.get(_REQUEST_ID_ENVIRON_HEADER, "")
        request_id = given if _REQUEST_ID.match(given) else secrets.token_hex(16)
        environ[REQUEST_ID_KEY] = request_id
        # Until the app has matched a route (_note_route): none, if it never does.
        environ[ROUTE_KEY] = NO_ROUTE

        def start_with_id(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers.append((REQUEST_ID_HEADER, request_id))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_with_id)


class ChunkedBodyLimit:
    """WSGI middleware refusing a chunked request body over MAX_CONTENT_LENGTH with 413, as
    one with a Content-Length over it is.

    A chunked body has no length to check up front: Werkzeug read it to the limit and the form
    came out empty, so the request failed later (400) having been read and ignored. Here the
    body, at most one byte over the limit, is read first; a body over it reaches the app as
    one declaring its length, which Werkzeug refuses with 413 before reading anything."""

    def __init__(self, wsgi_app: WSGIApplication, limit: int) -> None:
        self.wsgi_app = wsgi_app
        self.limit = limit

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        # Chunked framing overrides any Content-Length given beside it (RFC 9112, 6.3).
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            stream = environ["wsgi.input"]
            body = bytearray()
            while len(body) <= self.limit:
                piece = stream.read(min(65536, self.limit + 1 - len(body)))
                if not piece:
                    break
                body += piece
            # Now a body of known length: Werkzeug ignores the length of a chunked one.
            del environ["HTTP_TRANSFER_ENCODING"]
            environ["CONTENT_LENGTH"] = str(len(body))
            environ["wsgi.input"] = io.BytesIO(b"" if len(body) > self.limit else bytes(body))
        return self.wsgi_app(environ, start_response)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and the error."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        if has_request_context():
            # The route, not the path: paths and query strings can hold personal codes.
            entry["method"], entry["path"] = request.method, logged_path()
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


JsonFormatter.converter = time.gmtime  # UTC, as the "Z" says


def configure_logging(app: Flask) -> None:
    """JSON lines on standard error in production (or PORTAL_LOG_FORMAT=json); plain text
    otherwise. gunicorn's access log is JSON too (portal/gunicorn_config.py)."""
    if app.config["LOG_FORMAT"] != "json":
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    app.logger.handlers[:] = [handler]
    app.logger.propagate = False
    app.logger.setLevel(logging.INFO)
    for name in ("portal", "portal.extensions"):
        named = logging.getLogger(name)
        named.handlers[:] = [handler]
        named.propagate = False


# Fingerprinted static files -------------------------------------------------------------------


class StaticManifest:
    """Each file under static/ by a name with a hash of its content in it (app.css ->
    app.3f2a1b9c0d.css), so a changed file has a new address and every address can be cached
    for a year. The plain names still work, cached for an hour, for files that refer to each
    other by relative path (ES module imports)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fingerprinted: dict[str, str] = {}  # real name -> fingerprinted name
        self.real: dict[str, str] = {}  # fingerprinted name -> real name
        for path in sorted(folder.rglob("*")):
            if not path.is_file():
                continue
            name = path.relative_to(folder).as_posix()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
            stem, dot, suffix = name.rpartition(".")
            printed = (
                f"{stem}.{digest}.{suffix}" if dot and "/" not in suffix else f"{name}.{digest}"
            )
            self.fingerprinted[name] = printed
            self.real[printed] = name


def init_static(app: Flask) -> None:
    folder = Path(app.static_folder or "")
    manifest = StaticManifest(folder)
    app.extensions["static_manifest"] = manifest

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = manifest.fingerprinted.get(values["filename"], values["filename"])

    def serve_static(filename: str) -> Response:
        real = manifest.real.get(filename)
        if real is not None:
            response = send_from_directory(folder, real, max_age=ONE_YEAR)
            response.cache_control.immutable = True
        elif filename in manifest.fingerprinted:
            response = send_from_directory(folder, filename, max_age=ONE_HOUR)
        else:
            abort(404)
        if response.status_code == 200:
            # Read the (small) file into the response, so it is compressed whole, with a
            # length, rather than passed through as a stream.
            response.direct_passthrough = False
            response.make_sequence()
        return response

    # Replace Flask's own static view with one that knows the fingerprinted names.
    app.view_functions["static"] = serve_static


# Wiring -----------------------------------------------------------------------------------------


def init_ops(app: Flask) -> None:
    configure_logging(app)
    if app.config["PORTAL_ENV"] == "production" and not app.config["PROXY_HOPS"]:
        # Behind nginx without it, every visitor has nginx's address: one rate limit and one
        # sign-in lock for everybody.
        app.logger.warning(
            "PORTAL_PROXY_HOPS is 0: the portal takes each request's address as the client's. "
            "Behind a reverse proxy (docs/nginx.conf) set PORTAL_PROXY_HOPS=1, or every "
            "visitor shares the proxy's rate limits and sign-in locks."
        )
    app.wsgi_app = RequestIds(app.wsgi_app)  # type: ignore[method-assign]
    if app.config["MAX_CONTENT_LENGTH"]:
        app.wsgi_app = ChunkedBodyLimit(  # type: ignore[method-assign]
            app.wsgi_app, app.config["MAX_CONTENT_LENGTH"]
        )
    app.url_value_preprocessor(_note_route)
    init_static(app)
    if app.config["PROXY_HOPS"]:
        # Behind a reverse proxy: trust its X-Forwarded-For/-Proto/-Host, so Secure cookies,
        # HTTPS URLs and rate limits per client address work.
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    from portal.extensions import compress, limiter

    compress.init_app(app)
    limiter.exempt(bp)
    app.register_blueprint(bp)
