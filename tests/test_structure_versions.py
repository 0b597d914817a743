"""Whatever an officer changes in the builder, every app server asks the new wording.

Each server keeps a consultation's structure (pages, questions, options, conditions) once per
structure version (consultations/structure.py). Here a second app on the same database stands
in for another server: it has shown the question page, so it holds the old structure, and
after the officer's change through the first app's builder pages it must ask the new one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, url_for

from portal import create_app
from portal.consultations.models import Option, Question, QuestionType
from portal.extensions import db
from tests.builder_client import Builder
from tests.conftest import PortalClient
from tests.journeys import Respondent

USES = "Do you use a bus shelter?"
SAFETY = "How safe do you feel waiting at the shelter?"
COMMENTS = "What would make the shelter better?"


@pytest.fixture
def second_app(app: Flask, database_url: str) -> Iterator[Flask]:
    """Another app server on the same database, with a process of its own in all but name."""
    other = create_app(
        {
            "PORTAL_ENV": "testing",
            "SECRET_KEY": "second-server-" + uuid.uuid4().hex,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SUBMISSION_RATE_LIMIT": "10000/minute",
        }
    )
    other.test_client_class = PortalClient
    yield other
    with other.app_context():
        db.engine.dispose()


def _option(key: str, value: str) -> Option:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Option).join(Question).where(Question.key == key, Option.value == value)
    ).one()


def _published_consultation(builder: Builder) -> dict[str, str]:
    """Page 1 asks whether they use a shelter; page 2 ("About your shelter") how safe they feel
    there and what would make it better. Returns the questions' keys."""
    builder.create()
    uses = builder.add_question(1, QuestionType.SINGLE_CHOICE, USES)
    builder.add_option(uses, "Yes")
    builder.add_option(uses, "No")
    builder.post("officer.add_page")
    safety = builder.add_question(2, QuestionType.SINGLE_CHOICE, SAFETY)
    builder.add_option(safety, "Safe")
    builder.add_option(safety, "Unsafe")
    comments = builder.add_question(2, QuestionType.FREE_TEXT, COMMENTS)
    builder.post("officer.rename_page", {"title": "About your shelter"}, position=2)
    assert builder.post("officer.publish").status_code == 303
    return {"uses": uses.key, "safety": safety.key, "comments": comments.key}


def _rename_page(builder: Builder, keys: dict[str, str]) -> None:
    builder.post("officer.rename_page", {"title": "Waiting for the bus"}, position=2)


def _reword_question(builder: Builder, keys: dict[str, str]) -> None:
    builder.edit_question(keys["safety"], {"text": "How safe is the shelter after dark?"})


def _relabel_option(builder: Builder, keys: dict[str, str]) -> None:
    row = builder.row(keys["safety"], "unsafe")
    builder.edit_question(keys["safety"], {f"{row}-label": "Not safe at all"})


def _add_option(builder: Builder, keys: dict[str, str]) -> None:
    builder.add_option(_option(keys["safety"], "safe").question, "Fairly safe")


def _delete_option(builder: Builder, keys: dict[str, str]) -> None:
    builder.edit_question(keys["safety"], button=("remove", "unsafe"))


def _route_by_answer(builder: Builder, keys: dict[str, str]) -> None:
    """Ask about safety only of those who do not use a shelter (the respondent does)."""
    no = _option(keys["uses"], "no")
    builder.post(
        "officer.add_question_condition",
        {"operator": "equals", "option": str(no.id)},
        key=keys["safety"],
    )


# The change, then what page 2 says before it and after it.
CHANGES: dict[str, tuple[Callable[[Builder, dict[str, str]], None], str, str]] = {
    "page title": (_rename_page, "About your shelter", "Waiting for the bus"),
    "question wording": (_reword_question, SAFETY, "How safe is the shelter after dark?"),
    "option label": (_relabel_option, "Unsafe", "Not safe at all"),
    "option added": (_add_option, "Safe Unsafe", "Safe Unsafe Fairly safe"),
    "option deleted": (_delete_option, "Unsafe", ""),
    "routing condition": (_route_by_answer, SAFETY, ""),
}


def _safety_text(page: Any) -> str:
    """The page's heading, the safety question and its options, as the respondent reads them."""
    parts = [page.h1]
    for fieldset in page.soup.select("main fieldset"):
        legend = fieldset.select_one("legend")
        labels = [label.get_text(" ", strip=True) for label in fieldset.select("label")]
        parts += [legend.get_text(" ", strip=True) if legend else "", " ".join(labels)]
    return " | ".join(parts)


@pytest.mark.parametrize("change", list(CHANGES))
def test_another_server_asks_what_the_officer_changed(
    client: Any, second_app: Flask, change: str
) -> None:
    make_change, before, after = CHANGES[change]
    builder = Builder(client)
    keys = _published_consultation(builder)
    respondent = Respondent(second_app.test_client(), builder.slug)
    respondent.start()
    assert respondent.answer(1, {keys["uses"]: "yes"}).status_code == 303
    page_2 = url_for("public.question_page", slug=builder.slug, number=2)
    shown = respondent.client.get_page(page_2)  # the second server now holds the structure
    assert before in _safety_text(shown)
    assert COMMENTS in shown.text

    make_change(builder, keys)

    shown = respondent.client.get_page(page_2)
    assert shown.status == 200
    text = _safety_text(shown)
    if after:
        assert after in text
    if before not in after:
        assert before not in text
    assert COMMENTS in shown.text  # the rest of the page is still asked
