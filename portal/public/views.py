"""The respondent's journey: start page, question pages, check answers, confirmation."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import abort, current_app, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal import clock, i18n
from portal.accounts.permissions import Action, allows, may
from portal.consultations.models import Consultation, ConsultationStatus, Page
from portal.consultations.question_types import kind_of
from portal.consultations.service import consultation_for_journey, open_consultations
from portal.extensions import db, limiter
from portal.forms import CsrfForm
from portal.public import bp
from portal.public.forms import (
    StartForm,
    SubmitForm,
    honeypot_filled,
)
from portal.public.language_views import answering_language, in_chosen_language
from portal.public.panel_views import INVITATIONS_KEY, InvitationAlreadyUsed, invitation_for
from portal.publications import service as publications
from portal.rendering import render_page
from portal.responses import resume, service
from portal.responses.journey import DraftT, Journey
from portal.responses.models import ReadOnlyDraft, ResponseChannel, ResponseDraft
from portal.responses.service import (
    AlreadySubmitted,
    ConsultationUnavailable,
    InvitationUsed,
    ResponseIncomplete,
)
from portal.schools import service as schools
from portal.schools.models import DistributionChannel

DRAFTS_KEY = "drafts"  # consultation slug -> draft token, in the signed session cookie
# Consultation slug -> positions of pages a changed answer routed in, still to be shown.
ROUTED_IN_KEY = "routed_in"
# consultation slug -> the resume code last shown, so the saved page survives a refresh and can
# email it. The respondent's own code, in their own signed cookie; never stored on the server.
RESUME_CODES_KEY = "resume_codes"
# consultation slug -> the distribution channel (a school's link) the respondent arrived by.
CHANNELS_KEY = "channels"


def published_consultation(slug: str) -> Consultation:
    """The consultation as the respondent reads it (in_chosen_language)."""
    consultation = consultation_for_journey(slug)
    if consultation is None or consultation.status == ConsultationStatus.DRAFT:
        abort(404)
    return in_chosen_language(consultation)


def _saved_lifetime() -> timedelta:
    return timedelta(days=current_app.config["SAVED_DRAFT_LIFETIME_DAYS"])


def draft_lifetime() -> timedelta:
    return timedelta(hours=current_app.config["DRAFT_LIFETIME_HOURS"])


def _journey_or_redirect(slug: str) -> Journey[ResponseDraft] | WerkzeugResponse:
    """The respondent's journey through an open consultation (in their language), or where to
    send them instead."""
    now = clock.utcnow()
    token = session.get(DRAFTS_KEY, {}).get(slug)
    consultation, draft = service.load_journey(slug, token, now)
    return _journey_or_where_instead(slug, token, now, consultation, draft)


def _journey_to_read_or_redirect(
    slug: str, translated: bool = True
) -> Journey[ReadOnlyDraft] | WerkzeugResponse:
    """As _journey_or_redirect, for a request that only reads the draft (ReadOnlyDraft).
    `translated=False` keeps the English, which a response's snapshot is made of."""
    now = clock.utcnow()
    token = session.get(DRAFTS_KEY, {}).get(slug)
    consultation, draft = service.load_journey_to_read(slug, token, now)
    return _journey_or_where_instead(slug, token, now, consultation, draft, translated)


def _journey_or_where_instead(
    slug: str,
    token: str | None,
    now: datetime,
    consultation: Consultation | None,
    draft: DraftT | None,
    translated: bool = True,
) -> Journey[DraftT] | WerkzeugResponse:
    if consultation is None or consultation.status == ConsultationStatus.DRAFT:
        abort(404)
    try:
        service.ensure_open(consultation, now)
    except ConsultationUnavailable:
        return _not_taking_responses(consultation)
    if draft is None:
        return redirect(
            url_for("public.start", slug=slug, expired="1" if token else None), code=303
        )
    if draft.response_id is not None:
        return redirect(url_for("public.confirmation", slug=slug), code=303)
    return Journey(in_chosen_language(consultation) if translated else consultation, draft)


def _not_taking_responses(consultation: Consultation) -> WerkzeugResponse:
    """The page for someone trying to answer a consultation that is closed (with its results,
    once published) or not open yet."""
    consultation = in_chosen_language(consultation)
    phase = consultation.phase_on(clock.uk_today())
    return render_page(
        "public/closed.html",
        status=403,
        consultation=consultation,
        phase=phase,
        results_published=phase == "closed" and _results_published(consultation),
    )


def _results_published(consultation: Consultation) -> bool:
    return publications.published_for(consultation.slug) is not None


def _arrived_by(consultation: Consultation) -> int | None:
    """The active channel whose link brought the respondent to this consultation, if any."""
    channel_id = session.get(CHANNELS_KEY, {}).get(consultation.slug)
    channel = db.session.get(DistributionChannel, channel_id) if channel_id else None
    if channel is None or not channel.active or channel.consultation_id != consultation.id:
        return None
    return channel.id


