"""A consultation as a respondent reads it in another language: the same pages, questions and
options (same ids, keys and values, so answers are stored and counted as in English), with
their texts translated.

Built from a structure of its own (consultations/structure.py: load_structure), never by
changing the English one that every other request shares, and kept per process like it: the
translated pages are built again when the consultation's structure_version or the language's
revision moves, so a change on any server is read on every other from its next request. The
consultation's own row (title, start page texts) is read afresh by every request, so its
texts are translated for each request from the translations held.

Why a process holds them, measured on the seeded bullying consultation in Polish (Flask test
client, SQLite, question page 1, medians of 75 requests in three alternating rounds): 2.8 ms
a page with the translated pages held, 13.3 ms building them for every request. Which
languages are marked checked is read from the consultation's own row
(Consultation.checked_languages), which every respondent's page reads anyway: asking the
languages' table instead took an English question page from 1.8 to 2.1 ms (SQLite, in
process), and nothing more is asked unless a language is marked checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from portal.consultations.models import Consultation, OptionKind, Page
from portal.consultations.structure import load_structure
from portal.consultations.translation_models import ConsultationLanguage
from portal.consultations.translations import (
    CONSULTATION_TEXTS,
    OPTION_TEXTS,
    PAGE_TEXTS,
    QUESTION_TEXTS,
    normalised,
    stored_translations,
)
from portal.extensions import db
from portal.i18n import ENGLISH

_COLUMNS = tuple(attribute.key for attribute in sa.inspect(Consultation).column_attrs)
# Set on a translated copy: the language it is in (shown_in).
_SHOWN_IN = "_portal_shown_in"


@dataclass(frozen=True)
class _Translated:
    version: int
    # The language's row, when it was added and its revision: a language removed and added
    # again starts its revisions afresh, and SQLite may give it the removed row's id, so the
    # moment it was added (to the microsecond) tells the two apart.
    edition: tuple[Any, ...]  # (id, added_at, revision)
    pages: tuple[Page, ...]
    translations: dict[str, tuple[str, str]]
    # Every page, question and option text translated from the English as it reads now.
    pages_complete: bool


# (database URL, consultation id, language) -> its translated pages, as last built.
_translated: dict[tuple[str, int, str], _Translated] = {}


def offered_languages(consultation: Consultation) -> list[str]:
    """English, then each language respondents are offered: marked checked, and (read from
    the translations held) complete for the English as it reads now."""
    if not consultation.checked_languages:
        # Nothing more to ask: 0.3 ms of a question page's 2.1 ms (SQLite, in process).
        return [ENGLISH]
    rows = db.session.execute(
        sa.select(
            ConsultationLanguage.language,
            ConsultationLanguage.id,
            ConsultationLanguage.added_at,
            ConsultationLanguage.revision,
        )
        .where(
            ConsultationLanguage.consultation_id == consultation.id,
            ConsultationLanguage.checked_at.is_not(None),
        )
        .order_by(ConsultationLanguage.language)
    ).all()
    return [ENGLISH] + [
        language
        for language, *edition in rows
        if _complete(consultation, _pages_in(consultation, language, tuple(edition)))
    ]


def in_language(consultation: Consultation, language: str, preview: bool = False) -> Consultation:
    """The consultation with its texts in `language`. Respondents get it only for a language
    offered_languages lists; a preview shows whatever is translated, the rest in English."""
    if language == ENGLISH:
        return consultation
    edition = db.session.execute(
        sa.select(
            ConsultationLanguage.id, ConsultationLanguage.added_at, ConsultationLanguage.revision
        ).where(
            ConsultationLanguage.consultation_id == consultation.id,
            ConsultationLanguage.language == language,
        )
    ).first()
    if edition is None:
        return consultation
    translated = _pages_in(consultation, language, tuple(edition), latest=preview)
    copy = Consultation(**{key: getattr(consultation, key) for key in _COLUMNS})
    make_transient_to_detached(copy)  # as if loaded: nothing to write
    for field in CONSULTATION_TEXTS:
        text = _text(translated.translations, f"consultation.{field}", getattr(copy, field))
        set_committed_value(copy, field, text)
    set_committed_value(copy, "pages", list(translated.pages))
    setattr(copy, _SHOWN_IN, language)
    return copy


def shown_in(consultation: Consultation) -> str:
    """The language a consultation object's texts are in: English, unless it is a translated
    copy (which is never written, nor made a response's snapshot)."""
    return str(getattr(consultation, _SHOWN_IN, ENGLISH))


def _pages_in(
    consultation: Consultation, language: str, edition: tuple[Any, ...], latest: bool = False
) -> _Translated:
    """The consultation's pages in `language`, from the process's copy while the structure
    and the translations are those it was built from. `latest` builds them afresh and keeps
    nothing (a preview of a consultation being edited, which may not have a version yet)."""
    key = (str(db.engine.url), consultation.id, language)
    held = _translated.get(key)
    if (
        not latest
        and held is not None
        and held.version == consultation.structure_version
        and held.edition == edition
    ):
        return held
    translations = stored_translations(consultation.id, language)
    structure = load_structure(consultation.id)
    complete = _translate_pages(structure.pages, translations)
    built = _Translated(structure.version, edition, structure.pages, translations, complete)
    if not latest:
        _translated[key] = built
    return built


def _translate_pages(pages: tuple[Page, ...], translations: dict[str, tuple[str, str]]) -> bool:
    """Put each translation in place of its English on these (the structure's own, new)
    objects; whether every text had one made from its English as it reads now."""
    complete = True

    def translate(item: Any, prefix: str, fields: dict[str, str]) -> None:
        nonlocal complete
        for field in fields:
            english = getattr(item, field)
            if not english or not english.strip() or english.strip().isdigit():
                continue
            found = translations.get(f"{prefix}.{item.id}.{field}")
            if found is None or normalised(found[1]) != normalised(english):
                complete = False
            if found is not None:
                set_committed_value(item, field, found[0])

    for page in pages:
        translate(page, "page", PAGE_TEXTS)
        for question in page.questions:
            translate(question, "question", QUESTION_TEXTS)
            for option in question.options:
                if option.kind != OptionKind.RETIRED:
                    translate(option, "option", OPTION_TEXTS)
    return complete


def _text(translations: dict[str, tuple[str, str]], key: str, english: str | None) -> str | None:
    found = translations.get(key)
    return found[0] if found is not None and english else english


def _complete(consultation: Consultation, translated: _Translated) -> bool:
    if not translated.pages_complete:
        return False
    for field in CONSULTATION_TEXTS:
        english = getattr(consultation, field)
        if english and english.strip() and not english.strip().isdigit():
            found = translated.translations.get(f"consultation.{field}")
            if found is None or normalised(found[1]) != normalised(english):
                return False
    return True


def forget_translated() -> None:
    """Drop every translated copy (tests that empty the database, whose ids then restart)."""
    _translated.clear()
