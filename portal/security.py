"""Security headers on every response, and no caching of pages that hold answers."""

from __future__ import annotations

from flask import Flask, Response, request

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


def init_security_headers(app: Flask) -> None:
    defaults = _EVERY_RESPONSE + (
        _IN_PRODUCTION if app.config["PORTAL_ENV"] == "production" else ()
    )

    @app.after_request
    def set_headers(response: Response) -> Response:
        headers = response.headers
        # One look through the response's headers for all of them, rather than one each (a
        # page's request is short enough for this to count: bench/results.md).
        present = {name.lower() for name, _ in headers.items()}
        headers.extend([(name, value) for name, value in defaults if name.lower() not in present])
        if request.endpoint != "static":
            # Pages can show a respondent's answers: never keep them in a shared computer's
            # cache or back-forward history.
            headers["Cache-Control"] = "no-store"
        return response