def page_url(slug: str, number: int | None, change: bool = False) -> str:
    if number is None:
        return url_for("public.check_answers", slug=slug)
    return url_for("public.question_page", slug=slug, number=number, change="1" if change else None)


@bp.get("/")
@allows(Action.RESPOND)
def index() -> WerkzeugResponse:
    consultations = open_consultations(clock.uk_today())
    return render_page("public/index.html", consultations=consultations)


@bp.get("/c/<code>")
@allows(Action.RESPOND)
def channel_link(code: str) -> WerkzeugResponse:
    """A school's (or library's, newspaper's...) link: remember it, and the language of the
    letter or QR code it came from, then the start page."""
    channel = schools.active_channel(code) if len(code) <= 16 else None
    if channel is None or channel.consultation.status == ConsultationStatus.DRAFT:
        abort(404)
    slug = channel.consultation.slug
    session[CHANNELS_KEY] = {**session.get(CHANNELS_KEY, {}), slug: channel.id}
    if request.args.get("language"):  # a letter or QR code in another language
        i18n.choose_language(request.args["language"])
    return redirect(url_for("public.start", slug=slug, via="link"), code=303)


@bp.get("/consultations/<slug>")
@allows(Action.RESPOND)
def start(slug: str) -> WerkzeugResponse:
    consultation = published_consultation(slug)
    today = clock.uk_today()
    is_open = consultation.is_open_on(today)
    not_open_yet = bool(consultation.opens_on and today < consultation.opens_on)
    return render_page(
        "public/start.html",
        consultation=consultation,
        is_open=is_open,
        not_open_yet=not_open_yet,
        results_published=not (is_open or not_open_yet) and _results_published(consultation),
        form=StartForm(),
        expired=request.args.get("expired") == "1",
        via_channel=_arrived_by(consultation) is not None,
        via_invitation=bool(session.get(INVITATIONS_KEY, {}).get(slug)),
        question_count=sum(1 for q in consultation.questions if kind_of(q).asks),
        routed=any(q.conditions for q in consultation.questions)
        or any(page.conditions for page in consultation.pages),
    )


@bp.post("/consultations/<slug>/start")
@allows(Action.RESPOND)
def begin(slug: str) -> WerkzeugResponse:
    consultation = published_consultation(slug)
    if not StartForm().validate_on_submit():
        abort(400)
    now = clock.utcnow()
    try:
        service.ensure_open(consultation, now)
    except ConsultationUnavailable:
        return _not_taking_responses(consultation)
    drafts = dict(session.get(DRAFTS_KEY, {}))
    existing = service.find_draft(consultation, drafts.get(slug), now)
    if existing is None or existing.response_id is not None:
        try:
            invitation_id = invitation_for(consultation)
        except InvitationAlreadyUsed:
            return render_page(
                "public/invitation-used.html", status=409, consultation=consultation, left=False
            )
        draft = service.start_draft(
            consultation,
            now,
            draft_lifetime(),
            distribution_channel_id=_arrived_by(consultation),
            invitation_id=invitation_id,
        )
        drafts[slug] = draft.token
        session[DRAFTS_KEY] = drafts
    return redirect(page_url(slug, 1), code=303)


@bp.route("/consultations/<slug>/pages/<int:number>", methods=["GET", "POST"])
@allows(Action.RESPOND)
def question_page(slug: str, number: int) -> WerkzeugResponse:
    if request.method == "POST":
        return _save_question_page(slug, number)
    # Shown, the draft is only read: as plain rows, not an object (ReadOnlyDraft).
    found = _page_that_applies(_journey_to_read_or_redirect(slug), number)
    if not isinstance(found, tuple):
        return found
    journey, page = found
    return _render_question_page(journey, page, service.page_form(journey, page))


def _save_question_page(slug: str, number: int) -> WerkzeugResponse:
    found = _page_that_applies(_journey_or_redirect(slug), number)
    if not isinstance(found, tuple):
        return found
    journey, page = found
    form = service.page_form(journey, page, formdata=request.form)
    saving_for_later = bool(request.form.get("save_later"))
    valid = form.validate()
    if not valid and not saving_for_later:
        return _render_question_page(journey, page, form)
    # Saving to finish later is never blocked by the page: what is valid on it is kept, and
    # an answer still to give (or to put right) waits for the respondent's return.
    unfinished = (
        set()
        if valid
        else {
            question.key
            for question in journey.visible_questions(page)
            if any(name in form.errors for name in kind_of(question).field_names(question))
        }
    )
    changing = _changing()
    applied_before = {p.position for p in journey.pages}
    service.save_page(journey, page, form, clock.utcnow(), draft_lifetime(), unfinished)
    if saving_for_later:
        code = resume.save_for_later(journey.draft, clock.utcnow(), _saved_lifetime())
        session[RESUME_CODES_KEY] = {**session.get(RESUME_CODES_KEY, {}), slug: code}
        return redirect(url_for("public.saved", slug=slug), code=303)
    following = (
        _next_routed_in(journey, slug, applied_before) if changing else journey.next_page(page)
    )
    incomplete = journey.first_incomplete_page()
    if following is None and incomplete is not None:
        following = incomplete  # never reach check answers with gaps, or routed-in pages
    if following is None:
        return redirect(page_url(slug, None), code=303)
    # A change that routed pages in: those pages, then back to check answers, not on
    # through every later page already answered.
    return redirect(page_url(slug, following.position, change=changing), code=303)


