"""Saving a response to finish later, and coming back to it with the resume code."""

from __future__ import annotations

import hashlib

from flask import current_app, redirect, render_template, request, session
from flask_babel import gettext as _
from werkzeug import Response as WerkzeugResponse

from portal import clock, i18n
from portal.accounts.permissions import Action, allows
from portal.extensions import limiter
from portal.mail import MailUnavailable, mail_configured, send_email
from portal.public import bp
from portal.public.forms import EmailLinkForm, ResumeForm
from portal.public.views import DRAFTS_KEY, RESUME_CODES_KEY, page_url, published_consultation
from portal.rendering import render_page
from portal.responses import resume
from portal.responses.journey import Journey
from portal.site_links import site_url_for


def _hashed(*parts: str) -> str:
    """A key for the limiter's storage, which never holds a draft's token or an address."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _draft_being_emailed() -> str:
    """Which saved response an email is asked for: its draft, which stays the same however
    often it is saved again (each save makes a new resume code)."""
    slug = (request.view_args or {}).get("slug", "")
    return "saved-email-draft:" + _hashed(slug, session.get(DRAFTS_KEY, {}).get(slug, ""))


def _recipient() -> str:
    """Who an email is asked for: however many places ask, one inbox gets only so many."""
    return "saved-email-to:" + _hashed(request.form.get("email", "").strip().lower())


@bp.route("/consultations/<slug>/saved", methods=["GET", "POST"])
# Each email goes to an address the sender typed, from the council's address: limited per
# client address, per saved response and per recipient, however many addresses ask.
@limiter.limit(lambda: current_app.config["RESUME_EMAIL_RATE_LIMIT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["RESUME_EMAILS_PER_DRAFT"],
    key_func=_draft_being_emailed,
    methods=["POST"],
)
@limiter.limit(
    lambda: current_app.config["RESUME_EMAILS_PER_RECIPIENT"],
    key_func=_recipient,
    methods=["POST"],
)
@allows(Action.RESPOND)
def saved(slug: str) -> WerkzeugResponse:
    """The resume code, once more, and an offer to email a link to it."""
    consultation = published_consultation(slug)
    code = session.get(RESUME_CODES_KEY, {}).get(slug)
    form = EmailLinkForm()
    sent_to = None
    # The address to come back to opens in the language this page is in: another device has
    # no choice kept.
    language = i18n.current_language().code
    resume_language = None if language == i18n.ENGLISH else language
    if code and mail_configured() and form.validate_on_submit():
        link = site_url_for(
            "public.resume_response",
            slug=slug,
            code=resume.format_resume_code(code),
            language=resume_language,
        )
        try:
            send_email(
                form.email.data.strip(),
                _("Finish your response: %(title)s", title=consultation.title),
                render_template(
                    "public/resume-email.txt",
                    consultation=consultation,
                    code=resume.format_resume_code(code),
                    link=link,
                    days=current_app.config["SAVED_DRAFT_LIFETIME_DAYS"],
                ),
            )
        except MailUnavailable:
            form.email.errors = [
                _("The email could not be sent just now. Write your code down instead.")
            ]
        else:
            sent_to = form.email.data.strip()  # shown once below, then forgotten
    return render_page(
        "public/saved.html",
        status=422 if form.errors else 200,
        consultation=consultation,
        code=resume.format_resume_code(code) if code else None,
        form=form,
        can_email=mail_configured(),
        sent_to=sent_to,
        days=current_app.config["SAVED_DRAFT_LIFETIME_DAYS"],
        resume_language=resume_language,
    )


@bp.route("/consultations/<slug>/resume", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESUME_RATE_LIMIT"], methods=["POST"])
@allows(Action.RESPOND)
def resume_response(slug: str) -> WerkzeugResponse:
    if request.method == "GET" and request.args.get("language"):
        i18n.choose_language(request.args["language"])  # from the emailed link
    consultation = published_consultation(slug)
    form = ResumeForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:40]  # from the emailed link; still a button press
    if form.validate_on_submit():
        now = clock.utcnow()
        draft = resume.resume(consultation, form.code.data, now)
        if draft is None:
            form.code.errors = [
                _(
                    "That code does not match a saved response. Check it, or start again: "
                    "saved responses are kept for %(days)s days",
                    days=current_app.config["SAVED_DRAFT_LIFETIME_DAYS"],
                )
            ]
        else:
            session[DRAFTS_KEY] = {**session.get(DRAFTS_KEY, {}), slug: draft.token}
            session[RESUME_CODES_KEY] = {
                key: value
                for key, value in session.get(RESUME_CODES_KEY, {}).items()
                if key != slug
            }
            journey = Journey(consultation, draft)
            incomplete = journey.first_incomplete_page()
            return redirect(page_url(slug, incomplete.position if incomplete else None), code=303)
    return render_page(
        "public/resume.html",
        status=422 if form.errors else 200,
        consultation=consultation,
        form=form,
    )
