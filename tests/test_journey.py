"""A respondent's journey through the Flask test client, with CSRF on, on both databases."""

import re
import threading
import weakref
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import url_for
from markupsafe import escape

from portal.areas.sectors import sector_of
from portal.clock import uk_today, utcnow
from portal.codes import REFERENCE_ALPHABET, random_code
from portal.consultations.models import ConsultationSnapshot, ConsultationStatus, Question
from portal.consultations.seed import (
    anti_bullying_week,
    build_consultation,
    read_consultations,
    strategy_codes,
)
from portal.consultations.service import (
    JOURNEY_COLUMNS,
    consultation_from_row,
    forget_cached_consultations,
)
from portal.extensions import db
from portal.responses import tallies
from portal.responses.journey import Journey
from portal.responses.models import Response, ResponseDraft
from portal.responses.service import REFERENCE_LENGTH, AlreadySubmitted, submit_response
from tests.html_checker import without_tokens
from tests.journeys import (
    BULLYING_ANSWERS,
    BULLYING_ANSWERS_NOT_BULLIED,
    LIVEABILITY_ANSWERS,
    Respondent,
    answer_count,
    consultation,
    expected_answers,
    only_draft,
    response_count,
    stored_answers,
    submission_failing_at_its_end,
)

BULLYING = "bullying-what-parents-think"
LIVEABILITY = "warwickshire-panel-liveability"


def test_home_page_lists_both_open_consultations(client):
    page = client.get_page(url_for("public.index"))
    assert page.status == 200
    links = [a.get_text(strip=True) for a in page.soup.select(".app-consultation-list a")]
    assert links == ["Bullying: what parents think", "Warwickshire Panel: liveability survey"]


def test_start_page_says_who_it_is_for_how_long_and_what_happens(client):
    page = client.get_page(url_for("public.start", slug=BULLYING))
    assert page.h1 == "Bullying: what parents think"
    assert "Who this is for" in page.text
    assert "it takes about 10 minutes" in page.text
    assert (
        "there are up to 19 questions; some are asked only if an earlier answer makes them "
        "relevant" in page.text
    )
    assert "What happens to your answers" in page.text
    assert "Privacy notice" in page.text and "data controller" in page.text
    assert (
        page.soup.select_one("form button.govuk-button--start").get_text(strip=True) == "Start now"
    )
    assert page.title.startswith("Bullying: what parents think – Have your say")


def test_the_bullying_consultation_opens_in_anti_bullying_week_unless_told_otherwise(client):
    # The Anti-Bullying Alliance's own weeks: the first Monday on or after 10 November.
    for year, monday in [(2020, 16), (2021, 15), (2023, 13), (2024, 11), (2025, 10)]:
        assert anti_bullying_week(date(year, 11, 1)) == date(year, 11, monday)
    assert anti_bullying_week(date(2024, 11, 15)) == date(2024, 11, 11)  # its Friday
    assert anti_bullying_week(date(2024, 11, 16)) == date(2025, 11, 10)  # after it: next year
    item = next(c for c in read_consultations() if c["slug"] == BULLYING) | {"slug": "abw"}
    # Seeded on 5 December 2026, after that year's week: the next is 15 November 2027.
    seeded = build_consultation(item, date(2026, 12, 5), strategy_codes())
    assert (seeded.opens_on, seeded.closes_on) == (date(2027, 11, 15), date(2027, 12, 27))
    # The Alliance's announced dates, where they differ, are configured.
    moved = build_consultation(
        item | {"slug": "abw2"}, date(2026, 12, 5), strategy_codes(), False, date(2027, 11, 22)
    )
    assert moved.opens_on == date(2027, 11, 22)
    db.session.add(seeded)
    db.session.commit()
    page = client.get_page(url_for("public.start", slug="abw"))
    assert (
        "It opens on 15 November 2027 and closes on 27 December 2027, to coincide with "
        "Anti-Bullying Week, as the council's progress report of December 2005 planned its "
        "consultation with parents." in page.text
    )
    assert "You can respond from 15 November 2027 until 27 December 2027." in page.text
    assert page.soup.select_one("form button.govuk-button--start") is None
    # Open, the same sentence says it runs: never out of date.
    seeded.opens_on = uk_today()
    db.session.commit()
    forget_cached_consultations()
    page = client.get_page(url_for("public.start", slug="abw"))
    assert f"It runs from {uk_today().day} " in page.text
    assert page.soup.select_one("form button.govuk-button--start") is not None


