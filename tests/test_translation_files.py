"""A consultation's translation as files and in the editor: PO files that cannot be used are
refused and change nothing, translators' tools' files are read, an old file never undoes a
newer translation; the editor beside the English saves only what changed, keeps a text
needing a check until confirmed, and says which text is too long; a language removed takes its
translations with it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.audit import AuditEntry
from portal.consultations.service import consultation_with_questions
from portal.consultations.translation_models import TextTranslation
from portal.extensions import db
from tests.conftest import HtmlPage
from tests.translating import (
    POLISH,
    add_polish,
    all_translated_and_checked,
    builder_fixture,  # noqa: F401  (the `builder` fixture)
    key_of,
    language_page,
    po_file,
    start_in_polish,
    translated,
    upload,
)


@pytest.mark.parametrize(
    ("contents", "problem"),
    [
        (b"not a PO file at all", "The file is not a PO file that can be read"),
        ("fr", "The file is for another language (fr). Upload the Polish file"),
        (
            b'msgctxt "question.0.text"\nmsgid "Elsewhere"\nmsgstr "Gdzie indziej"\n',
            "The file holds none of this consultation's texts",
        ),
    ],
)
def test_a_po_file_that_cannot_be_used_changes_nothing_and_says_why(
    client, builder, contents, problem
):
    add_polish(builder)
    if contents == "fr":
        contents = translated(po_file(client, builder.slug))
        contents = contents.replace(b"Language: pl", b"Language: fr")
    refused = upload(builder, contents)
    assert refused.status_code == 422
    page = HtmlPage(refused.get_data(as_text=True), refused.status_code)
    [summary] = page.error_summary()
    assert summary.startswith(problem)
    assert "0 of 8 texts translated" in language_page(builder).text


def test_fuzzy_and_unknown_entries_are_not_taken(client, builder):
    add_polish(builder)
    catalog = po_file(client, builder.slug)
    data = translated(catalog).decode()
    data = data.replace('msgctxt "consultation.title"', '#, fuzzy\nmsgctxt "consultation.title"')
    data += (
        '\nmsgctxt "question.999999.text"\nmsgid "A question since removed"\nmsgstr "Usunięte"\n'
    )
    assert upload(builder, data.encode()).status_code == 303
    page = language_page(builder)
    assert (
        "The file held 7 translated texts; 7 changed what was held; 1 marked fuzzy (unsure), "
        "not taken; 1 not in this consultation now, ignored." in page.text
    )
    assert "7 of 8 texts translated, 1 missing" in page.text


def test_a_po_file_from_windows_or_memoq_is_read(client, builder):
    add_polish(builder)
    data = translated(po_file(client, builder.slug)).replace(b"Language: pl", b"Language: pl_PL")
    assert upload(builder, b"\xef\xbb\xbf" + data).status_code == 303
    assert "8 of 8 texts translated" in language_page(builder).text


def test_another_consultations_po_file_is_refused(client, builder):
    add_polish(builder)
    data = translated(po_file(client, builder.slug))
    other = data.replace(
        f"Project-Id-Version: {builder.slug}".encode(), b"Project-Id-Version: other-one"
    )
    refused = upload(builder, other)
    assert refused.status_code == 422
    [summary] = HtmlPage(refused.get_data(as_text=True), 422).error_summary()
    assert summary.startswith("The file is for another consultation (other-one)")


def test_an_old_file_never_undoes_a_newer_translation(client, builder):
    add_polish(builder)
    old_file = translated(po_file(client, builder.slug))
    key = key_of(builder, "Is the shelter clean?")
    builder.edit_question(key, {"text": "Is the shelter kept clean?"})
    POLISH["Is the shelter kept clean?"] = "Czy wiata jest utrzymywana w czystości?"
    try:
        upload(builder, translated(po_file(client, builder.slug)))
    finally:
        del POLISH["Is the shelter kept clean?"]
    assert "8 of 8 texts translated" in language_page(builder).text
    upload(builder, old_file)
    page = language_page(builder)
    assert (
        "1 translated English that has changed since: the up-to-date translation kept" in page.text
    )
    assert "8 of 8 texts translated" in page.text


def test_the_editor_keeps_a_needs_check_text_until_confirmed(client, builder):
    all_translated_and_checked(builder)
    key = key_of(builder, "Is the shelter clean?")
    builder.edit_question(key, {"text": "Is the shelter kept clean?"})
    editor = builder.page("officer.edit_translation", language="pl")
    text_key = editor.soup.select_one("input[name^='confirm-question.']")["name"].removeprefix(
        "confirm-"
    )
    # A typo put right, not yet confirmed against the new English: it still needs a check.
    builder.post(
        "officer.edit_translation",
        {f"text-{text_key}": "Czy wiata jest czysta ?"},
        language="pl",
    )
    page = language_page(builder)
    assert "1 needs a check after the English changed" in page.text
    # Saving nothing changed (a browser sends CR LF) changes nothing, nor the checked mark.
    form = builder.page("officer.edit_translation", language="pl").soup.select_one("main form")
    data = {
        field["name"]: (
            field.get_text() if field.name == "textarea" else field.get("value", "")
        ).replace("\n", "\r\n")
        for field in form.select("textarea[name], input[type=hidden][name]")
        if field["name"] != "csrf_token"
    }
    builder.post("officer.edit_translation", data, language="pl")
    assert "0 texts saved." in language_page(builder).text


def test_the_editor_says_which_text_is_too_long(builder):
    add_polish(builder)
    editor = builder.page("officer.edit_translation", language="pl")
    name = editor.soup.select_one("textarea[name^='text-question.']")["name"]
    refused = builder.post("officer.edit_translation", {name: "x" * 5001}, language="pl")
    assert refused.status_code == 422
    page = HtmlPage(refused.get_data(as_text=True), 422)
    assert page.error_summary() == [
        "Page 1, question 1: Question: the translation must be 5,000 characters or fewer"
    ]
    assert page.soup.select_one(".govuk-error-summary a")["href"] == f"#{name}"


def test_an_officer_removes_polish_and_residents_get_english_again(app, builder):
    all_translated_and_checked(builder)
    assert start_in_polish(app, builder.slug).soup.html["lang"] == "pl"

    language = language_page(builder)
    link = language.soup.find("a", string="Remove Polish from this consultation")
    confirm = builder.client.get_page(link["href"])
    assert confirm.h1 == "Are you sure you want to remove Polish from this consultation?"
    said = confirm.soup.select_one(".app-what-happens").get_text(" ", strip=True)
    assert "its 8 translated texts are deleted" in said
    assert "responses already given in Polish stay in the results" in said

    removed = builder.post("officer.remove_language", language="pl")
    assert removed.status_code == 303
    languages = builder.client.get_page(removed.headers["Location"])
    assert "Polish removed, with its 8 translated texts." in languages.text
    rows = languages.soup.select("#languages tbody tr")
    assert [row.th.get_text(strip=True) for row in rows] == ["English"]
    assert [o["value"] for o in languages.soup.select("#language option")] == ["pl"]
    assert language_page(builder).status == 404

    consultation = consultation_with_questions(builder.slug)
    assert consultation is not None and consultation.checked_languages == ""
    held = sa.select(sa.func.count()).select_from(TextTranslation)
    assert db.session.scalar(held.where(TextTranslation.consultation_id == consultation.id)) == 0
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.detail) == ("removed a language", "pl: 8")

    start = start_in_polish(app, builder.slug)
    assert start.soup.html["lang"] == "en"
    assert start.h1 == "Bus shelters: what users think"
    assert start.soup.select_one(".app-language-select") is None


def test_a_language_removed_and_added_again_shows_its_new_translation(app, builder):
    """Even where SQLite gives the new language the removed one's row id and revision."""
    all_translated_and_checked(builder)
    assert start_in_polish(app, builder.slug).h1 == "Wiaty przystankowe: co sądzą pasażerowie"
    assert builder.post("officer.remove_language", language="pl").status_code == 303

    add_polish(builder)  # the same steps as before, so the same revision: only the title differs
    before, after = "Wiaty przystankowe", "Wiaty autobusowe"
    upload(
        builder,
        translated(po_file(builder.client, builder.slug)).replace(before.encode(), after.encode()),
    )
    builder.post("officer.mark_translation_checked", {"confirmed": "y"}, language="pl")

    assert start_in_polish(app, builder.slug).h1 == "Wiaty autobusowe: co sądzą pasażerowie"
