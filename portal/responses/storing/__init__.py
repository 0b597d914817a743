"""Writing one submitted response: the response row, its answers, the claim on the draft (and
on a panel invitation), safeguarding flags, panel groups and the running tallies, committed.

This is the busiest write the portal has, written once for each database: one statement on
PostgreSQL (postgresql.py), a transaction of statements sent straight to the driver on SQLite
(sqlite.py). Both keep the rules of portal/responses/tallies.py: each tally table's rows are
touched in key order, and a response always counts in the shard of its id; both count the
answer and question tallies from the answers they have just inserted.
"""

from __future__ import annotations

from portal.extensions import db
from portal.responses.storing import postgresql, sqlite
from portal.responses.storing.submission import DraftTaken, Flag, InvitationTaken, Submission

__all__ = ["DraftTaken", "Flag", "InvitationTaken", "Submission", "store_response"]


def store_response(submission: Submission) -> int:
    """Insert the response, claim the draft and any panel invitation, insert the answers, flag
    the answers in `flags`, keep the member's panel groups and count it all in, and commit.
    Returns the response's id.

    Raises DraftTaken or InvitationTaken, having written nothing, when another submission
    claimed the draft or the invitation first; the caller's transaction must then be rolled
    back (as after any error). On PostgreSQL it is one statement, atomic by itself, so it
    commits itself when sent outside a transaction (portal/public/__init__.py); on SQLite its
    statements are written when the submission's turn comes, in a savepoint of a transaction
    committing the other submissions waiting then (sqlite_writer.py).
    """
    if db.engine.dialect.name == "postgresql":
        return postgresql.store(submission)
    return sqlite.store(submission)
