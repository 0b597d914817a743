"""Load the demonstration translations in portal/data/translations/ (<slug>.<language>.yaml)
for consultations that do not have that language yet.

Each file names a text by what does not change between databases (the consultation's field,
a page's position, a question's key, an option's value) and gives the English it translates
beside the translation: if the seeded English has changed since, that text reads as needing
a check, as any other would. A demonstration translation is never offered to respondents
until an officer marks it checked (consultations/translations.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from portal.consultations.models import Consultation
from portal.consultations.service import consultation_with_questions
from portal.consultations.translation_models import ConsultationLanguage, TextTranslation
from portal.consultations.translations import language_row, normalised
from portal.extensions import db
from portal.i18n import TRANSLATED
from portal.strategy.seed import SeedDataError

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "translations"


def seed_translations(data_dir: Path = DATA_DIR) -> list[str]:
    """Add each file's language to its consultation where not added yet; returns
    "<slug> (<language>)" for each added."""
    added = []
    for path in sorted(data_dir.glob("*.yaml")):
        slug, language = path.stem.rsplit(".", 1)
        if language not in TRANSLATED:
            raise SeedDataError(f"{path.name}: no interface catalogue for {language!r}")
        consultation = consultation_with_questions(slug)
        if consultation is None or language_row(consultation, language) is not None:
            continue
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        db.session.add(
            ConsultationLanguage(
                consultation_id=consultation.id,
                language=language,
                demonstration=bool(data.get("demonstration", False)),
            )
        )
        for key, (text, english) in _by_key(consultation, data, language, path.name).items():
            db.session.add(
                TextTranslation(
                    consultation_id=consultation.id,
                    language=language,
                    key=key,
                    text=normalised(text),
                    english=normalised(english),
                )
            )
        added.append(f"{slug} ({language})")
    db.session.commit()
    return added


def _by_key(
    consultation: Consultation, data: dict[str, Any], language: str, source: str
) -> dict[str, tuple[str, str]]:
    """The file's texts (each {"en": English, language: translation}) under the keys of this
    database's rows."""
    found: dict[str, tuple[str, str]] = {}

    def take(key: str, entry: dict[str, str]) -> None:
        if entry.get(language):
            found[key] = (entry[language], entry["en"])

    for field, entry in (data.get("consultation") or {}).items():
        take(f"consultation.{field}", entry)
    pages = {page.position: page for page in consultation.pages}
    for position, fields in (data.get("pages") or {}).items():
        page = pages.get(int(position)) or _missing(source, f"page {position}")
        for field, entry in fields.items():
            take(f"page.{page.id}.{field}", entry)
    questions = {question.key: question for question in consultation.questions}
    for question_key, fields in (data.get("questions") or {}).items():
        question = questions.get(question_key) or _missing(source, f"question {question_key}")
        options = {option.value: option for option in question.options}
        for field, entry in fields.items():
            if field != "options":
                take(f"question.{question.id}.{field}", entry)
                continue
            for value, option_fields in entry.items():
                option = options.get(str(value)) or _missing(
                    source, f"option {value} of {question_key}"
                )
                for option_field, option_entry in option_fields.items():
                    take(f"option.{option.id}.{option_field}", option_entry)
    return found


def _missing(source: str, what: str) -> Any:
    raise SeedDataError(f"{source}: the consultation has no {what}")
