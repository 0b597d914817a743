"""What a Polish-speaking parent gets besides the pages: the school's letter and QR code in
Polish (their link opening the consultation in Polish), and numbers and dates written the
Polish way."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import url_for

from portal.consultations.models import Consultation
from portal.consultations.seed_translations import seed_translations
from portal.consultations.service import consultation_with_questions
from portal.i18n import format_number, parse_number, use_language
from portal.schools import service
from portal.schools.qr import qr_svg
from tests.factories import create_school, create_user, sign_in
from tests.translating import polish_offered

BULLYING = "bullying-what-parents-think"


def _bullying() -> Consultation:
    found = consultation_with_questions(BULLYING)
    assert found is not None
    return found


def test_a_school_prints_its_letter_in_polish_once_polish_is_offered(app, client):
    school = create_school(name="Bilton Junior School")
    channel = service.create_channel(_bullying(), school)
    sign_in(client, create_user())
    letter_page = url_for("officer.channel", channel_code=channel.code)
    assert client.get_page(letter_page).soup.select_one("#letters-in-other-languages") is None
    # Not offered yet: asked for in Polish, the letter is in English.
    seed_translations()
    polish = url_for("officer.letter", channel_code=channel.code, language="pl")
    assert client.get_page(polish).soup.html["lang"] == "en"

    polish_offered()
    links = client.get_page(letter_page).soup.select("#letters-in-other-languages a")
    assert links[0].get_text(" ", strip=True) == "Letter in Polish ( Polski )"
    assert links[0]["href"] == polish
    letter = client.get_page(polish)
    assert letter.soup.html["lang"] == "pl"
    assert letter.h1 == "Przemoc rówieśnicza: co sądzą rodzice"
    assert "Drogi Rodzicu lub Opiekunie," in letter.text
    assert (
        "zaprasza do udziału w konsultacji: rodzice i opiekunowie dzieci w szkołach w Warwickshire."
        in letter.text
    )
    # The note for staff is not printed, and stays English, marked so.
    assert letter.soup.select_one(".app-no-print")["lang"] == "en"
    # Its link and QR code open the consultation in Polish.
    link = letter.soup.select_one(".app-letter-link").get_text(strip=True)
    assert link.endswith(f"/c/{channel.code}?language=pl")
    qr = letter.soup.select_one("img.app-qr")
    assert qr["src"] == url_for(
        "officer.qr", channel_code=channel.code, file_type="svg", language="pl"
    )
    image = client.get(qr["src"])
    assert image.get_data() == qr_svg(link, f"Kod QR do {link}")
    assert image.headers["Content-Disposition"].endswith(f'-{channel.code}-pl.svg"')

    # A parent who follows it reads the start page in Polish.
    parent = app.test_client()
    arrived = parent.get(url_for("public.channel_link", code=channel.code, language="pl"))
    start = parent.get_page(arrived.headers["Location"])
    assert start.soup.html["lang"] == "pl"
    assert start.h1 == "Przemoc rówieśnicza: co sądzą rodzice"


def test_the_school_account_gets_the_polish_letter_too(app, client):
    school = create_school(name="Bilton Junior School")
    channel = service.create_channel(_bullying(), school)
    polish_offered()
    from portal.accounts.models import Role

    sign_in(client, create_user(Role.SCHOOL, school_id=school.id))
    letter = client.get_page(url_for("school.letter", channel_code=channel.code, language="pl"))
    assert letter.soup.html["lang"] == "pl"
    assert "Drogi Rodzicu lub Opiekunie," in letter.text


def test_numbers_and_dates_are_written_the_polish_way_on_polish_pages(app):
    with app.test_request_context():
        assert format_number(Decimal("1234.5")) == "1,234.5"
        assert parse_number("1,234.5") == Decimal("1234.5")
        assert app.jinja_env.filters["uk_date"](date(2027, 1, 17)) == "17 January 2027"
        and_list = app.jinja_env.filters["and_list"]
        assert and_list(["1 July", "2 July", "4 July"]) == "1 July, 2 July and 4 July"
        use_language("pl")
        assert and_list(["1 lipca", "2 lipca", "4 lipca"]) == "1 lipca, 2 lipca i 4 lipca"
        assert format_number(Decimal("1234.5")) == "1\u00a0234,5"
        assert parse_number("2,5") == Decimal("2.5")  # a decimal comma, not thousands
        assert parse_number("1 234,5") == Decimal("1234.5")
        assert parse_number("2.5") == Decimal("2.5")
        assert parse_number("2,5,1") is None
        assert app.jinja_env.filters["uk_date"](date(2027, 1, 17)) == "17 stycznia 2027"


def test_the_paper_copy_in_polish_says_where_to_skip_in_polish(app, client):
    polish_offered()
    parent = app.test_client()
    parent.get(url_for("public.choose_language", language="pl", next="/"))
    paper = parent.get_page(url_for("public.paper_copy", slug=BULLYING))
    assert paper.soup.html["lang"] == "pl"
    routes = [note.get_text(" ", strip=True) for note in paper.soup.select(".app-paper-route")]
    assert "Odpowiedz na tę część tylko wtedy, gdy w pytaniu 3 zaznaczyłeś/zaznaczyłaś „Tak”." in (
        routes
    ), routes
    assert "Answer this" not in paper.text and "Skip this" not in paper.text


def test_a_saved_response_comes_back_in_polish_on_another_device(app, client):
    polish_offered()
    parent = app.test_client()
    parent.get(url_for("public.choose_language", language="pl", next="/"))
    start = parent.get_page(url_for("public.start", slug=BULLYING))
    token = start.csrf_token()
    parent.post(url_for("public.begin", slug=BULLYING), data={"csrf_token": token})
    saved = parent.post(
        url_for("public.question_page", slug=BULLYING, number=1),
        data={"csrf_token": token, "school_phase": "primary", "save_later": "1"},
    )
    page = parent.get_page(saved.headers["Location"])
    address = page.soup.select_one("main a[href*='/resume']")
    assert address["href"] == url_for("public.resume_response", slug=BULLYING, language="pl")
    elsewhere = app.test_client()
    assert elsewhere.get_page(address["href"]).soup.html["lang"] == "pl"


def test_a_length_limit_is_said_in_polish_on_a_polish_page(app, client):
    """WTForms' own "Field cannot be longer than..." is English only: the portal says it."""
    polish_offered()
    parent = client
    resume = url_for("public.resume_response", slug=BULLYING, language="pl")
    page = parent.get_page(resume)
    assert page.soup.html["lang"] == "pl"
    refused = parent.post_page(resume, {"csrf_token": page.csrf_token(), "code": "B" * 41})
    assert refused.status == 422
    assert refused.error_summary() == ["Kod wznowienia: wpisz najwyżej 40 znaków"]