@pytest.mark.parametrize(
    ("slug", "answers"), [(BULLYING, BULLYING_ANSWERS), (LIVEABILITY, LIVEABILITY_ANSWERS)]
)
def test_complete_journey_stores_exactly_the_answers_given(client, slug, answers):
    respondent = Respondent(client, slug)
    first = respondent.start()
    assert "Page 1 of" in first.text
    respondent.answer_all(answers)

    check = client.get_page(url_for("public.check_answers", slug=slug))
    assert check.h1 == "Check your answers before sending them"
    # These answers take the route that asks every question ("Yes", a car or van).
    assert len(check.soup.select(".govuk-summary-list__row")) == len(consultation(slug).questions)

    submitted = respondent.submit()
    assert submitted.status_code == 303
    confirmation = client.get_page(submitted.headers["Location"])
    assert confirmation.h1 == "Response sent"

    response = db.session.scalars(sa.select(Response)).one()
    shown = confirmation.soup.select_one(".app-reference").get_text(strip=True)
    assert shown.replace("-", "") == response.reference
    assert len(response.reference) == REFERENCE_LENGTH
    assert set(response.reference) <= set(REFERENCE_ALPHABET)
    assert stored_answers(response) == expected_answers(answers)
    # The draft no longer holds the answers: they live only in the response now.
    assert only_draft().answers == {} and only_draft().response_id == response.id


def test_random_codes_use_every_character_in_every_place():
    """References, resume codes, invitation and link codes: one random number written in base
    26, so every place must still take every character (a slip in the arithmetic would leave
    some place always the same)."""
    codes = [random_code(REFERENCE_LENGTH) for _ in range(3000)]
    assert all(len(code) == REFERENCE_LENGTH for code in codes)
    for place in range(REFERENCE_LENGTH):
        assert {code[place] for code in codes} == set(REFERENCE_ALPHABET), place
    assert len(set(codes)) == len(codes)


def test_check_answers_shows_labels_and_free_text_escaped(client):
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer_all(BULLYING_ANSWERS)
    page = client.get_page(url_for("public.check_answers", slug=BULLYING))
    rows = {
        row.select_one("dt").get_text(strip=True): row.select_one(
            ".govuk-summary-list__value"
        ).get_text("|", strip=True)
        for row in page.soup.select(".govuk-summary-list__row")
    }
    assert rows["What type of school does your child go to?"] == "Secondary school"
    assert rows["Where did the bullying happen?"] == (
        "At school|Online, on social media or by mobile phone"
        "|Somewhere else: At the bus stop <b>after</b> school"
    )
    assert "<script>alert(1)</script>" not in page.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.html
    assert "<b>after</b>" not in page.html


def test_back_link_and_change_keep_answers(client):
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer_all(BULLYING_ANSWERS)

    # Back from page 3 goes to page 2, which shows the saved answer.
    page3 = client.get_page(url_for("public.question_page", slug=BULLYING, number=3))
    back = page3.soup.select_one("a.govuk-back-link")["href"]
    assert back == url_for("public.question_page", slug=BULLYING, number=2)
    page2 = client.get_page(back)
    assert page2.soup.select_one("input[name=school_district][checked]")["value"] == "rugby"

    # Change from check answers returns to check answers, not to the next page.
    check = client.get_page(url_for("public.check_answers", slug=BULLYING))
    change = check.soup.select_one(".govuk-summary-list__actions a")["href"]
    assert change == url_for("public.question_page", slug=BULLYING, number=1, change="1")
    changed = respondent.answer(1, {"school_phase": "primary"}, change=True)
    assert changed.headers["Location"] == url_for("public.check_answers", slug=BULLYING)

    respondent.submit()
    response = db.session.scalars(sa.select(Response)).one()
    assert stored_answers(response)["school_phase"]["options"] == ["primary"]
    assert stored_answers(response)["school_district"]["options"] == ["rugby"]


