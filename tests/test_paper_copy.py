"""Paper copies: every consultation prints with numbered questions, tick boxes, routing written
out, its privacy notice and a return address. Paper answers are keyed in through the assisted
path with channel "paper" (test_builder.py::test_an_officer_keys_in_a_paper_or_phone_response).
"""

from __future__ import annotations

import pytest
from flask import url_for

from portal.consultations.models import (
    ConditionOperator,
    ConsultationStatus,
    DisplayCondition,
    QuestionType,
)
from portal.consultations.question_types import kind_of
from portal.extensions import db
from tests.journeys import consultation

SLUGS = ["bullying-what-parents-think", "warwickshire-panel-liveability"]


@pytest.mark.parametrize("slug", SLUGS)
def test_every_question_is_numbered_with_its_boxes_and_lines(client, app, slug):
    found = consultation(slug)
    page = client.get_page(url_for("public.paper_copy", slug=slug))
    assert page.status == 200
    assert page.h1 == found.title
    asking = [q for q in found.questions if kind_of(q).asks]
    headings = [h.get_text(" ", strip=True) for h in page.soup.select(".app-paper-question h3")]
    assert len(headings) == len(asking)
    for number, (heading, question) in enumerate(zip(headings, asking, strict=True), start=1):
        assert heading.startswith(f"{number}. {question.text}")
    boxes = len(page.soup.select(".app-paper-options .app-paper-box"))
    grids = [q for q in asking if q.type == QuestionType.MATRIX]
    assert boxes == sum(
        len(q.choices) + bool(q.other_label) for q in asking if q.choices and q not in grids
    )
    # A grid has a box for each statement and answer.
    assert len(page.soup.select(".app-paper-matrix .app-paper-box")) == sum(
        len(q.statements) * len(q.choices) for q in grids
    )
    assert found.privacy_notice.split(".")[0] in page.text
    assert app.config["PAPER_RETURN_ADDRESS"] in page.text
    start = client.get_page(url_for("public.start", slug=slug))
    link = start.soup.find("a", string="Print a paper copy to fill in by hand")
    assert link["href"] == url_for("public.paper_copy", slug=slug)


def test_routing_is_written_beside_the_question_it_applies_to(client):
    found = consultation(SLUGS[0])
    source, target = found.questions[0], found.questions[3]
    db.session.add(
        DisplayCondition(
            consultation=found,
            question=target,
            source_question=source,
            operator=ConditionOperator.NOT,
            option=source.choices[0],
        )
    )
    db.session.commit()
    page = client.get_page(url_for("public.paper_copy", slug=SLUGS[0]))
    notes = [p.get_text(" ", strip=True) for p in page.soup.select(".app-paper-route")]
    label = source.choices[0].label
    assert f"Skip this question if you ticked \u201c{label}\u201d at question 1." in notes


def test_a_draft_consultation_has_no_paper_copy(client):
    found = consultation(SLUGS[0])
    found.status = ConsultationStatus.DRAFT
    db.session.commit()
    assert client.get(url_for("public.paper_copy", slug=SLUGS[0])).status_code == 404
