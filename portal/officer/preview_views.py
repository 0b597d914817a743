"""Preview: every page exactly as a respondent sees it, validation included, nothing saved."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from werkzeug import Response as WerkzeugResponse

from portal import i18n
from portal.accounts.permissions import Action, allows
from portal.consultations.in_language import in_language
from portal.consultations.models import Consultation, Question
from portal.consultations.question_types import kind_of
from portal.consultations.service import consultation_with_questions
from portal.officer import bp
from portal.rendering import render_page
from portal.responses import service
from portal.responses.journey import Journey
from portal.responses.models import ResponseDraft


class PreviewJourney(Journey):
    """Every page and question, whatever the routing: officers check them all. The conditions
    are shown beside what they hide instead."""

    def question_applies(self, question: Question) -> bool:
        return True


def _previewed(slug: str) -> tuple[Consultation, str | None]:
    """The consultation to preview, in the language asked for (?language=pl) with whatever
    is translated so far, and that language (None for English)."""
    consultation = consultation_with_questions(slug) or abort(404)
    language = request.args.get("language")
    if language not in i18n.TRANSLATED:
        return consultation, None
    i18n.use_language(language)
    return in_language(consultation, language, preview=True), language


@bp.get("/consultations/<slug>/preview")
@allows(Action.BUILD_CONSULTATION)
def preview_start(slug: str) -> WerkzeugResponse:
    """The start page, as respondents see it while the consultation is open: where they begin."""
    consultation, language = _previewed(slug)
    return render_page(
        "public/start.html",
        consultation=consultation,
        is_open=True,
        not_open_yet=False,
        preview=True,
        first_page_url=url_for(
            ".preview", slug=slug, number=consultation.pages[0].position, language=language
        ),
        question_count=sum(1 for q in consultation.questions if kind_of(q).asks),
        routed=any(q.conditions for q in consultation.questions)
        or any(page.conditions for page in consultation.pages),
    )


@bp.route("/consultations/<slug>/preview/<int:number>", methods=["GET", "POST"])
@allows(Action.BUILD_CONSULTATION)
def preview(slug: str, number: int) -> WerkzeugResponse:
    consultation, language = _previewed(slug)
    # A draft that is never added to the database session, so nothing is ever saved.
    journey = PreviewJourney(consultation, ResponseDraft(answers={}))
    page = journey.page(number) or abort(404)
    form = service.page_form(
        journey, page, formdata=request.form if request.method == "POST" else None
    )
    following = journey.next_page(page)
    if request.method == "POST" and form.validate():
        if following is None:
            return redirect(url_for(".build", slug=slug), code=303)
        return redirect(
            url_for(".preview", slug=slug, number=following.position, language=language),
            code=303,
        )
    previous = journey.previous_page(page)
    return render_page(
        "public/question.html",
        status=422 if form.errors else 200,
        journey=journey,
        view=journey.view(page),
        form=form,
        changing=False,
        preview=True,
        back_url=url_for(".preview", slug=slug, number=previous.position, language=language)
        if previous
        else url_for(".preview_start", slug=slug, language=language),
    )
