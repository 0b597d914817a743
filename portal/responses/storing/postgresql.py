"""A submission on PostgreSQL: one statement. Data-modifying WITH clauses write every table
from JSON and arrays, in one round trip and one plan (`_SUBMISSION`). Being one statement it
is atomic by itself, so the journey sends it without BEGIN and COMMIT
(portal/public/__init__.py).

Kept for its measured figure: at county scale (10,000 responses; 8 clients, 2 gunicorn
workers of 4 threads, on 2 cores), the submission ran at 0.72 of the bare insert's rate with
this statement against 0.43 with the shared Core path (storing.store_with_core, a statement per
table in a transaction), and at 50 submissions a second its p95 was 23 ms against 119 ms
(medians of 3 alternating runs, 2026-12-06). Sent through SQLAlchemy's own execution: sent
straight to the driver (the former portal/driver.py) it ran at 0.82, a difference within the
noise of those runs and below a fifth.

It mirrors tallies.count_response's rule, which the Core path runs: the same four tallies,
"none" as 0, a response counted in shard id % SHARDS, each table's rows touched in key order
(GROUP BY and DISTINCT ... ORDER BY the keys). tests/test_storing.py stores the same responses
both ways and checks each against a fresh count (tests/test_tallies.py does so for this
statement after any sequence of submissions, corrections and deletions).

Submissions all lock tally rows in the one order of this statement; a correction running at
the same moment on the same shard could meet them in another order, and PostgreSQL would then
cancel one of the two (deadlock detection), leaving nothing half-written.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from portal.extensions import db, runs_without_transaction
from portal.responses import tallies
from portal.responses.storing.submission import DraftTaken, InvitationTaken, Submission


def _folded(sql: str) -> str:
    """The statement without its layout: runs of whitespace as one space, none around
    brackets, commas and equals signs (the statement has no string literal holding those)."""
    return re.sub(r" ?([(),=]) ?", r"\1", " ".join(sql.split()))


# The response is inserted only if the draft (and the panel invitation, if any) is still free:
# both rows are locked first, so a second submission of the same draft waits, then finds it
# claimed and writes nothing. Answers with a safeguarding word are flagged by matching the
# inserted answers on (question, text); several identical texts would each be flagged, as
# each holds the word. The answer and question tallies are counted from the inserted answers,
# GROUP BY and DISTINCT ORDER BY their keys, so their rows are upserted in key order. Sent
# folded: psycopg caches its parsing of a query only up to 4,096 characters, and parsing this
# one afresh each time cost about half a millisecond.
_SUBMISSION = sa.text(
    _folded(
        """
