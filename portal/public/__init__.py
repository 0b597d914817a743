"""Pages for residents: the list of open consultations and the journey through one."""

from flask import Blueprint, request

from portal.extensions import run_without_transaction

bp = Blueprint("public", __name__)

# The one resident POST whose only write is a single statement on PostgreSQL
# (portal/responses/storing/postgresql.py).
SINGLE_STATEMENT_POSTS = {"public.submit"}


@bp.before_request
def _without_a_transaction_when_safe() -> None:
    """A resident's GET only reads (the journey writes on POST), and sending the response is one
    statement: on PostgreSQL these run in autocommit. The BEGIN and ROLLBACK round trips around
    a question page's one query were a sixth of its time (bench/results.md). Each query still
    reads one consistent snapshot."""
    if request.method in ("GET", "HEAD") or request.endpoint in SINGLE_STATEMENT_POSTS:
        run_without_transaction()


from portal.public import (  # noqa: E402, F401
    about_views,
    feedback_views,
    language_views,
    panel_views,
    paper_views,
    results_views,
    resume_views,
    views,
)
