"""The languages the portal speaks to respondents, and which one a request is in.

The portal's own words (buttons, errors, the page furniture) come from the message catalogues
under `portal/translations/`, through Flask-Babel; a consultation's own words come from its
translations (`portal/consultations/translations.py`). A respondent's page is in a language
only when both exist: the interface catalogue ships for every language listed here, and a
consultation offers a language once an officer has marked its translation checked.

Officers, schools and administrators work in English (STAFF_LANGUAGE); a request is in another
language only when a respondent's page asks for it (`use_language`). Their own words go through
the catalogue too, and where they share a page with a respondent's language (an officer's
menu and the Preview banner on a consultation previewed in Polish), `in_staff_language` keeps
them in theirs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel.lists import format_list
from babel.numbers import get_decimal_symbol, get_group_symbol
from babel.support import NullTranslations
from flask import Flask, g, request, session, url_for
from flask_babel import (
    LazyString,
    force_locale,
    format_date,
    get_locale,
    get_translations,
    refresh,
)
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from portal.extensions import babel

ENGLISH = "en"
# The language of every officer's, school's and administrator's page.
STAFF_LANGUAGE = ENGLISH
# The respondent's choice, kept in their own signed session cookie through the journey.
LANGUAGE_KEY = "language"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


@dataclass(frozen=True)
class Language:
    code: str  # BCP 47, as `lang` attributes and catalogues name it
    english_name: str | LazyString  # for officers, through the catalogue
    own_name: str  # for respondents: a language is offered in its own words
    right_to_left: bool = False


# English, and the languages whose interface catalogue ships (portal/translations/<code>).
# Only Polish so far: Warwickshire's most spoken main language after English (2011 Census).
LANGUAGES = {
    language.code: language
    for language in (
        Language(ENGLISH, _l("English"), "English"),
        Language("pl", _l("Polish"), "Polski"),
    )
}
TRANSLATED = tuple(code for code in LANGUAGES if code != ENGLISH)


def init_i18n(app: Flask) -> None:
    missing = [
        code
        for code in TRANSLATED
        if not (TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo").is_file()
    ]
    if missing:
        # Flask-Babel would fall back to English without a word: Polish questions under English
        # buttons and errors. Every install compiles them (Makefile, docs/operations.md).
        raise RuntimeError(
            f"The interface catalogues for {', '.join(missing)} are not compiled: run "
            "`pybabel compile --directory portal/translations` (every `make` target does)"
        )
    app.config.setdefault("BABEL_DEFAULT_LOCALE", ENGLISH)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    babel.init_app(app, locale_selector=_request_language)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: _translations().ugettext(message),
        ngettext=lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, message: _translations().upgettext(context, message),
        npgettext=lambda context, singular, plural, n: _translations().unpgettext(
            context, singular, plural, n
        ),
    )
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["language_return_path"] = language_return_path
    app.jinja_env.globals["languages_by_code"] = LANGUAGES
    app.jinja_env.globals["in_staff_language"] = in_staff_language
    app.jinja_env.globals["staff_language_attributes"] = staff_language_attributes

    @app.context_processor
    def _offered_languages() -> dict[str, Any]:
        return {"offered_languages": g.get("offered_languages", ())}


def _translations() -> NullTranslations:
    """Flask-Babel's translations for the locale in force, kept for the request while that
    locale stays the same object (a force_locale or a refresh makes a new one).

    Flask-Babel finds them afresh on every call (its context, domain and locale, and the
    locale's name built as a string). The officers' results page makes 225 such calls in its
    templates: at 1,000 responses (SQLite, in process, medians of 60 requests) it took 22.0 ms
    without this and 18.0 ms with it, about what it took before staff pages were translated
    (bench/results.md, 2026-12-06 evening)."""
    state = g.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        return get_translations()  # the locale is chosen on this first call
    kept = getattr(state, "portal_translations", None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    state.portal_translations = (locale, translations)
    return translations


def _request_language() -> str:
    return str(g.get("language", ENGLISH))


def current_language() -> Language:
    return LANGUAGES.get(str(get_locale()), LANGUAGES[ENGLISH])


def in_staff_language(caller: Callable[[], Markup]) -> Markup:
    """The enclosed part of a template in the staff's language, whatever the page's:
    `{% call in_staff_language() %}...{% endcall %}`. The caller marks it `lang` itself."""
    locale = get_locale()
    if locale is None or locale.language == STAFF_LANGUAGE:
        return caller()
    with force_locale(STAFF_LANGUAGE):
        return caller()


def staff_language_attributes() -> Markup:
    """` lang="en" dir="ltr"` for the staff's own furniture on a page in another language
    (nothing on an English page); a function, so an HTMX fragment has it as a page has. It
    reads the request's language, not the locale, which in_staff_language switches."""
    if _request_language() == STAFF_LANGUAGE:
        return Markup("")
    return Markup(' lang="{}" dir="ltr"').format(STAFF_LANGUAGE)


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


# A path on this site: one slash, then no second slash or backslash (browsers read "/\\x" as
# "//x", another site), and no control character or space anywhere.
_SITE_PATH = re.compile(r"/(?![/\\])[^\\\x00-\x20\x7f]*")


def language_return_path() -> str:
    """Where a language link brings the respondent back to: this page, when it can be asked
    for again (GET); otherwise the list of consultations."""
    rule = request.url_rule
    if request.method == "GET" or (rule is not None and "GET" in (rule.methods or ())):
        return request.full_path.rstrip("?")
    return url_for("public.index")


def safe_return_path(target: str | None, fallback: str) -> str:
    """A path on this site to go back to after choosing a language: never another site."""
    if not target or not _SITE_PATH.fullmatch(target) or urlsplit(target).netloc:
        return fallback
    return target


# Numbers and dates in the page's language -------------------------------------------------


def _number_symbols() -> tuple[str, str] | None:
    """The thousands and decimal separators of the page's language (Babel's CLDR data: Polish
    writes 1 234,5), or None for English's own 1,234.5."""
    locale = get_locale()
    if locale is None or locale.language == ENGLISH:
        return None
    return get_group_symbol(locale), get_decimal_symbol(locale)


def format_number(value: Decimal) -> str:
    """1234.5 -> "1,234.5" (in Polish "1 234,5"): thousands separated, no trailing zeros,
    never an exponent, never rounded."""
    text = f"{value:,f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    symbols = _number_symbols()
    if symbols is None:
        return text
    group, decimal = symbols
    return "".join(group if c == "," else decimal if c == "." else c for c in text)


def parse_number(raw: str) -> Decimal | None:
    """What people type: spaces allowed, and thousands commas; where the page's language
    writes a decimal comma (Polish 2,5), the comma is the decimal point instead. None when it
    is not a number."""
    symbols = _number_symbols()
    if symbols is not None and symbols[1] == ",":
        cleaned = re.sub(r"\s", "", raw).replace(",", ".")
    else:
        cleaned = re.sub(r"[\s,]", "", raw)
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def long_date(day: date | None) -> str:
    """ "17 January 2027"; in another language its own words for it, from Babel's CLDR data
    (Polish "17 stycznia 2027")."""
    return _day_month_year(day, "%B", "MMMM") if day else ""


def short_date(day: date) -> str:
    """ "17 Jan 2027", where space is tight (a chart's axis); in another language its own
    short month (Polish "17 sty 2027")."""
    return _day_month_year(day, "%b", "MMM")


def _day_month_year(day: date, english_month: str, cldr_month: str) -> str:
    """English by hand (no leading zero on the day); other languages from CLDR."""
    locale = get_locale()
    if locale is None or locale.language == ENGLISH:
        return f"{day.day} {day:{english_month} %Y}"
    return format_date(day, f"d {cldr_month} y")


def format_and_list(items: Sequence[str]) -> str:
    """ "1 July 2026, 2 July 2026 and 4 July 2026": items joined as the page's language lists
    them (Babel's CLDR patterns; British English, so no comma before "and")."""
    locale = get_locale()
    if locale is None or locale.language == ENGLISH:
        return format_list(list(items), locale="en_GB")
    return format_list(list(items), locale=locale)
