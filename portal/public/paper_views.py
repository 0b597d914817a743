"""A paper copy of every consultation, for Older People's forums and anyone without the
internet: printed, filled in by hand, posted back, and keyed in by staff through the assisted
path with channel "paper"."""

from __future__ import annotations

from flask import current_app
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import Action, allows
from portal.consultations.models import ConditionOperator, DisplayCondition, QuestionType
from portal.consultations.question_types import kind_of
from portal.public import bp
from portal.public.views import published_consultation
from portal.rendering import render_page


def _instruction(condition: DisplayCondition, numbers: dict[int, int], what: str) -> str:
    """The condition as a sentence for someone holding a pen: "Skip this question if..."."""
    number = numbers.get(condition.source_question_id)
    where = f"question {number}" if number else "an earlier question"
    label = f"\u201c{condition.option.label}\u201d"
    if condition.operator == ConditionOperator.NOT:
        return f"Skip this {what} if you ticked {label} at {where}."
    if condition.operator == ConditionOperator.EQUALS and (
        condition.source_question.type == QuestionType.MULTIPLE_CHOICE
    ):
        return f"Answer this {what} only if you ticked {label}, and nothing else, at {where}."
    return f"Answer this {what} only if you ticked {label} at {where}."


@bp.get("/consultations/<slug>/paper")
@allows(Action.RESPOND)
def paper_copy(slug: str) -> WerkzeugResponse:
    consultation = published_consultation(slug)
    numbers: dict[int, int] = {}
    for question in consultation.questions:
        if kind_of(question).asks:
            numbers[question.id] = len(numbers) + 1
    # Routing on paper is an instruction beside the question (or page) it applies to.
    instructions = {
        question.id: [_instruction(c, numbers, "question") for c in question.conditions]
        for question in consultation.questions
    }
    page_instructions = {
        page.id: [_instruction(c, numbers, "part") for c in page.conditions]
        for page in consultation.pages
    }
    return render_page(
        "public/paper.html",
        consultation=consultation,
        numbers=numbers,
        instructions=instructions,
        page_instructions=page_instructions,
        return_address=current_app.config["PAPER_RETURN_ADDRESS"],
    )