def test_the_privacy_notices_follow_the_respondents_language(app, client):
    """The footer's privacy and accessibility pages are the portal's own words: a parent who
    chose Polish reads them in Polish, and a consultation's English title is marked so."""
    polish_offered()
    client.get(url_for("public.choose_language", language="pl", next="/"))
    index = client.get_page(url_for("public.privacy_index"))
    assert index.soup.html["lang"] == "pl"
    assert index.h1 == "Prywatność"
    names = [a.get_text(strip=True) for a in index.soup.select("main li a")]
    assert names == [
        "Rodzice i opiekunowie oraz każdy, kto odpowiada na konsultację",
        "Członkowie Panelu Warwickshire i grup użytkowników",
        "Pracownicy szkół",
    ]
    notice = client.get_page(url_for("public.privacy_notice", audience="parents"))
    assert notice.soup.html["lang"] == "pl"
    titles = {cell.get_text(strip=True): cell.get("lang") for cell in notice.soup.select("td")}
    assert titles["Bullying: what parents think"] == "en"
    # The header offers English back, as a plain link.
    switch = notice.soup.select_one(".app-language-select a[lang='en']")
    assert switch is not None and switch.get_text(strip=True) == "English"
    statement = client.get_page(url_for("public.accessibility_statement"))
    assert statement.soup.html["lang"] == "pl"
