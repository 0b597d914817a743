"""Error pages in the service's own words; no stack trace ever reaches a user."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, g, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    SecurityError,
    ServiceUnavailable,
)

from portal.extensions import db

# Seconds a respondent is asked to wait when the database cannot be reached (a restart or
# fail-over takes a few seconds).
RETRY_AFTER_SECONDS = 60

# Lazy: each is said in the language of the request that meets it.
MESSAGES = {
    400: (_l("There is a problem with your request"), _l("Go back and try again.")),
    403: (_l("You do not have permission to see this page"), ""),
    404: (_l("Page not found"), _l("If you typed the web address, check it is correct.")),
    405: (_l("Sorry, there is a problem with the service"), _l("Go back and try again.")),
    413: (_l("What you sent is too large"), _l("Go back, shorten what you wrote and try again.")),
    429: (_l("Too many attempts"), _l("You have tried this too many times in a short time.")),
    500: (
        _l("Sorry, there is a problem with the service"),
        _l("Try again later. Answers you have already saved have not been lost."),
    ),
}


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        # Usually a form left open so long that the session ended, or cookies blocked.
        _roll_back()
        return (
            render_template(
                "errors/error.html",
                heading=_("Sorry, your form could not be sent"),
                message=_(
                    "This can happen if the page was open for a long time or your browser "
                    "blocks cookies. Nothing you sent on that page was saved. Go back, reload "
                    "the page and try again."
                ),
            ),
            400,
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
        _roll_back()
        if isinstance(error, SecurityError):
            # A Host not among TRUSTED_HOSTS: no link can be built for it, so no page with
            # links either. Only a misdirected client or a probe sees this.
            return f"{MESSAGES[400][0]}.\n", 400, {"Content-Type": "text/plain; charset=utf-8"}
        code = error.code or 500
        heading, message = MESSAGES.get(code, (error.name, ""))
        if isinstance(error, RateLimitExceeded):
            message = f"{message} {_when_to_try_again(error)}"
        return render_template("errors/error.html", heading=heading, message=message), code

    @app.errorhandler(sa.exc.DBAPIError)
    def database_error(
        error: sa.exc.DBAPIError,
    ) -> tuple[str, int, dict[str, str]] | tuple[str, int]:
        """The database went away (restarted, failed over, out of connections): the request's
        transaction was rolled back whole, so nothing partial is stored, and every answer saved
        before is still in the respondent's draft. Say so, and to try again."""
        lost = error.connection_invalidated or isinstance(
            error, (sa.exc.OperationalError, sa.exc.InterfaceError)
        )
        if not lost:
            return unexpected_error(error)
        app.logger.warning("Database unavailable: %s", type(error.orig).__name__)
        g.database_unavailable = True  # render the page without asking the database anything
        _roll_back()
        return (
            render_template(
                "errors/error.html",
                heading=_("Sorry, the service is busy"),
                message=_(
                    "Nothing you sent just now was saved, and your earlier answers are safe. "
                    "Wait a minute, then go back and send the page again."
                ),
            ),
            ServiceUnavailable.code,
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int]:
        app.logger.exception("Unhandled error", exc_info=error)
        _roll_back()
        heading, message = MESSAGES[500]
        return (
            render_template("errors/error.html", heading=heading, message=message),
            InternalServerError.code,
        )


def _roll_back() -> None:
    """End the failed request's transaction before the error page is drawn: on PostgreSQL an
    aborted transaction refuses every later query (the signed-in user's menu included), and
    the error page itself would fail, leaving a bare 500."""
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.close()


def _when_to_try_again(error: RateLimitExceeded) -> str:
    """Wait a minute, an hour or a day: as long as the limit that was reached counts."""
    seconds = error.limit.limit.get_expiry()
    if seconds <= 60:
        return _("Wait a minute and try again.")
    if seconds <= 3600:
        return _("Wait an hour and try again.")
    return _("Try again tomorrow.")
