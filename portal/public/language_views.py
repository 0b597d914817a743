"""A respondent chooses the language of their pages (a plain link, no JavaScript needed), and
which language a respondent's page and response are in."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from werkzeug import Response as WerkzeugResponse

from portal import i18n
from portal.accounts.permissions import Action, allows
from portal.consultations.in_language import in_language, offered_languages, shown_in
from portal.consultations.models import Consultation
from portal.public import bp


@bp.get("/language/<language>")
@allows(Action.RESPOND)
def choose_language(language: str) -> WerkzeugResponse:
    """Remember the choice in the respondent's session and go back to the page they were on
    (a page of this site only). A consultation not offered in it stays in English."""
    if language not in i18n.LANGUAGES:
        abort(404)
    i18n.choose_language(language)
    back = i18n.safe_return_path(request.args.get("next"), url_for("public.index"))
    return redirect(back, code=303)


def in_chosen_language(consultation: Consultation) -> Consultation:
    """The consultation in the language the respondent chose, when it is offered in it, with
    the page's own words in that language too; otherwise all in English. The header offers
    the languages the consultation is in. A consultation already in one stays as it is."""
    if shown_in(consultation) != i18n.ENGLISH:
        return consultation
    offered = offered_languages(consultation)
    chosen = i18n.chosen_language()
    language = chosen if chosen in offered else i18n.ENGLISH
    i18n.use_language(language, offered)
    return in_language(consultation, language)


def answering_language(consultation: Consultation) -> str:
    """The language a response sent now is given in: the respondent's choice, when the
    consultation is offered in it."""
    chosen = i18n.chosen_language()
    offered = chosen != i18n.ENGLISH and chosen in offered_languages(consultation)
    return chosen if offered else i18n.ENGLISH