def test_optional_question_can_be_left_blank(client):
    respondent = Respondent(client, LIVEABILITY)
    respondent.start()
    answers = [dict(p) for p in LIVEABILITY_ANSWERS]
    answers[-1] = {"user_group": ["neither"]}  # age band and postcode are optional
    respondent.answer_all(answers)
    check = client.get_page(url_for("public.check_answers", slug=LIVEABILITY))
    assert check.text.count("Not answered") == 3  # comments, age band and postcode
    respondent.submit()
    response = db.session.scalars(sa.select(Response)).one()
    assert "age_band" not in stored_answers(response)
    assert "comments" not in stored_answers(response)


def test_unchecking_an_answer_on_change_removes_it(client):
    respondent = Respondent(client, LIVEABILITY)
    respondent.start()
    respondent.answer_all(LIVEABILITY_ANSWERS)
    respondent.answer(12, {"improvements": ["cleaner"]}, change=True)
    respondent.submit()
    stored = stored_answers(db.session.scalars(sa.select(Response)).one())
    assert stored["improvements"] == {"options": ["cleaner"], "text": None}


def test_check_answers_with_gaps_sends_the_respondent_to_the_first_gap(client):
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer(1, BULLYING_ANSWERS[0])
    response = client.get(url_for("public.check_answers", slug=BULLYING))
    assert response.headers["Location"] == url_for("public.question_page", slug=BULLYING, number=2)
    # Submitting anyway stores nothing and also goes to the gap.
    submitted = respondent.submit()
    assert submitted.headers["Location"] == url_for("public.question_page", slug=BULLYING, number=2)
    assert response_count() == 0


def test_submitting_twice_stores_one_response(client):
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer_all(BULLYING_ANSWERS)
    first = respondent.submit()
    second = respondent.submit()
    assert first.headers["Location"] == second.headers["Location"]
    assert response_count() == 1


def test_a_sent_response_is_stored_once_with_its_answers_and_counted(client):
    """What the busiest write leaves: the response, every answer as the respondent gave it,
    the draft claimed and emptied, and the running tallies agreeing with a fresh count."""
    for _ in range(2):  # the wording's snapshot is made, then found and remembered
        earlier = Respondent(client, BULLYING)
        earlier.start()
        earlier.answer_all(BULLYING_ANSWERS)
        assert earlier.submit().status_code == 303
        client.delete_cookie("session")
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer_all(BULLYING_ANSWERS)
    db.session.remove()  # the request starts its own session, as in production
    sent = respondent.submit()
    assert sent.headers["Location"] == url_for("public.confirmation", slug=BULLYING)
    assert response_count() == 3 and answer_count() == 3 * 24
    newest = db.session.scalar(sa.select(Response).order_by(Response.id.desc()).limit(1))
    assert stored_answers(newest) == expected_answers(BULLYING_ANSWERS)
    drafts = db.session.scalars(sa.select(ResponseDraft)).all()
    assert {draft.response_id for draft in drafts} == set(
        db.session.scalars(sa.select(Response.id))
    )
    assert all(draft.answers == {} for draft in drafts)
    assert tallies.stored_counts() == tallies.fresh_counts()


def test_starting_and_saving_a_page_keep_what_was_answered(client):
    """Starting makes the draft the next page reads; saving a page keeps its answers and
    moves on to the next page that applies."""
    respondent = Respondent(client, BULLYING)
    start_page = client.get_page(respondent.url("public.start"))
    respondent.token = start_page.csrf_token()
    started = client.post(respondent.url("public.begin"), data={"csrf_token": respondent.token})
    assert started.headers["Location"] == respondent.url("public.question_page", number=1)
    assert respondent.answer(1, BULLYING_ANSWERS[0]).status_code == 303

    saved = respondent.answer(2, BULLYING_ANSWERS[1])
    assert saved.headers["Location"] == respondent.url("public.question_page", number=3)
    assert only_draft().answers["school_district"] == {"selected": ["rugby"]}


