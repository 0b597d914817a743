"""A consultation's own words in other languages: which texts there are to translate, how far
each language has got, and the rules for offering one to respondents.

Every text is named by a key ("consultation.title", "question.12.text", "option.40.label"),
the same in the database, the PO files officers download and upload (msgctxt), and the editor
beside the English. A translation keeps the English it was made from, so a text whose English
has changed since reads as needing a check.

A language is offered to respondents only while it is complete (every text translated from
the English as it reads now) and an officer has marked it checked. Any change to its texts
clears the mark; a change to the English leaves the mark but makes the language incomplete.
Either way respondents get the whole consultation in English until an officer checks it
again: never a page half in one language, never a translation of words since changed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.audit import add_audit_entry
from portal.clock import utcnow
from portal.consultations.models import Consultation, OptionKind
from portal.consultations.translation_models import ConsultationLanguage, TextTranslation
from portal.extensions import db
from portal.i18n import TRANSLATED

# The consultation's own texts a respondent reads, with what officers call them.
CONSULTATION_TEXTS = {
    "title": _l("Title"),
    "summary": _l("Summary"),
    "audience": _l("Who it asks (one line, in lists and letters)"),
    "who_for": _l("Who it is for"),
    "timing_note": _l("Why it runs when it does"),
    "what_happens": _l("What happens next"),
    "privacy_notice": _l("Privacy notice"),
    "help_text": _l("If you need help now"),
}
PAGE_TEXTS = {"title": _l("Page heading")}
QUESTION_TEXTS = {
    "text": _l("Question"),
    "hint": _l("Hint"),
    "error_required": _l("Error when not answered"),
    "other_label": _l("Other, please specify"),
}
OPTION_TEXTS = {"label": _l("Answer"), "hint": _l("Answer hint")}
# Longest translation accepted for one text, whatever its English column allows.
LONGEST_TRANSLATION = 5000


def normalised(text: str) -> str:
    """A text as compared and kept: line breaks as one character (browsers send CR LF, files
    may hold either), no spaces around it."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


class TextState(enum.StrEnum):
    TRANSLATED = "translated"
    MISSING = "missing"
    NEEDS_CHECK = "needs check"  # translated from English that has changed since


@dataclass(frozen=True)
class SourceText:
    """One English text to translate, where it is, and what it is."""

    key: str
    english: str
    where: str  # "Page 3, question 2: Hint", for officers and translators


@dataclass(frozen=True)
class TextStatus:
    source: SourceText
    translation: str | None
    translated_from: str | None

    @property
    def state(self) -> TextState:
        if self.translation is None:
            return TextState.MISSING
        if normalised(self.translated_from or "") != self.source.english:
            return TextState.NEEDS_CHECK
        return TextState.TRANSLATED


@dataclass(frozen=True)
class LanguageStatus:
    row: ConsultationLanguage
    texts: list[TextStatus]

    @property
    def language(self) -> str:
        return self.row.language

    def count(self, state: TextState) -> int:
        return sum(1 for text in self.texts if text.state == state)

    @property
    def complete(self) -> bool:
        return all(text.state == TextState.TRANSLATED for text in self.texts)

    @property
    def offered(self) -> bool:
        return self.complete and self.row.checked_at is not None


def source_texts(consultation: Consultation) -> list[SourceText]:
    """Every text a respondent can read, in the order they meet it; empty ones need nothing."""
    found: list[SourceText] = []

    def add(key: str, english: str | None, where: str) -> None:
        # Nothing to translate in an empty text, or in a number (a rating's 0 to 10).
        if english and english.strip() and not english.strip().isdigit():
            found.append(SourceText(key, normalised(english), where))

    for field, name in CONSULTATION_TEXTS.items():
        add(
            f"consultation.{field}",
            getattr(consultation, field),
            _("Consultation: %(text)s", text=name),
        )
    for page in consultation.pages:
        add(
            f"page.{page.id}.title",
            page.title,
            _("Page %(page)s: %(text)s", page=page.position, text=PAGE_TEXTS["title"]),
        )
        for number, question in enumerate(page.questions, start=1):
            where = _("Page %(page)s, question %(number)s", page=page.position, number=number)
            for field, name in QUESTION_TEXTS.items():
                add(
                    f"question.{question.id}.{field}",
                    getattr(question, field),
                    _("%(where)s: %(text)s", where=where, text=name),
                )
            for option in question.options:
                if option.kind == OptionKind.RETIRED:
                    continue  # no longer offered: only results show it, in English
                statement = option.kind == OptionKind.STATEMENT
                label, hint = (
                    (_("Statement"), _("Statement hint"))
                    if statement
                    else (_("Answer"), _("Answer hint"))
                )
                add(
                    f"option.{option.id}.label",
                    option.label,
                    _("%(where)s: %(text)s", where=where, text=label),
                )
                add(
                    f"option.{option.id}.hint",
                    option.hint,
                    _("%(where)s: %(text)s", where=where, text=hint),
                )
    return found


