"""The respondent's journey: start page, question pages, check answers, confirmation."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, redirect, request, session, url_for
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import OFFICER_ROLES
from portal.consultations.models import Consultation, ConsultationStatus
from portal.consultations.question_types import kind_of
from portal.consultations.service import consultation_for_journey, open_consultations
from portal.extensions import limiter
from portal.public import bp
from portal.public.forms import StartForm, SubmitForm
from portal.rendering import render_page
from portal.responses import service
from portal.responses.service import (
    AlreadySubmitted,
    ConsultationUnavailable,
    Journey,
    ResponseIncomplete,
)

DRAFTS_KEY = "drafts"  # consultation slug -> draft token, in the signed session cookie


def _published_consultation(slug: str) -> Consultation:
    consultation = consultation_for_journey(slug)
    if consultation is None or consultation.status == ConsultationStatus.DRAFT:
        abort(404)
    return consultation


def draft_lifetime() -> timedelta:
    return timedelta(hours=current_app.config["DRAFT_LIFETIME_HOURS"])


def _journey_or_redirect(slug: str) -> Journey | WerkzeugResponse:
    """The respondent's journey through an open consultation, or where to send them instead."""
    now = service.utcnow()
    token = session.get(DRAFTS_KEY, {}).get(slug)
    consultation, draft = service.load_journey(slug, token, now)
    if consultation is None or consultation.status == ConsultationStatus.DRAFT:
        abort(404)
    try:
        service.ensure_open(consultation, now)
    except ConsultationUnavailable:
        return render_page("public/closed.html", status=403, consultation=consultation)
    if draft is None:
        return redirect(
            url_for("public.start", slug=slug, expired="1" if token else None), code=303
        )
    if draft.response_id is not None:
        return redirect(url_for("public.confirmation", slug=slug), code=303)
    return Journey(consultation, draft)


def _page_url(slug: str, number: int | None, change: bool = False) -> str:
    if number is None:
        return url_for("public.check_answers", slug=slug)
    return url_for("public.question_page", slug=slug, number=number, change="1" if change else None)


@bp.get("/")
def index() -> WerkzeugResponse:
    consultations = open_consultations(service.uk_today())
    return render_page("public/index.html", consultations=consultations)


@bp.get("/consultations/<slug>")
def start(slug: str) -> WerkzeugResponse:
    consultation = _published_consultation(slug)
    is_open = consultation.is_open_on(service.uk_today())
    return render_page(
        "public/start.html",
        consultation=consultation,
        is_open=is_open,
        form=StartForm(),
        expired=request.args.get("expired") == "1",
        question_count=sum(1 for q in consultation.questions if kind_of(q).asks),
        routed=any(q.conditions for q in consultation.questions)
        or any(page.conditions for page in consultation.pages),
    )


@bp.post("/consultations/<slug>/start")
def begin(slug: str) -> WerkzeugResponse:
    consultation = _published_consultation(slug)
    if not StartForm().validate_on_submit():
        abort(400)
    now = service.utcnow()
    try:
        service.ensure_open(consultation, now)
    except ConsultationUnavailable:
        return render_page("public/closed.html", status=403, consultation=consultation)
    drafts = dict(session.get(DRAFTS_KEY, {}))
    existing = service.find_draft(consultation, drafts.get(slug), now)
    if existing is None or existing.response_id is not None:
        draft = service.start_draft(consultation, now, draft_lifetime())
        drafts[slug] = draft.token
        session[DRAFTS_KEY] = drafts
    return redirect(_page_url(slug, 1), code=303)


@bp.route("/consultations/<slug>/pages/<int:number>", methods=["GET", "POST"])
def question_page(slug: str, number: int) -> WerkzeugResponse:
    journey = _journey_or_redirect(slug)
    if not isinstance(journey, Journey):
        return journey
    page = journey.page(number)
    if page is None:
        abort(404)
    changing = request.args.get("change") == "1"
    if not journey.page_applies(page):
        # An earlier answer routes this page out: go on to the next page that applies.
        following = journey.next_page(page)
        return redirect(_page_url(slug, following.position if following else None), code=303)
    form = service.page_form(
        journey, page, formdata=request.form if request.method == "POST" else None
    )
    if request.method == "POST" and form.validate():
        service.save_page(journey, page, form, service.utcnow(), draft_lifetime())
        following = None if changing else journey.next_page(page)
        incomplete = journey.first_incomplete_page()
        if following is None and incomplete is not None:
            following = incomplete  # never reach check answers with gaps, or routed-in pages
        return redirect(_page_url(slug, following.position if following else None), code=303)
    previous = journey.previous_page(page)
    back_url = (
        url_for("public.check_answers", slug=slug)
        if changing
        else _page_url(slug, previous.position)
        if previous
        else url_for("public.start", slug=slug)
    )
    return render_page(
        "public/question.html",
        status=422 if form.errors else 200,
        journey=journey,
        view=journey.view(page),
        form=form,
        changing=changing,
        back_url=back_url,
    )


@bp.get("/consultations/<slug>/check-answers")
def check_answers(slug: str) -> WerkzeugResponse:
    journey = _journey_or_redirect(slug)
    if not isinstance(journey, Journey):
        return journey
    incomplete = journey.first_incomplete_page()
    if incomplete is not None:
        return redirect(_page_url(slug, incomplete.position))
    return render_page(
        "public/check-answers.html",
        journey=journey,
        form=SubmitForm(),
        back_url=_page_url(slug, journey.pages[-1].position),
    )


@bp.post("/consultations/<slug>/check-answers")
@limiter.limit(
    lambda: current_app.config["SUBMISSION_RATE_LIMIT"],
    # Officers keying in a pile of paper forms are not a flood of bots.
    exempt_when=lambda: current_user.is_authenticated and current_user.role in OFFICER_ROLES,
)
def submit(slug: str) -> WerkzeugResponse:
    journey = _journey_or_redirect(slug)
    if not isinstance(journey, Journey):
        return journey
    if not SubmitForm().validate_on_submit():
        abort(400)
    try:
        service.submit_response(journey, service.utcnow())
    except ResponseIncomplete as incomplete:
        return redirect(_page_url(slug, incomplete.page.position), code=303)
    except AlreadySubmitted:
        pass  # a double click: the first submission stored it; show its confirmation
    return redirect(url_for("public.confirmation", slug=slug), code=303)


@bp.get("/consultations/<slug>/confirmation")
def confirmation(slug: str) -> WerkzeugResponse:
    consultation = _published_consultation(slug)
    token = session.get(DRAFTS_KEY, {}).get(slug)
    draft = service.find_draft(consultation, token, service.utcnow())
    if draft is None or draft.response is None:
        return redirect(url_for("public.start", slug=slug))
    return render_page(
        "public/confirmation.html", consultation=consultation, reference=draft.response.reference
    )