def test_concurrent_duplicate_submissions_store_one_response(app, client):
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer_all(BULLYING_ANSWERS)
    cookie = client.get_cookie("session")
    barrier = threading.Barrier(4)
    statuses: list[tuple[int, str]] = []

    def post() -> None:
        other = app.test_client()
        other.set_cookie("session", cookie.value)
        with app.app_context():
            barrier.wait()
            response = other.post(url_for_submit(app), data={"csrf_token": respondent.token})
            statuses.append((response.status_code, response.headers["Location"]))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [(303, url_for("public.confirmation", slug=BULLYING))] * 4
    assert response_count() == 1
    expected_rows = sum(
        len(answer["options"]) + (1 if answer["text"] else 0)
        for answer in expected_answers(BULLYING_ANSWERS).values()
    )
    assert answer_count() == expected_rows == 24


def url_for_submit(app):
    with app.test_request_context():
        return url_for("public.submit", slug=BULLYING)


def test_a_failure_mid_submission_stores_nothing_and_keeps_the_draft(client, monkeypatch):
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer_all(BULLYING_ANSWERS)

    count_response = tallies.count_response

    def counted_then_fails(*args, **kwargs):  # the last of SQLite's writes, uncommitted
        count_response(*args, **kwargs)
        raise RuntimeError("database went away")

    monkeypatch.setattr(tallies, "count_response", counted_then_fails)
    # PostgreSQL's one statement, sent in autocommit, fails at its very end.
    from portal.responses import storing

    failing = submission_failing_at_its_end("error")
    monkeypatch.setattr(storing.postgresql, "_SUBMISSION", failing)
    page = client.post_page(
        url_for("public.submit", slug=BULLYING), data={"csrf_token": respondent.token}
    )
    monkeypatch.undo()

    assert page.status == 500
    assert page.h1 == "Sorry, there is a problem with the service"
    assert "Traceback" not in page.html and "database went away" not in page.html
    assert response_count() == 0 and answer_count() == 0
    assert tallies.stored_counts() == tallies.fresh_counts()
    draft = only_draft()
    assert draft.response_id is None and draft.answers["school_phase"] == {
        "selected": ["secondary"]
    }
    # The respondent's answers survived: sending again works.
    assert respondent.submit().status_code == 303
    assert response_count() == 1


def test_response_keeps_the_wording_it_answered_after_an_edit(client):
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer_all(BULLYING_ANSWERS)
    respondent.submit()
    found = consultation(BULLYING)
    question = db.session.scalars(
        sa.select(Question).where(
            Question.consultation_id == found.id, Question.key == "school_phase"
        )
    ).one()
    original = question.text
    question.text = "Which school phase is your child in?"
    question.options[0].label = "Infant, junior or primary"
    db.session.commit()

    response = db.session.scalars(sa.select(Response)).one()
    frozen = next(
        q
        for page in response.snapshot.content["pages"]
        for q in page["questions"]
        if q["key"] == "school_phase"
    )
    assert frozen["text"] == original
    assert frozen["options"][0]["label"] == "Primary or infant school"

    # The next respondent sees the new wording, and their response gets a second snapshot.
    second = Respondent(client, BULLYING)
    first_page = second.start()
    assert first_page.h1 == "Which school phase is your child in?"
    second.answer_all(BULLYING_ANSWERS)
    second.submit()
    assert db.session.scalar(sa.select(sa.func.count(ConsultationSnapshot.id))) == 2


