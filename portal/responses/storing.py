"""Writing one submitted response: the response row, its answers, the claim on the draft (and
on a panel invitation), safeguarding flags, panel groups and the running tallies.

This is the busiest write the portal has, so on PostgreSQL it is one statement: data-modifying
WITH clauses write every table from JSON and arrays, in one round trip and one plan
(`_POSTGRESQL_SUBMISSION`). Being one statement it is atomic by itself, so the journey sends it
without BEGIN and COMMIT (portal/public/views.py). Written a statement per table and a row
each, as SQLite takes them in process where round trips cost nothing, the tallies alone were
half the time of a submission on PostgreSQL (bench/results.md).

Both ways keep the rules of portal/responses/tallies.py: each tally table's rows are touched in
key order, and a response always counts in the shard of its id. Submissions all lock tally rows
in the one order of this statement; a correction running at the same moment on the same shard
could meet them in another order, and PostgreSQL would then cancel one of the two (deadlock
detection), leaving nothing half-written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from portal.extensions import db
from portal.responses import tallies
from portal.responses.models import Answer, Response, ResponseDraft, response_group


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
_POSTGRESQL_SUBMISSION = sa.text(
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
        profile_age_band, panel_invited)
    SELECT :consultation_id, :snapshot_id, :reference, :submitted_at, :channel,
        CAST(:entered_by_id AS integer), CAST(:distribution_channel_id AS integer),
        CAST(:invitation_id AS integer), :profile_district, :profile_age_band, :panel_invited
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


class DraftTaken(Exception):
    """The draft was submitted already (a double click, or two tabs at once)."""


class InvitationTaken(Exception):
    """The panel member's personal link has brought a response already."""


@dataclass(frozen=True)
class Flag:
    """A typed answer holding safeguarding words: which question, its text, the words."""

    question_id: int
    text: str
    matched: str


@dataclass(frozen=True)
class Submission:
    """Everything one submission writes."""

    response: dict[str, Any]  # the response row's columns
    draft_id: int
    answers: list[dict[str, Any]]  # answer rows naming every answer column
    invitation_to_claim: int | None = None  # a panel member's personal link
    flags: Sequence[Flag] = ()
    group_ids: Sequence[int] = ()  # the invited member's panel groups


def store_response(submission: Submission) -> int:
    """Insert the response, claim the draft and any panel invitation, insert the answers, flag
    the answers in `flags`, keep the member's panel groups and count it all in. Returns the
    response's id.

    Raises DraftTaken or InvitationTaken, having written nothing, when another submission
    claimed the draft or the invitation first. On PostgreSQL it is one statement, atomic by
    itself (so a caller may run it outside a transaction); on SQLite the caller's transaction
    holds its statements together and must be rolled back after those exceptions.
    """
    if db.engine.dialect.name == "postgresql":
        return _store_in_one_statement(submission)
    return _store_statement_by_statement(submission)


def _store_in_one_statement(submission: Submission) -> int:
    response, answers, flags = submission.response, submission.answers, submission.flags
    # On the session's connection: a plain statement needs none of the ORM's handling.
    response_id, draft_free, invitation_free = (
        db.session.connection()
        .execute(
            _POSTGRESQL_SUBMISSION,
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
        )
        .one()
    )
    if not draft_free:
        raise DraftTaken()
    if not invitation_free:
        raise InvitationTaken()
    return int(response_id)


# SQLite's statements, built once: building each afresh (values, cache key) and sending it
# through the ORM session was half of a submission's CPU there (bench/results.md).
_RESPONSE = Response.__table__
_DRAFT = ResponseDraft.__table__
_INSERT_RESPONSE = sa.insert(_RESPONSE).returning(_RESPONSE.c.id)
# A concurrent submission of the same draft waits for the database lock, then finds
# response_id set and claims nothing.
_CLAIM_DRAFT = (
    sa.update(_DRAFT)
    .where(_DRAFT.c.id == sa.bindparam("draft_id"), _DRAFT.c.response_id.is_(None))
    .values(
        response_id=sa.bindparam("new_response_id"),
        answers={},
        updated_at=sa.bindparam("submitted_at"),
    )
)
_INSERT_ANSWERS = sa.insert(Answer.__table__).returning(
    Answer.__table__.c.id, Answer.__table__.c.question_id, Answer.__table__.c.text
)


def _store_statement_by_statement(submission: Submission) -> int:
    from portal.panel.models import Invitation
    from portal.safeguarding.models import SafeguardingFlag

    response, answers, invitation_to_claim = (
        submission.response,
        submission.answers,
        submission.invitation_to_claim,
    )
    submitted_at = response["submitted_at"]
    connection = db.session.connection()
    response_id: int = connection.execute(_INSERT_RESPONSE, response).scalar_one()
    claimed = connection.execute(
        _CLAIM_DRAFT,
        {
            "draft_id": submission.draft_id,
            "new_response_id": response_id,
            "submitted_at": submitted_at,
        },
    )
    if claimed.rowcount != 1:
        raise DraftTaken()
    if invitation_to_claim is not None:
        used = connection.execute(
            sa.update(Invitation.__table__)
            .where(
                Invitation.__table__.c.id == invitation_to_claim,
                Invitation.__table__.c.responded_at.is_(None),
            )
            .values(
                response_id=response_id if response["invitation_id"] else None,
                responded_at=submitted_at,
            )
        )
        if used.rowcount != 1:
            raise InvitationTaken()
    stored: Sequence[Any] = ()
    if answers:
        stored = connection.execute(
            _INSERT_ANSWERS, [{"response_id": response_id, **answer} for answer in answers]
        ).all()
    matched = {(flag.question_id, flag.text): flag.matched for flag in submission.flags}
    flag_rows = [
        {
            "answer_id": answer_id,
            "consultation_id": response["consultation_id"],
            "matched": matched[(question_id, text)],
            "flagged_at": submitted_at,
            "note": "",
        }
        for answer_id, question_id, text in stored
        if (question_id, text) in matched
    ]
    if flag_rows:
        connection.execute(sa.insert(SafeguardingFlag.__table__), flag_rows)
    if submission.group_ids:
        connection.execute(
            sa.insert(response_group),
            [
                {"response_id": response_id, "group_id": group_id}
                for group_id in submission.group_ids
            ],
        )
    tallies.count_response(
        response_id,
        response["consultation_id"],
        response["snapshot_id"],
        submitted_at,
        response["channel"],
        response["distribution_channel_id"] is not None,
        answers,
    )
    return response_id
