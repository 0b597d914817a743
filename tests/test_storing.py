"""A submission is stored the same whichever way it is written: the Core path every database
can take, and PostgreSQL's one statement, which mirrors tallies.count_response's rule."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.responses import storing, tallies
from portal.responses.models import Answer, Response
from portal.safeguarding.models import SafeguardingFlag
from tests.factories import chose, submit_response

BULLYING = "bullying-what-parents-think"
LIVEABILITY = "warwickshire-panel-liveability"
ANSWERS = [
    {"bullied_last_year": chose("yes"), "bullying_where": chose("online", "journey")},
    {"bullied_last_year": chose("no"), "comments": {"text": "He talks about self-harm"}},
    {"school_takes_seriously": chose("agree")},
    {},
]


def _stored() -> tuple[set, set, dict]:
    responses = {
        (consultation_id, snapshot_id, str(channel))
        for consultation_id, snapshot_id, channel in db.session.execute(
            sa.select(Response.consultation_id, Response.snapshot_id, Response.channel)
        )
    }
    answers = {
        (question_id, option_id, text)
        for question_id, option_id, text in db.session.execute(
            sa.select(Answer.question_id, Answer.option_id, Answer.text)
        )
    }
    return responses, answers, tallies.stored_counts()


@pytest.mark.parametrize("path", ["the database's own", "Core"])
def test_each_path_stores_the_answers_flags_and_counts_alike(app, monkeypatch, path):
    """On PostgreSQL "the database's own" is the one statement, on SQLite the Core path: both
    leave the tallies a fresh count would give, and the same rows."""
    if path == "Core":
        monkeypatch.setattr(storing.postgresql, "store", storing.store_with_core)
    for answers in ANSWERS:
        submit_response(BULLYING, answers)
    submit_response(LIVEABILITY, {})
    responses, answers, counts = _stored()
    assert len(responses) == 2 and db.session.scalar(sa.select(sa.func.count(Response.id))) == 5
    assert counts == tallies.fresh_counts()
    assert any(text == "He talks about self-harm" for _, _, text in answers)
    flags = db.session.scalars(sa.select(SafeguardingFlag)).all()
    assert [(flag.answer.text, flag.matched) for flag in flags] == [
        ("He talks about self-harm", "self-harm")
    ]


def test_responses_never_import_safeguarding():
    """Safeguarding sits above responses (its flags refer to answers): it listens to the
    submission, and nothing under portal/responses imports it back."""
    root = Path(__file__).resolve().parent.parent / "portal" / "responses"
    importing = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(name.startswith("portal.safeguarding") for name in names):
                importing.append(path.name)
    assert importing == []