def test_any_edit_of_the_structure_moves_its_version_and_is_asked_at_once(client):
    respondent = Respondent(client, LIVEABILITY)
    assert respondent.start().h1 == "Which district do you live in?"
    found = consultation(LIVEABILITY)
    version = found.structure_version
    question = db.session.scalars(
        sa.select(Question).where(Question.consultation_id == found.id, Question.key == "district")
    ).one()
    question.text = "Where do you live?"  # not through the builder: the flush moves the version
    db.session.commit()
    assert consultation(LIVEABILITY).structure_version == version + 1
    url = url_for("public.question_page", slug=LIVEABILITY, number=1)
    assert client.get_page(url).h1 == "Where do you live?"


def test_identical_wording_shares_one_snapshot(client):
    for _ in range(2):
        respondent = Respondent(client, LIVEABILITY)
        respondent.start()
        respondent.answer_all(LIVEABILITY_ANSWERS)
        respondent.submit()
    assert response_count() == 2
    assert db.session.scalar(sa.select(sa.func.count(ConsultationSnapshot.id))) == 1


def test_starting_again_after_sending_begins_a_new_response(client):
    respondent = Respondent(client, LIVEABILITY)
    respondent.start()
    respondent.answer_all(LIVEABILITY_ANSWERS)
    respondent.submit()
    again = Respondent(client, LIVEABILITY)
    page = again.start()
    assert page.soup.select_one("input[name=district][checked]") is None
    again.answer_all(LIVEABILITY_ANSWERS)
    again.submit()
    assert response_count() == 2
    references = db.session.scalars(sa.select(Response.reference)).all()
    assert len(set(references)) == 2


def test_closed_consultation_cannot_be_answered(client):
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer_all(BULLYING_ANSWERS)
    found = consultation(BULLYING)
    found.status = ConsultationStatus.CLOSED
    db.session.commit()

    start = client.get_page(url_for("public.start", slug=BULLYING))
    assert "This consultation is closed" in start.text
    assert start.soup.select_one("button.govuk-button--start") is None
    closed = client.post_page(
        url_for("public.submit", slug=BULLYING), data={"csrf_token": respondent.token}
    )
    assert closed.status == 403 and closed.h1 == "This consultation is closed"
    assert response_count() == 0
    assert client.get_page(url_for("public.index")).text.count("Bullying: what parents think") == 0


def test_sending_reads_the_consultation_afresh_and_rebuilds_it_only_when_changed(client):
    """Sending reads the consultation's row on every request, so closing it stops the next
    submission at once, but reuses the object built from that row while the row is unchanged
    (consultations.service.consultation_from_row)."""
    first = Respondent(client, BULLYING)
    first.start()
    first.answer_all(BULLYING_ANSWERS)
    assert first.submit().status_code == 303
    client.delete_cookie("session")
    read_row = sa.select(*JOURNEY_COLUMNS).where(JOURNEY_COLUMNS[0].table.c.slug == BULLYING)
    open_row = db.session.execute(read_row).one()
    built = consultation_from_row(open_row)  # the object the submission built and kept
    assert consultation_from_row(open_row) is built and built.status == ConsultationStatus.OPEN
    assert [page.position for page in built.pages][:2] == [1, 2]  # its structure, cached

    second = Respondent(client, BULLYING)
    second.start()
    second.answer_all(BULLYING_ANSWERS)
    consultation(BULLYING).status = ConsultationStatus.CLOSED
    db.session.commit()
    closed = client.post_page(
        url_for("public.submit", slug=BULLYING), data={"csrf_token": second.token}
    )
    assert closed.status == 403 and closed.h1 == "This consultation is closed"
    assert response_count() == 1
    closed_row = db.session.execute(read_row).one()
    rebuilt = consultation_from_row(closed_row)
    assert rebuilt is not built and rebuilt.status == ConsultationStatus.CLOSED
    assert built.status == ConsultationStatus.OPEN  # a kept object is never changed


def test_a_submitted_drafts_second_send_finds_its_reference(client):
    """Sending a sent draft again (a second tab) stores nothing and shows the confirmation of
    the first, whose reference is looked up by the draft's claim."""
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer_all(BULLYING_ANSWERS)
    respondent.submit()
    draft = only_draft()
    reference = db.session.scalar(sa.select(Response.reference))
    journey = Journey(consultation(BULLYING), draft)
    with pytest.raises(AlreadySubmitted) as raised:
        submit_response(journey, utcnow(), language="en")
    assert raised.value.reference == reference
    assert response_count() == 1