def languages_of(consultation: Consultation) -> list[ConsultationLanguage]:
    return list(
        db.session.scalars(
            sa.select(ConsultationLanguage)
            .where(ConsultationLanguage.consultation_id == consultation.id)
            .order_by(ConsultationLanguage.language)
        )
    )


def language_row(consultation: Consultation, language: str) -> ConsultationLanguage | None:
    return db.session.scalar(
        sa.select(ConsultationLanguage).where(
            ConsultationLanguage.consultation_id == consultation.id,
            ConsultationLanguage.language == language,
        )
    )


def stored_translations(consultation_id: int, language: str) -> dict[str, tuple[str, str]]:
    """key -> (translation, the English it was made from)."""
    rows = db.session.execute(
        sa.select(TextTranslation.key, TextTranslation.text, TextTranslation.english).where(
            TextTranslation.consultation_id == consultation_id,
            TextTranslation.language == language,
        )
    )
    return {key: (text, english) for key, text, english in rows}


def status_of(consultation: Consultation, row: ConsultationLanguage) -> LanguageStatus:
    stored = stored_translations(consultation.id, row.language)
    texts = [
        TextStatus(source, *(stored.get(source.key) or (None, None)))
        for source in source_texts(consultation)
    ]
    return LanguageStatus(row, texts)


def addable_languages(consultation: Consultation) -> list[str]:
    """The languages with an interface catalogue not yet added to the consultation."""
    added = {row.language for row in languages_of(consultation)}
    return [code for code in TRANSLATED if code not in added]


def add_language(consultation: Consultation, language: str) -> ConsultationLanguage:
    if language not in TRANSLATED:
        raise ValueError(f"no interface catalogue for {language!r}")
    row = language_row(consultation, language)
    if row is None:
        # To the microsecond: a language removed and added again is told apart by it, even
        # where SQLite gives the new row the old one's id (in_language.py).
        row = ConsultationLanguage(
            consultation_id=consultation.id, language=language, added_at=utcnow()
        )
        db.session.add(row)
        db.session.commit()
    return row


def save_translations(
    consultation: Consultation,
    row: ConsultationLanguage,
    translations: Mapping[str, tuple[str, str]],
    now: datetime,
) -> int:
    """Store translations (key -> (text, the English translated)) in one transaction; an
    empty text removes that key's translation. Keys not among the consultation's texts are
    ignored. Returns how many texts changed; any change clears the checked mark."""
    keys = {source.key for source in source_texts(consultation)}
    stored = stored_translations(consultation.id, row.language)
    changed = 0
    for key, (typed, typed_from) in translations.items():
        text, english = normalised(typed), normalised(typed_from)
        if key not in keys or stored.get(key) == (text, english):
            continue
        if stored.get(key) is None and not text:
            continue
        changed += 1
        where = (
            TextTranslation.consultation_id == consultation.id,
            TextTranslation.language == row.language,
            TextTranslation.key == key,
        )
        if not text:
            db.session.execute(sa.delete(TextTranslation).where(*where))
        elif key in stored:
            db.session.execute(
                sa.update(TextTranslation)
                .where(*where)
                .values(text=text, english=english, updated_at=now)
            )
        else:
            db.session.add(
                TextTranslation(
                    consultation_id=consultation.id,
                    language=row.language,
                    key=key,
                    text=text,
                    english=english,
                    updated_at=now,
                )
            )
    if changed:
        row.checked_at = None
        row.checked_by_id = None
        row.revision = ConsultationLanguage.revision + 1
        _note_checked(consultation)
    db.session.commit()
    return changed


