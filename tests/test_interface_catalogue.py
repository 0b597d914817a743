"""The portal's pages speak through the message catalogue, and the Polish catalogue ships.

Three checks: no template holds words outside `_()`, `ngettext` or
`{% trans %}` (so nothing is left in English on a translated page); every message the portal
extracts has a finished Polish translation with the same placeholders; and a page rendered in
Polish says Polish words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import Flask, render_template
from jinja2 import Environment

from portal.consultations.question_types.choice import SingleChoice
from portal.errors import MESSAGES
from portal.i18n import use_language

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
TRANSLATIONS = ROOT / "portal" / "translations"

# Every template: a respondent's pages, and the officer, school, admin and sign-in pages too
# (staff work in English today, but the issue asks for every word through the catalogue).
TEMPLATE_NAMES = sorted(
    path.relative_to(TEMPLATES).as_posix()
    for path in TEMPLATES.rglob("*")
    if path.suffix in (".html", ".txt")
)

# Attributes whose values people read (or hear from a screen reader).
READ_ATTRIBUTES = re.compile(r"""\b(aria-label|alt|title|placeholder)\s*=\s*(["'])(.*?)\2""", re.S)
# The calls whose string arguments are the catalogue's messages.
TRANSLATING_CALLS = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
CODE = "\x00"  # where a {{ ... }} or {% ... %} stood among the HTML
# Text that is attribute="value" pairs: a macro that writes attributes into its caller's tag.
ATTRIBUTE = re.compile(r"""[\w:.-]+=(["']).*?\1""", re.S)
ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
LETTER = re.compile(r"[^\W\d_]")

_lexer = Environment(
    extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True, autoescape=True
)


def _words(text: str) -> str:
    """What is left to read once template code, entities, digits and punctuation are gone."""
    text = ENTITY.sub(" ", text.replace(CODE, " "))
    return " ".join(text.split()) if LETTER.search(text) else ""


def _reads_as_words(literal: str) -> bool:
    """A string literal in template code that people would read: a phrase of two words or
    more, or one capitalised word; not a class list, an id, an endpoint or a file name."""
    literal = literal.strip()
    if not re.fullmatch(r"[A-Za-z0-9'’,.!?;:()“” ]+", literal) or re.search(r"\.\w", literal):
        return False
    words = re.findall(r"[A-Za-z]{2,}", literal)
    return len(words) >= 2 or bool(re.fullmatch("[A-Z][a-z]+", literal))


def untranslated(source: str) -> Iterator[tuple[int, str]]:
    """(line, text) for each piece of human-readable text in a template that does not go
    through the catalogue: HTML text, read attributes, and phrases in template code."""
    pieces: list[tuple[int, str]] = []  # the HTML as written, with CODE for template code
    depth: list[bool] = []  # open brackets in template code: is each a translating call?
    previous_name = ""
    for line, kind, value in _lexer.lex(source):
        if kind == "data":
            pieces.append((line, value))
        elif kind in ("variable_begin", "block_begin"):
            pieces.append((line, CODE))
            depth.clear()
        elif kind == "operator" and value in "([{":
            depth.append(value == "(" and previous_name in TRANSLATING_CALLS)
        elif kind == "operator" and value in ")]}" and depth:
            depth.pop()
        elif kind == "string" and not any(depth):
            literal = value[1:-1]
            if _reads_as_words(literal):
                yield line, literal
        previous_name = value if kind == "name" else ""
    yield from _untranslated_html(pieces)


def _untranslated_html(pieces: list[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    text, text_line = "", 0
    tag, tag_line, quote = "", 0, ""
    in_tag = False

    def text_problems() -> Iterator[tuple[int, str]]:
        if ATTRIBUTE.search(text):
            yield from attribute_problems(text, text_line)
        elif _words(text):
            yield text_line, _words(text)

    def attribute_problems(attributes: str, line: int) -> Iterator[tuple[int, str]]:
        for match in READ_ATTRIBUTES.finditer(attributes):
            if _words(match.group(3)):
                yield line, f"{match.group(1)}={match.group(3)!r}"

    for line, value in pieces:
        for offset, char in enumerate(value):
            here = line + value.count("\n", 0, offset)
            if in_tag:
                tag += char
                if quote:
                    quote = "" if char == quote else quote
                elif char in "\"'":
                    quote = char
                elif char == ">":
                    in_tag = False
                    yield from attribute_problems(tag, tag_line)
            elif char == "<" and value[offset + 1 : offset + 2] not in ("", " ", "="):
                yield from text_problems()
                text, in_tag, tag, tag_line = "", True, char, here
            else:
                if not text.strip():
                    text_line = here
                text += char
    yield from text_problems()


def test_the_checker_finds_words_left_outside_the_catalogue() -> None:
    source = """<h1>{{ _('Fine') }}</h1>
<p class="govuk-body">Left in English</p>
<nav aria-label="Menu">{{ x }} &ndash; 42.</nav>
{{ "Not shown" if hidden else _("Shown") }}
<img alt="{{ _('Described') }}" src="{{ url_for('static', filename='a b.png') }}">"""
    assert list(untranslated(source)) == [
        (4, "Not shown"),
        (2, "Left in English"),
        (3, "aria-label='Menu'"),
    ]


def test_the_checker_lets_translated_text_and_code_through() -> None:
    source = """{% set items = [] %}{% for x in y %}{% set ignored = items.append(x) %}{% endfor %}
<p class="govuk-body app-meta">{{ _('For: %(audience)s.', audience=c.audience) }}
  {% if c.closes_on %}{{ _('Closes %(date)s.', date=c.closes_on | uk_date) }}{% endif %}</p>
<a href="{{ url_for('public.start', slug='a-b') }}" {{ attrs("x") }}>
  {{- ngettext('%(num)d page', '%(num)d pages', n) }}</a>
<span class="govuk-visually-hidden"> {{ _('your answer to: %(q)s', q=q) }}</span> &ndash; 12.</p>"""
    assert list(untranslated(source)) == []


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_templates_say_everything_through_the_catalogue(name: str) -> None:
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    problems = [f"{name}:{line}: {text}" for line, text in untranslated(source)]
    assert not problems, "Words not in _(), ngettext or {% trans %}:\n" + "\n".join(problems)


def _catalogue(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=locale)


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_every_message_has_a_finished_polish_translation() -> None:
    template = _catalogue(TRANSLATIONS / "messages.pot")
    polish = _catalogue(TRANSLATIONS / "pl" / "LC_MESSAGES" / "messages.po", locale="pl")
    assert polish.num_plurals == 3
    problems = []
    for message in template:
        if not message.id:
            continue  # the header
        translated = polish.get(message.id)
        singular = message.id[0] if message.pluralizable else message.id
        whole = " ".join(message.id) if message.pluralizable else message.id
        if translated is None:
            problems.append(f"missing: {singular!r}")
            continue
        if translated.fuzzy:
            problems.append(f"fuzzy: {singular!r}")
        forms = translated.string if translated.pluralizable else (translated.string,)
        if translated.pluralizable and len(forms) != polish.num_plurals:
            problems.append(f"not {polish.num_plurals} plural forms: {singular!r}")
        expected = _placeholders(whole)
        for form in forms:
            if not form:
                problems.append(f"untranslated: {singular!r}")
            elif _placeholders(form) != expected and not (
                # A plural form may leave the number out ("jeden dzień"), never a name.
                translated.pluralizable and _placeholders(form) == expected - {"num"}
            ):
                problems.append(f"placeholders {sorted(_placeholders(form))}: {singular!r}")
            elif form.count("%%") != singular.count("%%"):
                problems.append(f"a literal %% lost or added: {singular!r}")
    assert not problems, "\n".join(problems)


def test_a_page_in_polish(app: Flask) -> None:
    with app.test_request_context("/"):
        use_language("pl")
        heading, message = MESSAGES[404]
        html = render_template("errors/error.html", heading=heading, message=message)
    assert '<html lang="pl"' in html
    assert "Przejdź do głównej treści" in html
    assert "Nie znaleziono strony" in html
    assert "Skip to main content" not in html


def test_messages_kept_in_forms_are_said_in_each_requests_language(app: Flask) -> None:
    """A page's form class is built once and kept, so its messages are lazy."""
    with app.test_request_context("/"):
        assert str(SingleChoice.default_required) == "Select an answer"
        use_language("pl")
        assert str(SingleChoice.default_required) == "Wybierz odpowiedź"


def test_an_english_page_is_unchanged_by_the_catalogue(app: Flask) -> None:
    with app.test_request_context("/"):
        heading, message = MESSAGES[404]
        html = render_template("errors/error.html", heading=heading, message=message)
    assert '<html lang="en"' in html
    assert "Skip to main content" in html
    assert "<title>Page not found – " in html


def test_a_number_in_a_kept_message_is_written_the_requests_way(app: Flask) -> None:
    """The feedback comment's limit is one number in a sentence built once with its form."""
    from portal.public.feedback_forms import FeedbackForm

    (length,) = [v for v in FeedbackForm.comment.kwargs["validators"] if hasattr(v, "max")]
    with app.test_request_context("/"):
        assert str(length.message) == "Your comment must be 1,200 characters or fewer"
        use_language("pl")
        assert str(length.message) == "Komentarz może mieć najwyżej 1\u00a0200 znaków"


def test_a_length_limit_takes_the_plural_its_number_needs(app: Flask) -> None:
    """Polish says "254 znaki" but "200 znaków": one sentence per plural form."""
    from types import SimpleNamespace

    from wtforms.validators import ValidationError

    from portal.forms import MaxLength

    said = {}
    with app.test_request_context("/"):
        use_language("pl")
        for most in (1, 200, 254):
            field = SimpleNamespace(data="x" * (most + 1), label=SimpleNamespace(text="Adres"))
            with pytest.raises(ValidationError) as refused:
                MaxLength(most)(None, field)
            said[most] = str(refused.value)
    assert said == {
        1: "Adres: wpisz najwyżej 1 znak",
        200: "Adres: wpisz najwyżej 200 znaków",
        254: "Adres: wpisz najwyżej 254 znaki",
    }


def test_templates_follow_each_change_of_language_within_a_request(app: Flask) -> None:
    """The translations a template uses are kept for the request (portal/i18n.py) only while
    the language stays the same: choosing one, or forcing the staff's, is seen at once."""
    from flask import render_template_string
    from flask_babel import force_locale

    def said() -> str:
        return render_template_string("{{ _('Continue') }}")

    with app.test_request_context("/"):
        assert said() == "Continue"
        use_language("pl")
        assert said() == "Kontynuuj"
        with force_locale("en"):
            assert said() == "Continue"
        assert said() == "Kontynuuj"
        use_language("en")
        assert said() == "Continue"