def test_consultation_past_its_closing_date_is_closed(client):
    found = consultation(LIVEABILITY)
    found.closes_on = utcnow().date() - timedelta(days=2)
    db.session.commit()
    page = client.get_page(url_for("public.question_page", slug=LIVEABILITY, number=1))
    assert page.status == 403 and page.h1 == "This consultation is closed"


def test_draft_consultation_is_not_found(client):
    found = consultation(LIVEABILITY)
    found.status = ConsultationStatus.DRAFT
    db.session.commit()
    assert client.get_page(url_for("public.start", slug=LIVEABILITY)).status == 404
    assert (
        client.get_page(url_for("public.question_page", slug=LIVEABILITY, number=1)).status == 404
    )


def test_question_page_without_a_draft_goes_to_the_start(client):
    response = client.get(url_for("public.question_page", slug=BULLYING, number=2))
    assert response.headers["Location"] == url_for("public.start", slug=BULLYING)


def test_expired_draft_says_so_and_keeps_nothing(client):
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer(1, BULLYING_ANSWERS[0])
    draft = only_draft()
    draft.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(url_for("public.question_page", slug=BULLYING, number=2))
    start = client.get_page(response.headers["Location"])
    assert "Your earlier answers were not kept" in start.text


def test_sending_an_expired_draft_goes_back_to_the_start_and_stores_nothing(client):
    """Sending reads the draft without the ORM (ReadOnlyDraft): an expired one is not found."""
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer_all(BULLYING_ANSWERS)
    only_draft().expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    sent = respondent.submit()
    assert sent.status_code == 303
    assert sent.headers["Location"] == url_for("public.start", slug=BULLYING, expired="1")
    assert response_count() == 0 and only_draft().response_id is None


def test_htmx_requests_get_the_fragment_with_its_title(client):
    respondent = Respondent(client, BULLYING)
    respondent.start()
    url = url_for("public.question_page", slug=BULLYING, number=3)
    full = client.get(url)
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert "HX-Request" in full.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]
    body = fragment.get_data(as_text=True)
    assert body.startswith("<title>In the last 12 months, has your child been bullied?")
    assert "<html" not in body and "app-header" not in body
    assert fragment.headers["HX-Push-Url"] == url
    # The fragment is the same markup as the page's swappable content, wrapper included.
    fragment_html = body.split("</title>", 1)[1].strip()
    # In the page's language: the <html> element's stays as the first page loaded had it.
    assert fragment_html.startswith('<div id="app-swap" lang="en">')
    inner = fragment_html.removeprefix('<div id="app-swap" lang="en">').removesuffix("</div>")
    inner = inner.strip()
    assert 'name="csrf_token"' in inner
    assert without_tokens(inner) in without_tokens(full.get_data(as_text=True))


