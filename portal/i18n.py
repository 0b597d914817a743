"""The languages the portal speaks to respondents, and which one a request is in.

The portal's own words (buttons, errors, the page furniture) come from the message catalogues
under `portal/translations/`, through Flask-Babel; a consultation's own words come from its
translations (`portal/consultations/translations.py`). A respondent's page is in a language
only when both exist: the interface catalogue ships for every language listed here, and a
consultation offers a language once an officer has marked its translation checked.

Officers, schools and administrators work in English; a request is in another language only
when a respondent's page asks for it (`use_language`), so nothing else needs translating to be
correct.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, g, session
from flask_babel import get_locale, refresh

from portal.extensions import babel

ENGLISH = "en"
# The respondent's choice, kept in their own signed session cookie through the journey.
LANGUAGE_KEY = "language"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


@dataclass(frozen=True)
class Language:
    code: str  # BCP 47, as `lang` attributes and catalogues name it
    english_name: str  # for officers
    own_name: str  # for respondents: a language is offered in its own words
    right_to_left: bool = False


# English, and the languages whose interface catalogue ships (portal/translations/<code>).
# Only Polish so far: Warwickshire's most spoken main language after English (2011 Census).
LANGUAGES = {
    language.code: language
    for language in (
        Language(ENGLISH, "English", "English"),
        Language("pl", "Polish", "Polski"),
    )
}
TRANSLATED = tuple(code for code in LANGUAGES if code != ENGLISH)


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", ENGLISH)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    babel.init_app(app, locale_selector=_request_language)
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["languages_by_code"] = LANGUAGES

    @app.context_processor
    def _offered_languages() -> dict[str, Any]:
        return {"offered_languages": g.get("offered_languages", ())}


def _request_language() -> str:
    return str(g.get("language", ENGLISH))


def current_language() -> Language:
    return LANGUAGES.get(str(get_locale()), LANGUAGES[ENGLISH])


def chosen_language() -> str:
    """The language the respondent last chose (English until they choose another)."""
    code = session.get(LANGUAGE_KEY, ENGLISH)
    return code if code in LANGUAGES else ENGLISH


def choose_language(code: str) -> None:
    if code in LANGUAGES:
        session[LANGUAGE_KEY] = code


def use_language(code: str, offered: Sequence[str] = ()) -> None:
    """Render this request in `code` (a page whose words all exist in it), and offer the
    respondent the languages `offered` (codes, English first) in the header."""
    g.language = code if code in LANGUAGES else ENGLISH
    choice = [LANGUAGES[c] for c in offered if c in LANGUAGES]
    g.offered_languages = choice if len(choice) > 1 else []
    refresh()  # Flask-Babel keeps the locale it chose first for the request


def safe_return_path(target: str | None, fallback: str) -> str:
    """A path on this site to go back to after choosing a language: never another site."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target
