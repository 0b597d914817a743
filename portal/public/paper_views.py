"""A paper copy of every consultation, for Older People's forums and anyone without the
internet: printed, filled in by hand, posted back, and keyed in by staff through the assisted
path with channel "paper"."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import Action, allows
from portal.consultations.models import ConditionOperator, DisplayCondition, QuestionType
from portal.consultations.question_types import kind_of
from portal.public import bp
from portal.public.views import published_consultation
from portal.rendering import render_page

# Routing on paper, as whole sentences a translator can reorder: (how the condition reads,
# on a whole part (page) rather than one question, whether the source question has a number).
_INSTRUCTIONS = {
    ("skip", False, True): _l(
        "Skip this question if you ticked “%(label)s” at question %(number)s."
    ),
    ("skip", True, True): _l("Skip this part if you ticked “%(label)s” at question %(number)s."),
    ("skip", False, False): _l(
        "Skip this question if you ticked “%(label)s” at an earlier question."
    ),
    ("skip", True, False): _l("Skip this part if you ticked “%(label)s” at an earlier question."),
    ("only", False, True): _l(
        "Answer this question only if you ticked “%(label)s”, and nothing else, at question "
        "%(number)s."
    ),
    ("only", True, True): _l(
        "Answer this part only if you ticked “%(label)s”, and nothing else, at question %(number)s."
    ),
    ("only", False, False): _l(
        "Answer this question only if you ticked “%(label)s”, and nothing else, at an earlier "
        "question."
    ),
    ("only", True, False): _l(
        "Answer this part only if you ticked “%(label)s”, and nothing else, at an earlier question."
    ),
    ("answer", False, True): _l(
        "Answer this question only if you ticked “%(label)s” at question %(number)s."
    ),
    ("answer", True, True): _l(
        "Answer this part only if you ticked “%(label)s” at question %(number)s."
    ),
    ("answer", False, False): _l(
        "Answer this question only if you ticked “%(label)s” at an earlier question."
    ),
    ("answer", True, False): _l(
        "Answer this part only if you ticked “%(label)s” at an earlier question."
    ),
}


def _instruction(condition: DisplayCondition, numbers: dict[int, int], part: bool) -> str:
    """The condition as a sentence for someone holding a pen ("Skip this question if..."), in
    the page's language."""
    number = numbers.get(condition.source_question_id)
    if condition.operator == ConditionOperator.NOT:
        reads = "skip"
    elif condition.operator == ConditionOperator.EQUALS and (
        condition.source_question.type == QuestionType.MULTIPLE_CHOICE
    ):
        reads = "only"
    else:
        reads = "answer"
    sentence = str(_INSTRUCTIONS[(reads, part, number is not None)])
    return sentence % {"label": condition.option.label, "number": number}


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
        question.id: [_instruction(c, numbers, part=False) for c in question.conditions]
        for question in consultation.questions
    }
    page_instructions = {
        page.id: [_instruction(c, numbers, part=True) for c in page.conditions]
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
