"""A respondent chooses the language of their pages: a plain link, no JavaScript needed."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from werkzeug import Response as WerkzeugResponse

from portal import i18n
from portal.accounts.permissions import Action, allows
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