def test_htmx_validation_error_returns_the_fragment_with_errors(client):
    respondent = Respondent(client, BULLYING)
    respondent.start()
    response = client.post(
        url_for("public.question_page", slug=BULLYING, number=1),
        data={"csrf_token": respondent.token},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert body.startswith("<title>Error: What type of school")
    assert "Select the type of school your child goes to" in body
    assert "HX-Push-Url" not in response.headers


def test_history_restore_gets_the_whole_page(client):
    respondent = Respondent(client, BULLYING)
    respondent.start()
    response = client.get(
        url_for("public.question_page", slug=BULLYING, number=1),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.get_data(as_text=True)


def test_no_ip_address_or_user_agent_is_stored(client):
    respondent = Respondent(client, LIVEABILITY)
    respondent.start()
    respondent.answer_all(LIVEABILITY_ANSWERS)
    respondent.submit()
    columns = {
        c.name for table in (Response.__table__, ResponseDraft.__table__) for c in table.columns
    }
    assert not {"ip", "ip_address", "remote_addr", "user_agent"} & columns
    row = db.session.execute(sa.select(Response.__table__)).one()._asdict()
    assert "127.0.0.1" not in str(row)


def test_a_reference_clash_is_retried_with_a_new_reference(client, monkeypatch):
    first = Respondent(client, LIVEABILITY)
    first.start()
    first.answer_all(LIVEABILITY_ANSWERS)
    first.submit()
    taken = db.session.scalars(sa.select(Response.reference)).one()
    rows_per_response = answer_count()

    from portal.responses import service

    references = iter([taken, "BCDFGHJKMN"])
    monkeypatch.setattr(service, "new_reference", lambda: next(references))
    second = Respondent(client, LIVEABILITY)
    second.start()
    second.answer_all(LIVEABILITY_ANSWERS)
    assert second.submit().status_code == 303
    assert sorted(db.session.scalars(sa.select(Response.reference))) == sorted(
        [taken, "BCDFGHJKMN"]
    )
    assert answer_count() == 2 * rows_per_response  # nothing left behind by the failed attempt


def test_help_after_sending_is_the_consultations_own(client):
    bullying = Respondent(client, "bullying-what-parents-think")
    bullying.start()
    bullying.answer_all(BULLYING_ANSWERS)
    sent = client.get_page(bullying.submit().headers["Location"])
    assert "call Childline free on 0800 1111" in sent.text
    liveability = Respondent(client, "warwickshire-panel-liveability")
    liveability.start()
    liveability.answer_all(LIVEABILITY_ANSWERS)
    sent = client.get_page(liveability.submit().headers["Location"])
    # Without help text of its own, the general signposting: never the bullying one.
    assert "Childline" not in sent.text
    assert "If you need help now If you or someone else is in danger now, call 999." in sent.text


def test_concurrent_submissions_are_each_stored_once(app, client):
    """Three respondents and a second click on one of them submit at once: every response is
    stored once with its answers and counted in the tallies, the second click shown the
    first's confirmation."""
    first = Respondent(client, BULLYING)  # writes the wording's snapshot first, on its own
    first.start()
    first.answer_all(BULLYING_ANSWERS)
    first.submit()
    cookies, tokens = [], []
    for _ in range(3):
        respondent = Respondent(app.test_client(), BULLYING)
        respondent.start()
        respondent.answer_all(BULLYING_ANSWERS)
        cookies.append(respondent.client.get_cookie("session").value)
        tokens.append(respondent.token)
    cookies.append(cookies[0])  # a double click on the first
    tokens.append(tokens[0])
    statuses: list[tuple[int, str]] = []
    barrier = threading.Barrier(4)

    def post(index: int) -> None:
        other = app.test_client()
        other.set_cookie("session", cookies[index])
        with app.app_context():
            barrier.wait()
            response = other.post(url_for_submit(app), data={"csrf_token": tokens[index]})
            statuses.append((response.status_code, response.headers["Location"]))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [(303, url_for("public.confirmation", slug=BULLYING))] * 4
    assert response_count() == 4
    assert answer_count() == 4 * 24
    assert tallies.stored_counts() == tallies.fresh_counts()


def _without_csrf_token(html: str) -> str:
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html)


@pytest.mark.parametrize(
    ("slug", "pages"), [(BULLYING, BULLYING_ANSWERS), (LIVEABILITY, LIVEABILITY_ANSWERS)]
)
def test_unanswered_questions_are_written_once_and_answers_always_afresh(
    client, monkeypatch, slug, pages
):
    """A page nobody has answered yet is the same HTML for everyone, so its questions are kept
    once written (portal/templating.py): kept, it is exactly what writing it afresh gives; a
    page with an answer stored, or with errors, is never served from what was kept."""
    from portal import templating

    respondent = Respondent(client, slug)
    respondent.start()
    for number, answers in enumerate(pages, start=1):
        url = respondent.url("public.question_page", number=number)
        written = client.get(url).get_data(as_text=True)
        assert any(page.position == number for page in templating._unanswered_fields), (
            number
        )  # kept
        kept = client.get(url).get_data(as_text=True)
        monkeypatch.setattr(templating, "_unanswered_fields", weakref.WeakKeyDictionary())
        afresh = client.get(url).get_data(as_text=True)
        assert _without_csrf_token(kept) == _without_csrf_token(written)
        assert _without_csrf_token(kept) == _without_csrf_token(afresh)
        if number == 1:  # a required question left unanswered: its error, not the kept page
            refused = respondent.answer(number, {})
            assert refused.status_code == 422
            assert "govuk-form-group--error" in refused.get_data(as_text=True)
        assert respondent.answer(number, answers).status_code == 303
        answered = client.get(url).get_data(as_text=True)
        if any(answers.values()):  # (an optional page may be left blank)
            assert _without_csrf_token(answered) != _without_csrf_token(kept)
        for key, value in answers.items():
            for one in value if isinstance(value, list) else [value]:
                if key == "postcode_area":  # only its sector is kept, and shown again
                    assert f'value="{sector_of(one)}"' in answered, (number, one)
                elif re.fullmatch(r"[a-z0-9_]+", one):  # an option's value: chosen
                    assert f'value="{one}" checked' in answered, (number, one)
                else:  # typed text, as typed
                    assert str(escape(one)) in answered, (number, one)


def test_the_page_count_says_how_many_pages_there_could_still_be(client):
    """ "Page 1 of up to 14" while routing is open; once "No" routes five pages out, "of 9";
    after "Yes" but "not told the school", one page fewer than every page."""
    respondent = Respondent(client, BULLYING)
    assert "Page 1 of up to 14" in respondent.start().text
    respondent.answer(1, BULLYING_ANSWERS[0])
    respondent.answer(2, BULLYING_ANSWERS[1])
    routed_out = respondent.answer(3, {"bullied_last_year": "no"})
    page = client.get_page(routed_out.headers["Location"])
    assert "Page 4 of 9" in page.text and "up to" not in page.text
    routed_in = respondent.answer(3, {"bullied_last_year": "yes"})
    page = client.get_page(routed_in.headers["Location"])
    assert "Page 4 of up to 14" in page.text  # whether they told the school is still open
    respondent.answer(4, BULLYING_ANSWERS[3])
    respondent.answer(5, BULLYING_ANSWERS[4])
    after = respondent.answer(6, {"told_school": "no"})
    page = client.get_page(after.headers["Location"])
    assert "Page 7 of 13" in page.text


def test_a_change_that_routes_pages_in_asks_them_then_returns_to_check_answers(client):
    # The last page routed in asks only an optional question: it is shown all the same.
    found = consultation(BULLYING)
    next(q for q in found.questions if q.key == "other_help").required = False
    db.session.commit()
    respondent = Respondent(client, BULLYING)
    respondent.start()
    for number, answers in zip(
        (1, 2, 3, 9, 10, 11, 12, 13, 14), BULLYING_ANSWERS_NOT_BULLIED, strict=True
    ):
        assert respondent.answer(number, answers).status_code == 303
    change = client.get_page(url_for("public.question_page", slug=BULLYING, number=3, change=1))
    # The answer here routes other questions: no promise of going straight back.
    assert change.soup.select_one("form button.govuk-button").get_text(strip=True) == "Continue"
    district = client.get_page(url_for("public.question_page", slug=BULLYING, number=2, change=1))
    assert "Save and return to check answers" in district.text
    response = respondent.answer(3, {"bullied_last_year": "yes"}, change=True)
    visited = []
    while "/pages/" in response.headers["Location"]:
        location = response.headers["Location"]
        assert location.endswith("?change=1")
        number = int(location.split("/pages/")[1].split("?")[0])
        visited.append(number)
        response = respondent.answer(number, BULLYING_ANSWERS[number - 1], change=True)
    # The five routed-in pages, then check answers: not on through pages 9 to 14 again.
    assert visited == [4, 5, 6, 7, 8]
    assert response.headers["Location"].endswith(url_for("public.check_answers", slug=BULLYING))
