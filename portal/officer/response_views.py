"""Find a response by the reference its respondent quotes ("63SBM-FQWTT"), read it, correct an
answer, or withdraw it at the respondent's request. Officers see every consultation, so a
reference is looked up across all of them, by exact match only."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from portal import audit
from portal.accounts.permissions import Action, allows
from portal.consultations.question_types import kind_of
from portal.forms import ChoiceField, CsrfForm, PortalForm
from portal.officer import bp
from portal.rendering import render_page
from portal.responses import lookup
from portal.responses.service import format_reference

EXAMPLE = "63SBM-FQWTT"


class FindForm(PortalForm):
    """Sent by GET: a search changes nothing, and its address can be bookmarked."""

    class Meta:
        csrf = False

    reference = StringField(
        _l("Response reference"),
        description=_l("The reference the respondent was given, like %(example)s", example=EXAMPLE),
        validators=[
            DataRequired(_l("Enter a response reference, like %(example)s", example=EXAMPLE)),
            Length(max=40, message=_l("A response reference is like %(example)s", example=EXAMPLE)),
        ],
    )


class WithdrawForm(PortalForm):
    reason = ChoiceField(
        _l("Why is the response being withdrawn?"),
        choices=[SelectChoice(key, words) for key, words in lookup.WITHDRAWAL_REASONS.items()],
        validators=[InputRequired(_l("Select why the response is being withdrawn"))],
    )


def _found(reference: str) -> lookup.FoundResponse:
    response = lookup.find(reference) or abort(404)
    return lookup.read(response)


@bp.get("/responses/find")
@allows(Action.FIND_RESPONSES)
def find_response() -> WerkzeugResponse:
    form = FindForm(request.args)
    if "reference" in request.args and form.validate():
        response = lookup.find(form.reference.data or "")
        if response is not None:
            return redirect(
                url_for(".response_page", reference=format_reference(response.reference)),
                code=303,
            )
        form.reference.errors = [
            _("No response has the reference %(reference)s", reference=form.reference.data.strip())
        ]
    return render_page("officer/responses/find.html", form=form)


@bp.get("/responses/<reference>")
@allows(Action.FIND_RESPONSES)
def response_page(reference: str) -> WerkzeugResponse:
    found = _found(reference)
    audit.audit(current_user, "viewed response", lookup.subject(found.response))
    return render_page("officer/responses/response.html", found=found)


def _correction_form(question: Any, stored: Any, formdata: Any) -> CsrfForm:
    form_class = type("CorrectionForm", (CsrfForm,), kind_of(question).fields(question))
    initial = kind_of(question).form_data(question, stored)
    form: CsrfForm = form_class(formdata=formdata, data=initial if formdata is None else None)
    return form


@bp.route("/responses/<reference>/questions/<key>/correct", methods=["GET", "POST"])
@allows(Action.FIND_RESPONSES)
def correct_answer(reference: str, key: str) -> WerkzeugResponse:
    """One question's answer, changed as the respondent asked (or a keying error put right)."""
    found = _found(reference)
    shown = found.question(key)
    if shown is None or not shown.asked:
        abort(404)
    question = shown.question
    posted = request.method == "POST"
    form = _correction_form(question, found.stored.get(key), request.form if posted else None)
    if posted and form.validate():
        removed = lookup.correct(
            found, question, kind_of(question).to_stored(question, form), by=current_user
        )
        if removed:
            message = ngettext(
                "Answer to \u201c%(question)s\u201d corrected. The answers to %(num)d later "
                "question it now routes past were removed",
                "Answer to \u201c%(question)s\u201d corrected. The answers to %(num)d later "
                "questions it now routes past were removed",
                removed,
                question=question.text,
            )
        else:
            message = _("Answer to \u201c%(question)s\u201d corrected", question=question.text)
        flash(message, "success")
        return redirect(url_for(".response_page", reference=found.reference), code=303)
    return render_page(
        "officer/responses/correct.html",
        status=422 if form.errors else 200,
        found=found,
        question=question,
        macro=kind_of(question).macro,
        form=form,
    )


@bp.route("/responses/<reference>/withdraw", methods=["GET", "POST"])
@allows(Action.FIND_RESPONSES)
def withdraw_response(reference: str) -> WerkzeugResponse:
    """Ask first (a GOV.UK confirmation page), then erase the response for good."""
    found = _found(reference)
    form = WithdrawForm()
    if form.validate_on_submit():
        lookup.withdraw(found.response, form.reason.data or "", by=current_user)
        flash(
            _(
                "Response %(reference)s withdrawn: its answers are erased and no longer "
                "counted in the results",
                reference=found.reference,
            ),
            "success",
        )
        return redirect(url_for(".find_response"), code=303)
    return render_page(
        "officer/responses/withdraw.html",
        status=422 if form.errors else 200,
        found=found,
        form=form,
    )
