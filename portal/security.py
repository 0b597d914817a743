"""Security headers on every response, no caching of pages that hold answers, and the
same-origin check on every form sent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Flask, request
from flask_wtf.csrf import CSRFError

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

HeaderList = list[tuple[str, str]]

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        # No inline script anywhere: htmx is configured through a meta tag with eval and
        # injected indicator styles switched off (see templates/base.html).
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


# Set on every response unless the view set its own.
_EVERY_RESPONSE = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
_IN_PRODUCTION = (("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),)


class SecurityHeaders:
    """WSGI middleware adding the security headers to every response, and no-store to every
    response but a static file's.

    Set as the response starts, on the list of headers the server is handed, rather than
    through the response object's headers in an after_request hook, which checks and converts
    each one: that hook was 2.6% of a submission's CPU instructions, this is a seventh of that
    (bench/results.md). It also covers responses that never pass the hooks.
    """

    def __init__(self, wsgi_app: WSGIApplication, defaults: HeaderList, static_prefix: str) -> None:
        self.wsgi_app = wsgi_app
        self.defaults = defaults
        self.static_prefix = static_prefix

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        # Pages can show a respondent's answers: never keep them in a shared computer's cache
        # or back-forward history. Static files (fingerprinted, the same for everyone) are kept.
        no_store = not environ.get("PATH_INFO", "").startswith(self.static_prefix)

        def start_with_headers(status: str, headers: HeaderList, exc_info: Any = None) -> Any:
            present = {name.lower() for name, _ in headers}
            headers.extend(header for header in self.defaults if header[0].lower() not in present)
            if no_store:
                if "cache-control" in present:
                    headers[:] = [h for h in headers if h[0].lower() != "cache-control"]
                headers.append(("Cache-Control", "no-store"))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_with_headers)


def init_security_headers(app: Flask) -> None:
    defaults = _EVERY_RESPONSE + (
        _IN_PRODUCTION if app.config["PORTAL_ENV"] == "production" else ()
    )
    app.wsgi_app = SecurityHeaders(  # type: ignore[method-assign]
        app.wsgi_app, list(defaults), f"{app.static_url_path}/"
    )


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def refuse_other_origins() -> None:
    """A form must come from a page of this site: the Origin header, which every current
    browser sends with a POST, must be this site's; without one, a Referer, if given, must be.

    Flask-WTF's own check on HTTPS (WTF_CSRF_SSL_STRICT) required a Referer, so people whose
    browser or privacy tool strips it could not send any form; it is off, and this takes its
    place. The CSRF token is still required on every form."""
    if request.method not in UNSAFE_METHODS:
        return
    own = _origin_of(request.host_url)
    origin = request.headers.get("Origin")
    if origin and origin != "null":  # "null": an opaque origin, which tells nothing
        if origin.lower() != own:
            raise CSRFError("The form was sent from another site.")
        return
    referrer = request.headers.get("Referer")
    if referrer and _origin_of(referrer) != own:
        raise CSRFError("The form was sent from another site.")


def init_origin_check(app: Flask) -> None:
    app.config["WTF_CSRF_SSL_STRICT"] = False
    # Before Flask-WTF's token check (its hook was registered first): insert at the front.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_other_origins)
