"""A consultation in another language, through the pages: an officer adds Polish, downloads
its texts as a PO file, uploads them translated, sees what is missing, marks it checked and
publishes; a resident answers in Polish without JavaScript; the answers count with the
English ones; a changed English question needs its Polish checked again."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from portal.consultations.seed_translations import seed_translations
from portal.consultations.service import consultation_with_questions
from portal.consultations.translation_models import ConsultationLanguage
from portal.consultations.translations import source_texts
from portal.extensions import db
from portal.responses.models import Answer, Response
from tests.builder_client import saved_question
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


def test_an_officer_adds_polish_by_po_file_marks_it_checked_and_a_resident_answers_in_it(
    app, client, builder
):
    languages = builder.page("officer.languages")
    assert [
        row.get_text(" ", strip=True) for row in languages.soup.select("#languages tbody tr")
    ] == ["English Written in the builder Offered to respondents"]
    add_polish(builder)
    page = language_page(builder)
    assert page.soup.h1.get_text() == "Polish (Polski)"
    assert page.soup.select_one("h1 [lang='pl']").get_text() == "Polski"
    assert "0 of 8 texts translated, 8 missing" in page.text
    assert "Not offered yet" in page.text

    # The PO file holds every text a respondent reads, each with its English and where it is.
    catalog = po_file(client, builder.slug)
    assert str(catalog.locale) == "pl"
    assert sorted(message.id for message in catalog if message.id) == sorted(POLISH)
    shelter = next(m for m in catalog if m.id == "Is the shelter clean?")
    assert shelter.context.startswith("question.") and shelter.context.endswith(".text")
    assert shelter.auto_comments == ["Page 1, question 1: Question"]

    # Translated but for one text: the page says which is missing, and cannot be checked yet.
    response = upload(builder, translated(catalog, leave_out={"What would make it better?"}))
    assert response.status_code == 303
    page = language_page(builder)
    assert (
        "The file held 7 translated texts; 7 changed what was held; 1 left untranslated."
        in page.text
    )
    assert "7 of 8 texts translated, 1 missing" in page.text
    missing = [
        row.select("td")[0].get_text(strip=True)
        for row in page.soup.select("#texts tbody tr")
        if "Missing" in row.get_text()
    ]
    assert missing == ["What would make it better?"]
    assert page.soup.select_one("form[action$='/checked']") is None
    refused = builder.post("officer.mark_translation_checked", {"confirmed": "y"}, language="pl")
    assert refused.status_code == 422
    assert "Every text must be translated" in refused.get_data(as_text=True)

    upload(builder, translated(po_file(client, builder.slug)))
    page = language_page(builder)
    assert "8 of 8 texts translated" in page.text and "Not offered yet" in page.text
    unconfirmed = builder.post("officer.mark_translation_checked", {}, language="pl")
    assert unconfirmed.status_code == 422
    assert "Confirm that a qualified translator has checked every text" in unconfirmed.get_data(
        as_text=True
    )
    assert (
        builder.post(
            "officer.mark_translation_checked", {"confirmed": "y"}, language="pl"
        ).status_code
        == 303
    )
    assert "Offered to respondents" in language_page(builder).text
    assert builder.post("officer.publish").status_code == 303

    # A resident, without JavaScript: the header offers Polish as a link.
    resident = app.test_client()
    start = resident.get_page(url_for("public.start", slug=builder.slug))
    assert start.soup.html["lang"] == "en"
    link = start.soup.select_one(".app-language-select a[hreflang='pl']")
    assert link.get_text(strip=True) == "Polski" and link["lang"] == "pl"
    chosen = resident.get(link["href"])
    assert chosen.status_code == 303
    assert chosen.headers["Location"] == url_for("public.start", slug=builder.slug)

    start = resident.get_page(url_for("public.start", slug=builder.slug))
    assert start.soup.html["lang"] == "pl"
    assert start.h1 == "Wiaty przystankowe: co sądzą pasażerowie"
    assert "Rada Hrabstwa Warwickshire przechowuje odpowiedzi przez dwa lata." in start.text
    assert start.soup.select_one(".app-language-select [aria-current]").get_text() == "Polski"
    token = start.csrf_token()
    begun = resident.post(url_for("public.begin", slug=builder.slug), data={"csrf_token": token})
    first = resident.get_page(begun.headers["Location"])
    assert first.soup.html["lang"] == "pl"
    assert first.h1 == "Czy wiata jest czysta?"
    assert [label.get_text(strip=True) for label in first.soup.select(".govuk-radios__label")] == [
        "Tak",
        "Nie",
    ]
    # Left unanswered, the error is Polish too (the question's own, or the interface's).
    unanswered = resident.post(
        url_for("public.question_page", slug=builder.slug, number=1), data={"csrf_token": token}
    )
    assert unanswered.status_code == 422
    assert 'lang="pl"' in unanswered.get_data(as_text=True)
    clean = saved_question(key_of(builder, "Is the shelter clean?"))
    resident.post(
        url_for("public.question_page", slug=builder.slug, number=1),
        data={"csrf_token": token, clean.key: "yes"},
    )
    better = saved_question(key_of(builder, "What would make it better?"))
    resident.post(
        url_for("public.question_page", slug=builder.slug, number=2),
        data={"csrf_token": token, better.key: "Więcej ławek"},
    )
    check = resident.get_page(url_for("public.check_answers", slug=builder.slug))
    assert check.soup.html["lang"] == "pl"
    assert "Czy wiata jest czysta?" in check.text and "Tak" in check.text
    sent = resident.post(url_for("public.submit", slug=builder.slug), data={"csrf_token": token})
    assert sent.status_code == 303
    confirmation = resident.get_page(sent.headers["Location"])
    assert confirmation.soup.html["lang"] == "pl"

    # Stored by option, with its language: it counts with an English answer to the same question.
    english = app.test_client()
    english_start = english.get_page(url_for("public.start", slug=builder.slug))
    assert english_start.soup.html["lang"] == "en"
    token = english_start.csrf_token()
    english.post(url_for("public.begin", slug=builder.slug), data={"csrf_token": token})
    english.post(
        url_for("public.question_page", slug=builder.slug, number=1),
        data={"csrf_token": token, clean.key: "yes"},
    )
    english.post(
        url_for("public.question_page", slug=builder.slug, number=2),
        data={"csrf_token": token, better.key: "More benches"},
    )
    english.post(url_for("public.submit", slug=builder.slug), data={"csrf_token": token})
    stored = db.session.execute(
        sa.select(Response.language, Answer.option_id)
        .join(Answer, Answer.response_id == Response.id)
        .where(Answer.question_id == clean.id)
        .order_by(Response.id)
    ).all()
    yes = next(option.id for option in clean.options if option.value == "yes")
    assert stored == [("pl", yes), ("en", yes)]
    results = builder.page("officer.results")
    assert "2 responses" in results.text
    yes_row = next(
        row
        for row in results.soup.select("table tr")
        if row.select_one("th") and row.th.get_text(strip=True) == "Yes"
    )
    assert "2" in yes_row.get_text(" ", strip=True)


def test_changing_an_english_question_marks_its_polish_as_needing_a_check(app, client, builder):
    all_translated_and_checked(builder)
    assert start_in_polish(app, builder.slug).h1 == "Wiaty przystankowe: co sądzą pasażerowie"

    key = key_of(builder, "Is the shelter clean?")
    changed = builder.edit_question(key, {"text": "Is the shelter kept clean?"})
    assert changed.status_code == 303
    page = language_page(builder)
    assert "7 of 8 texts translated, 1 needs a check after the English changed" in page.text
    assert "Not offered: needs a check" in page.text
    stale = [
        row for row in page.soup.select("#texts tbody tr") if "Needs a check" in row.get_text()
    ]
    assert [row.select("td")[0].get_text(strip=True) for row in stale] == [
        "Is the shelter kept clean?"
    ]
    builds = builder.page("officer.build")
    assert "Polish (not offered: 1 text needs a check)" in builds.soup.select_one(
        "#builder-languages"
    ).get_text(" ", strip=True)

    # Until checked again, a resident who chose Polish reads the whole consultation in English.
    start = start_in_polish(app, builder.slug)
    assert start.soup.html["lang"] == "en"
    assert start.h1 == "Bus shelters: what users think"
    assert start.soup.select_one(".app-language-select") is None

    # Confirming the translation beside the new English, then checking, offers it again.
    editor = builder.page("officer.edit_translation", language="pl")
    confirm = editor.soup.select_one("input[name^='confirm-question.']")
    text_key = confirm["name"].removeprefix("confirm-")
    assert editor.soup.select_one(f"textarea[name='text-{text_key}']").get_text() == (
        "Czy wiata jest czysta?"
    )
    saved = builder.post(
        "officer.edit_translation",
        {f"text-{text_key}": "Czy wiata jest utrzymywana w czystości?", confirm["name"]: "yes"},
        language="pl",
    )
    assert saved.status_code == 303
    page = language_page(builder)
    assert "1 text saved." in page.text
    assert "8 of 8 texts translated" in page.text and "Not offered yet" in page.text
    builder.post("officer.mark_translation_checked", {"confirmed": "y"}, language="pl")
    start = start_in_polish(app, builder.slug)
    assert start.soup.html["lang"] == "pl"
    token = start.csrf_token()
    resident_page = app.test_client()
    resident_page.get(url_for("public.choose_language", language="pl", next="/"))
    token = resident_page.get_page(url_for("public.start", slug=builder.slug)).csrf_token()
    begun = resident_page.post(
        url_for("public.begin", slug=builder.slug), data={"csrf_token": token}
    )
    assert resident_page.get_page(begun.headers["Location"]).h1 == (
        "Czy wiata jest utrzymywana w czystości?"
    )


def test_a_preview_shows_the_polish_so_far_with_the_rest_in_english(client, builder):
    add_polish(builder)
    upload(builder, translated(po_file(client, builder.slug), leave_out={"Is the shelter clean?"}))
    start = builder.page("officer.preview_start", language="pl")
    assert start.soup.html["lang"] == "pl"
    assert start.h1 == "Wiaty przystankowe: co sądzą pasażerowie"
    # The officer's own furniture stays in English, marked so; what respondents see is Polish.
    for part in (
        ".app-signed-in",
        ".govuk-service-navigation__wrapper",
        ".govuk-notification-banner",
    ):
        assert start.soup.select_one(part)["lang"] == "en", part
    assert start.soup.select_one(".app-signed-in button").get_text(strip=True) == "Sign out"
    assert start.soup.select_one("#preview-title").get_text(strip=True) == "Preview"
    assert start.soup.select_one(".govuk-back-link").get_text(strip=True) == "Back"
    assert start.soup.select_one(".govuk-back-link").parent["lang"] == "en"
    assert "Rozpocznij" in start.soup.select_one("a.govuk-button--start").get_text()
    first = client.get_page(start.soup.select_one("a.govuk-button--start")["href"])
    assert first.h1 == "Is the shelter clean?"  # not translated yet: its English
    assert first.soup.select_one("#preview-title").get_text(strip=True) == "Preview"
    assert first.soup.select_one(".govuk-back-link").get_text(strip=True) == "Wstecz"
    assert [label.get_text(strip=True) for label in first.soup.select(".govuk-radios__label")] == [
        "Tak",
        "Nie",
    ]


def test_the_seeded_bullying_consultation_has_a_polish_demonstration_not_offered(app, client):
    assert seed_translations() == ["bullying-what-parents-think (pl)"]
    assert seed_translations() == []  # once
    row = db.session.scalars(sa.select(ConsultationLanguage)).one()
    assert row.demonstration and row.checked_at is None
    from tests.factories import create_user, sign_in

    sign_in(client, create_user())
    page = client.get_page(
        url_for("officer.language", slug="bullying-what-parents-think", language="pl")
    )
    assert "This translation was made to demonstrate the portal" in page.text
    # Complete for the seeded English, so a qualified translator's check is all it needs.
    consultation = consultation_with_questions("bullying-what-parents-think")
    assert consultation is not None
    texts = len(source_texts(consultation))
    assert texts > 100
    assert f"{texts} of {texts} texts translated" in page.text
    assert "Not offered yet" in page.text
    start = start_in_polish(app, "bullying-what-parents-think")
    assert start.soup.html["lang"] == "en"
    assert start.soup.select_one(".app-language-select") is None


def test_choosing_a_language_goes_back_only_to_a_page_of_this_site(client):
    for target in ("//evil.example", "/\\evil.example", "https://evil.example/", "/a\tb", "x"):
        chosen = client.get(url_for("public.choose_language", language="pl", next=target))
        assert chosen.status_code == 303
        assert chosen.headers["Location"] == url_for("public.index"), target
    back = url_for("public.start", slug="bullying-what-parents-think")
    chosen = client.get(url_for("public.choose_language", language="pl", next=back))
    assert chosen.headers["Location"] == back
    assert client.get(url_for("public.choose_language", language="xx")).status_code == 404


def test_a_page_changed_in_place_brings_its_language_and_links(app, builder):
    all_translated_and_checked(builder)
    resident = app.test_client()
    resident.get(url_for("public.choose_language", language="pl", next="/"))
    fragment = resident.get(
        url_for("public.start", slug=builder.slug), headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert '<div id="app-swap" lang="pl">' in fragment
    assert 'hreflang="en"' in fragment and ">English</a>" in fragment


def test_a_language_written_right_to_left_sets_the_page_direction(app, monkeypatch):
    """No right-to-left language ships yet; one added to LANGUAGES gets dir="rtl"."""
    from flask import render_template

    from portal import i18n

    monkeypatch.setitem(
        i18n.LANGUAGES, "ur", i18n.Language("ur", "Urdu", "اردو", right_to_left=True)
    )
    with app.test_request_context():
        i18n.use_language("ur")
        page = HtmlPage(render_template("errors/error.html", status=404), 404)
    assert page.soup.html["lang"] == "ur" and page.soup.html["dir"] == "rtl"


def test_a_preview_page_changed_in_place_keeps_the_officers_banner_in_english(client, builder):
    """HTMX asks for the page's fragment alone: the banner's language comes with it."""
    all_translated_and_checked(builder)
    fragment = client.get(
        url_for("officer.preview", slug=builder.slug, number=1, language="pl"),
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    page = HtmlPage(fragment.get_data(as_text=True), 200)
    banner = page.soup.select_one(".govuk-notification-banner")
    assert (banner["lang"], banner["dir"]) == ("en", "ltr")
    assert page.soup.select_one("#preview-title").get_text(strip=True) == "Preview"
    assert page.soup.select_one("h1, legend").get_text(strip=True) == "Czy wiata jest czysta?"
