"""An officer translating a new consultation with the test client: a two-page consultation
built through the builder (the `builder` fixture), its PO file downloaded, translated as a
translator would and uploaded, and a resident who chose Polish."""

from __future__ import annotations

import io
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from flask import url_for

from portal.clock import utcnow
from portal.consultations.models import QuestionType
from portal.consultations.seed_translations import seed_translations
from portal.consultations.service import consultation_with_questions
from portal.consultations.translations import language_row, mark_checked
from tests.builder_client import Builder
from tests.factories import create_user

# What the officer's translator sends back, by English text.

POLISH = {
    "Bus shelters: what users think": "Wiaty przystankowe: co sądzą pasażerowie",
    "Bus User groups": "Grupy pasażerów autobusów",
    "Tell us about the bus shelters you use.": (
        "Prosimy opowiedzieć o wiatach, z których Pan/Pani korzysta."
    ),
    "Warwickshire County Council holds the answers for two years.": (
        "Rada Hrabstwa Warwickshire przechowuje odpowiedzi przez dwa lata."
    ),
    "Is the shelter clean?": "Czy wiata jest czysta?",
    "Yes": "Tak",
    "No": "Nie",
    "What would make it better?": "Co by ją poprawiło?",
}


def po_file(client: Any, slug: str) -> Catalog:
    response = client.get(url_for("officer.language_po_file", slug=slug, language="pl"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{slug}-pl.po"'
    return read_po(io.BytesIO(response.get_data()))


def translated(catalog: Catalog, leave_out: set[str] = frozenset(), **changes: Any) -> bytes:
    for message in catalog:
        if message.id and message.id not in leave_out:
            message.string = POLISH[message.id]
    for name, value in changes.items():
        setattr(catalog, name, value)
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    return buffer.getvalue()


def upload(builder: Builder, data: bytes, name: str = "bus-shelters-pl.po") -> Any:
    return builder.client.post(
        url_for("officer.upload_translation", slug=builder.slug, language="pl"),
        data={"csrf_token": builder.token, "po_file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def language_page(builder: Builder) -> Any:
    return builder.page("officer.language", language="pl")


@pytest.fixture(name="builder")
def builder_fixture(client: Any) -> Builder:
    """A new consultation of two pages: a choice question, then a comment box."""
    builder = Builder(client)
    builder.create()
    question = builder.add_question(1, QuestionType.SINGLE_CHOICE, "Is the shelter clean?")
    builder.add_option(question, "Yes")
    builder.add_option(question, "No")
    builder.post("officer.add_page")
    builder.add_question(2, QuestionType.FREE_TEXT, "What would make it better?")
    return builder


def add_polish(builder: Builder) -> None:
    response = builder.post("officer.languages", {"language": "pl"})
    assert response.status_code == 303
    assert response.headers["Location"] == url_for(
        "officer.language", slug=builder.slug, language="pl"
    )


def key_of(builder: Builder, text: str) -> str:
    consultation = consultation_with_questions(builder.slug)
    assert consultation is not None
    return next(question.key for question in consultation.questions if question.text == text)


def all_translated_and_checked(builder: Builder) -> None:
    add_polish(builder)
    upload(builder, translated(po_file(builder.client, builder.slug)))
    builder.post("officer.mark_translation_checked", {"confirmed": "y"}, language="pl")
    assert builder.post("officer.publish").status_code == 303


def start_in_polish(app: Any, slug: str) -> Any:
    resident = app.test_client()
    resident.get(url_for("public.choose_language", language="pl", next="/"))
    return resident.get_page(url_for("public.start", slug=slug))


def polish_offered(slug: str = "bullying-what-parents-think") -> None:
    """The seeded demonstration translation, as if a qualified translator had checked it (the
    officer's pages that do so are tested in tests/test_translations.py)."""
    seed_translations()
    consultation = consultation_with_questions(slug)
    assert consultation is not None
    row = language_row(consultation, "pl")
    assert row is not None
    mark_checked(consultation, row, create_user(), utcnow())