WITH free_draft AS (
    SELECT id FROM response_draft
    WHERE id = :draft_id AND response_id IS NULL
    FOR UPDATE
), free_invitation AS (
    SELECT id FROM invitation
    WHERE id = :invitation_to_claim AND responded_at IS NULL
    FOR UPDATE
), new_response AS (
    INSERT INTO response (consultation_id, snapshot_id, reference, submitted_at, channel,
        entered_by_id, distribution_channel_id, invitation_id, profile_district,
        profile_age_band, panel_invited, language)
    SELECT :consultation_id, :snapshot_id, :reference, :submitted_at, :channel,
        CAST(:entered_by_id AS integer), CAST(:distribution_channel_id AS integer),
        CAST(:invitation_id AS integer), :profile_district, :profile_age_band, :panel_invited,
        :language
    FROM free_draft
    WHERE CAST(:invitation_to_claim AS integer) IS NULL
        OR EXISTS (SELECT 1 FROM free_invitation)
    RETURNING id, id % :shards AS shard
), claimed_draft AS (
    UPDATE response_draft SET response_id = new_response.id, answers = '{}',
        updated_at = :submitted_at
    FROM new_response
    WHERE response_draft.id = :draft_id
), claimed_invitation AS (
    UPDATE invitation SET responded_at = :submitted_at,
        response_id = CASE WHEN CAST(:invitation_id AS integer) IS NULL
            THEN NULL ELSE new_response.id END
    FROM new_response
    WHERE invitation.id = :invitation_to_claim
), stored_answers AS (
    INSERT INTO answer (response_id, question_id, option_id, text, number, statement_id, rank)
    SELECT new_response.id, a.question_id, a.option_id, a.text, a.number, a.statement_id, a.rank
    FROM new_response, json_to_recordset(CAST(:answers AS json)) AS a(question_id integer,
        option_id integer, text text, number numeric, statement_id integer, rank integer)
    RETURNING id, question_id, option_id, statement_id, rank, text
), flagged AS (
    INSERT INTO safeguarding_flag (answer_id, consultation_id, matched, flagged_at, note)
    SELECT stored_answers.id, :consultation_id, f.matched, :submitted_at, ''
    FROM stored_answers JOIN json_to_recordset(CAST(:flags AS json))
        AS f(question_id integer, text text, matched text)
    ON stored_answers.question_id = f.question_id AND stored_answers.text = f.text
), grouped AS (
    INSERT INTO response_group (response_id, group_id)
    SELECT new_response.id, g.group_id
    FROM new_response, unnest(CAST(:group_ids AS integer[])) AS g(group_id)
), answers_counted AS (
    INSERT INTO answer_tally (question_id, option_id, statement_id, rank, shard, count)
    SELECT a.question_id, COALESCE(a.option_id, 0), COALESCE(a.statement_id, 0),
        COALESCE(a.rank, 0), new_response.shard, count(*)
    FROM new_response, stored_answers AS a
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (question_id, option_id, statement_id, rank, shard)
    DO UPDATE SET count = answer_tally.count + excluded.count
), questions_counted AS (
    INSERT INTO question_tally (question_id, shard, respondents)
    SELECT DISTINCT a.question_id, new_response.shard, 1
    FROM new_response, stored_answers AS a
    ORDER BY 1
    ON CONFLICT (question_id, shard)
    DO UPDATE SET respondents = question_tally.respondents + 1
), response_counted AS (
    INSERT INTO response_tally (consultation_id, snapshot_id, shard, count)
    SELECT :consultation_id, :snapshot_id, new_response.shard, 1 FROM new_response
    ON CONFLICT (consultation_id, snapshot_id, shard)
    DO UPDATE SET count = response_tally.count + 1
), hour_counted AS (
    INSERT INTO hourly_tally (consultation_id, hour, channel, shard, count, linked)
    SELECT :consultation_id, CAST(:hour AS timestamp), :channel, new_response.shard, 1, :linked
    FROM new_response
    ON CONFLICT (consultation_id, hour, channel, shard)
    DO UPDATE SET count = hourly_tally.count + 1, linked = hourly_tally.linked + excluded.linked
)
SELECT (SELECT id FROM new_response) AS response_id,
    EXISTS (SELECT 1 FROM free_draft) AS draft_free,
    CAST(:invitation_to_claim AS integer) IS NULL
        OR EXISTS (SELECT 1 FROM free_invitation) AS invitation_free
"""
    )
)


# The answers and flags go as one JSON parameter each, read back by json_to_recordset:
# building and sending an array per column (fourteen, with the tallies' own, which are now
# counted from the inserted answers by the statement itself) was about a tenth of a
# submission's CPU in Python (bench/results.md); json.dumps is one call in C.


def _json(rows: list[dict[str, Any]]) -> str:
    """Rows as JSON; a number answer's Decimal as its exact digits, which PostgreSQL's
    numeric reads as typed (a float could round)."""
    return json.dumps(rows, default=_exact_decimal, separators=(",", ":"))


def _exact_decimal(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def store(submission: Submission) -> int:
    """The submission in one statement, committed (by itself in autocommit)."""
    response, answers, flags = submission.response, submission.answers, submission.flags
    response_id, draft_free, invitation_free = db.session.execute(
        _SUBMISSION,
        {
            **response,
            "channel": str(response["channel"]),
            "shards": tallies.SHARDS,
            "draft_id": submission.draft_id,
            "invitation_to_claim": submission.invitation_to_claim,
            "answers": _json(answers),
            "flags": _json(
                [
                    {"question_id": f.question_id, "text": f.text, "matched": f.matched}
                    for f in flags
                ]
            ),
            "group_ids": list(submission.group_ids),
            "hour": tallies.hour_start(response["submitted_at"]),
            "linked": 1 if response["distribution_channel_id"] is not None else 0,
        },
    ).one()
    if not draft_free:
        raise DraftTaken()
    if not invitation_free:
        raise InvitationTaken()
    # Sent in autocommit (PostgreSQL's journey), the statement committed itself; the session's
    # commit would only expire what it loaded, about 8% of the request's CPU.
    if not runs_without_transaction():
        db.session.commit()
    return int(response_id)