def remove_language(consultation: Consultation, row: ConsultationLanguage, officer: User) -> int:
    """Take a language off a consultation with every translation of its texts, audited, in
    one transaction; returns how many translations went. Responses already given in it keep
    their language, so the results can still be filtered by it."""
    removed = len(stored_translations(consultation.id, row.language))
    db.session.execute(
        sa.delete(TextTranslation).where(
            TextTranslation.consultation_id == consultation.id,
            TextTranslation.language == row.language,
        )
    )
    db.session.delete(row)
    _note_checked(consultation)
    add_audit_entry(
        officer,
        "removed a language",
        f"consultation:{consultation.slug}",
        f"{row.language}: {removed}",
    )
    db.session.commit()
    return removed


class NotReadyToCheck(Exception):
    """Texts are missing, or translate English that has changed since."""


def mark_checked(
    consultation: Consultation, row: ConsultationLanguage, officer: User, now: datetime
) -> None:
    """An officer confirms a qualified translator has checked every text: respondents are
    offered the language from now on, while it stays complete."""
    if not status_of(consultation, row).complete:
        raise NotReadyToCheck()
    row.checked_at = now
    row.checked_by_id = officer.id
    row.demonstration = False
    _note_checked(consultation)
    db.session.commit()


def _note_checked(consultation: Consultation) -> None:
    """Keep Consultation.checked_languages in step with its languages' checked marks, in the
    same transaction, read from the rows as they now stand."""
    db.session.flush()
    checked = db.session.scalars(
        sa.select(ConsultationLanguage.language)
        .where(
            ConsultationLanguage.consultation_id == consultation.id,
            ConsultationLanguage.checked_at.is_not(None),
        )
        .order_by(ConsultationLanguage.language)
    )
    db.session.execute(
        sa.update(Consultation)
        .where(Consultation.id == consultation.id)
        .values(checked_languages=" ".join(checked))
    )


def from_upload(
    status: LanguageStatus, uploaded: Mapping[str, tuple[str, str]]
) -> tuple[dict[str, tuple[str, str]], int]:
    """The uploaded translations to take, and how many are left out: those made from English
    that has changed since, where the translation held is of the English as it reads now (an
    old file never undoes a newer translation)."""
    held = {text.source.key: text for text in status.texts}
    taken: dict[str, tuple[str, str]] = {}
    kept = 0
    for key, (text, english) in uploaded.items():
        current = held.get(key)
        if (
            current is not None
            and normalised(english) != current.source.english
            and current.state == TextState.TRANSLATED
        ):
            kept += 1
        else:
            taken[key] = (text, english)
    return taken, kept


def edited(
    status: LanguageStatus, typed: Mapping[str, str]
) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """What the editor beside the English changes (key -> (translation, the English it
    translates)), and any text too long (key -> message).

    Form fields: text-<key> (the translation), english-<key> (the English the page showed,
    so a translation is never filed against English that changed while it was being typed),
    confirm-<key> (for a text needing a check: it says what the English says now). A text
    left as it was is not saved; a text needing a check that is edited without the
    confirmation is saved as translating the English it translated before, still needing a
    check."""
    changes: dict[str, tuple[str, str]] = {}
    errors: dict[str, str] = {}
    for text in status.texts:
        key = text.source.key
        raw = typed.get(f"text-{key}")
        if raw is None:
            continue
        translation = normalised(raw)
        shown = normalised(typed.get(f"english-{key}", text.source.english))
        confirmed = typed.get(f"confirm-{key}") == "yes"
        if len(translation) > LONGEST_TRANSLATION:
            errors[key] = _(
                "%(where)s: the translation must be %(count)s characters or fewer",
                where=text.source.where,
                count=f"{LONGEST_TRANSLATION:,}",
            )
        elif text.state == TextState.NEEDS_CHECK and translation and not confirmed:
            if translation != text.translation:
                changes[key] = (translation, text.translated_from or "")
        elif translation != (text.translation or "") or (confirmed and translation):
            changes[key] = (translation, shown)
    return changes, errors