def _next_routed_in(journey: Journey[Any], slug: str, applied_before: set[int]) -> Page | None:
    """While changing an answer: the next page that change routed in and the respondent has
    not seen yet, optional questions and all. Pages a change routes in are remembered in the
    session until each has been shown."""
    pending = dict(session.get(ROUTED_IN_KEY, {}))
    newly = {p.position for p in journey.pages} - applied_before
    waiting = sorted((set(pending.get(slug, [])) | newly) & {p.position for p in journey.pages})
    following = journey.page(waiting[0]) if waiting else None
    pending[slug] = waiting[1:]
    session[ROUTED_IN_KEY] = pending
    return following


def _changing() -> bool:
    """Whether the page was reached from check answers, to change an answer there."""
    return request.args.get("change") == "1"


def _page_that_applies(
    journey: Journey[DraftT] | WerkzeugResponse, number: int
) -> tuple[Journey[DraftT], Page] | WerkzeugResponse:
    """The journey and its page `number`, or where to send the respondent instead."""
    if not isinstance(journey, Journey):
        return journey
    page = journey.page(number)
    if page is None:
        abort(404)
    if not journey.page_applies(page):
        # An earlier answer routes this page out: go on to the next page that applies.
        following = journey.next_page(page)
        slug = journey.consultation.slug
        return redirect(page_url(slug, following.position if following else None), code=303)
    return journey, page


def _render_question_page(journey: Journey[Any], page: Page, form: Any) -> WerkzeugResponse:
    slug = journey.consultation.slug
    changing = _changing()
    previous = journey.previous_page(page)
    back_url = (
        url_for("public.check_answers", slug=slug)
        if changing
        else page_url(slug, previous.position)
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
        # A changed answer here may route new questions in: "Continue", not a promise of
        # going straight back to check answers.
        returns_to_check=changing and not journey.routes_others(page),
        back_url=back_url,
    )


@bp.get("/consultations/<slug>/check-answers")
@allows(Action.RESPOND)
def check_answers(slug: str) -> WerkzeugResponse:
    journey = _journey_to_read_or_redirect(slug)
    if not isinstance(journey, Journey):
        return journey
    incomplete = journey.first_incomplete_page()
    if incomplete is not None:
        return redirect(page_url(slug, incomplete.position))
    return render_page(
        "public/check-answers.html",
        journey=journey,
        form=SubmitForm(),
        back_url=page_url(slug, journey.pages[-1].position),
    )


@bp.post("/consultations/<slug>/check-answers")
@limiter.limit(
    lambda: current_app.config["SUBMISSION_RATE_LIMIT"],
    # Officers keying in a pile of paper forms are not a flood of bots.
    exempt_when=lambda: (
        current_user.is_authenticated and may(current_user.role, Action.KEY_IN_RESPONSES)
    ),
)
@allows(Action.RESPOND)
def submit(slug: str) -> WerkzeugResponse:
    journey = _journey_to_read_or_redirect(slug, translated=False)
    if not isinstance(journey, Journey):
        return journey
    if honeypot_filled(request.form):
        abort(400)
    try:
        service.submit_response(
            journey, clock.utcnow(), language=answering_language(journey.consultation)
        )
    except ResponseIncomplete as incomplete:
        return redirect(page_url(slug, incomplete.page.position), code=303)
    except AlreadySubmitted:
        pass  # a double click: the first submission stored it; show its confirmation
    except InvitationUsed:
        return render_page(
            "public/invitation-used.html",
            status=409,
            consultation=in_chosen_language(journey.consultation),
            left=False,
            keyed_in=journey.draft.channel != ResponseChannel.ONLINE,
            choice_form=CsrfForm(),  # a keyed-in draft is kept: store it without the code?
        )
    return redirect(url_for("public.confirmation", slug=slug), code=303)


@bp.get("/consultations/<slug>/confirmation")
@allows(Action.RESPOND)
def confirmation(slug: str) -> WerkzeugResponse:
    consultation = published_consultation(slug)
    token = session.get(DRAFTS_KEY, {}).get(slug)
    draft = service.find_draft(consultation, token, clock.utcnow())
    if draft is None or draft.response is None:
        return redirect(url_for("public.start", slug=slug))
    return render_page(
        "public/confirmation.html",
        consultation=consultation,
        reference=draft.response.reference,
        keyed_in=draft.channel != ResponseChannel.ONLINE,
        default_help_text=_(current_app.config["DEFAULT_HELP_TEXT"]),
    )
