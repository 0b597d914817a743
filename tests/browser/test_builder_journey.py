"""An officer builds a consultation with every question type and a routing rule, publishes it;
a respondent answers it, saves and resumes, changes an answer that reroutes them; the officer
sees the results. axe-core checks every page visited."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from portal.accounts.models import Role
from portal.extensions import db
from portal.responses.models import Answer, Response
from tests.browser.conftest import Visit
from tests.factories import PASSWORD, create_user

TITLE = "Shelters and stops: what bus users think"
SLUG = "shelters-and-stops-what-bus-users-think"


def sign_in(page: Page, live_server: str, email: str, visit: Visit) -> None:
    page.goto(live_server + "/staff/sign-in")
    visit.check()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Consultations")


def add_question(page: Page, visit: Visit, position: int, label: str, text: str) -> None:
    """From the builder: add a question to a page; the question's edit page opens."""
    card = page.locator(f"#page-{position}")
    card.get_by_label("Type of question").select_option(label=label)
    card.get_by_label("Question", exact=True).fill(text)
    card.get_by_role("button", name=f"Add question to page {position}").click()
    expect(page.locator("h1")).to_have_text("Edit question")
    visit.check()


def add_options(page: Page, labels: list[str], what: str = "option") -> None:
    """On a question's edit page: type each option into the next empty row, pressing Add
    another between them (which saves what is typed)."""
    prefix = "choices" if what == "option" else "statements"
    for number, text in enumerate(labels):
        if number:
            page.get_by_role("button", name=f"Add another {what}").click()
        page.locator(f"input[name^='{prefix}-'][name$='-label'][value='']").first.fill(text)


def save_question(page: Page, visit: Visit) -> None:
    page.get_by_role("button", name="Save question").last.click()
    expect(page.locator("h1")).to_have_text(TITLE)
    visit.check()


def add_page(page: Page, visit: Visit, number: int, title: str | None = None) -> None:
    page.get_by_role("button", name="Add a page").click()
    expect(page.locator(f"#page-{number}")).to_be_visible()
    if title:
        card = page.locator(f"#page-{number}")
        card.get_by_label(f"Title of page {number}").fill(title)
        card.get_by_role("button", name=f"Save title of page {number}").click()
        expect(page.locator(f"#page-{number}-title")).to_have_text(f"Page {number}: {title}")
    visit.check()


def build_consultation(page: Page, live_server: str, visit: Visit) -> None:
    page.get_by_role("link", name="Create a consultation").click()
    visit.check()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill("Tell us about the shelters and stops you use.")
    page.get_by_label("Who it is for", exact=True).fill("Bus User groups")
    page.get_by_label("Privacy notice").fill("The council keeps the answers for two years.")
    page.get_by_role("button", name="Create consultation").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("#consultation-status")).to_have_text("Draft")
    visit.check()

    # Page 1: the question that routes. A rename typed before Add another is kept with it.
    add_question(page, visit, 1, "Single choice", "Do you use the bus?")
    add_options(page, ["Yes", "Nope"])
    page.get_by_role("button", name="Add another option").click()
    page.get_by_label("Option 2", exact=True).fill("No")
    page.get_by_label("Option 1", exact=True).fill("")
    page.get_by_role("button", name="Save question").last.click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter option 1")
    visit.check()
    page.get_by_role("link", name="Enter option 1").click()
    expect(page.get_by_label("Option 1", exact=True)).to_be_focused()
    page.get_by_label("Option 1", exact=True).fill("Yes")
    save_question(page, visit)
    page.get_by_role("link", name="Edit question: Do you use the bus?").click()
    expect(page.locator("input[name$='-label'][name^='choices']")).to_have_count(3)
    expect(page.get_by_label("Option 2", exact=True)).to_have_value("No")
    visit.check()
    save_question(page, visit)

    # Page 2: asked only of bus users.
    add_page(page, visit, 2)
    add_question(page, visit, 2, "Multiple choice", "Which routes do you use?")
    # The condition is its own form: added first, as it does not save what is typed above.
    page.get_by_label("Show only if the answer").select_option(label="is")
    page.get_by_label("Answer to an earlier question").select_option(label="Yes")
    page.get_by_role("button", name="Add condition").click()
    expect(page.locator(".app-condition")).to_contain_text(
        "Shown only if the answer to \u201cDo you use the bus?\u201d is \u201cYes\u201d"
    )
    add_options(page, ["Route 1", "Route 2", "Route 3"])
    visit.check()
    save_question(page, visit)

    # Page 3: scales, numbers, dates and text.
    add_page(page, visit, 3, "Your journeys")
    add_question(page, visit, 3, "Agreement scale", "Bus stops feel safe after dark")
    save_question(page, visit)
    add_question(page, visit, 3, "Rating from 0 to 10", "How would you rate your nearest stop?")
    save_question(page, visit)
    add_question(page, visit, 3, "Number", "How many journeys a week?")
    page.get_by_label("Largest number allowed").fill("70")
    save_question(page, visit)
    add_question(page, visit, 3, "Date", "When did you last travel?")
    save_question(page, visit)
    add_question(page, visit, 3, "Short text", "Which stop do you use most?")
    save_question(page, visit)

    # Page 4: the rest.
    add_page(page, visit, 4, "Priorities")
    add_question(page, visit, 4, "Information", "About the next questions")
    page.get_by_label("Hint").fill("They help us decide where to spend first.")
    save_question(page, visit)
    add_question(page, visit, 4, "Ranking", "Rank what matters most")
    add_options(page, ["Shelter", "Lighting", "Timetables"])
    page.get_by_label("Most options a respondent can choose or rank").fill("2")
    save_question(page, visit)
    add_question(page, visit, 4, "Matrix", "How do you feel at the stop?")
    add_options(page, ["In the day", "After dark"], what="statement")
    save_question(page, visit)
    add_question(page, visit, 4, "Long text", "Anything else?")
    page.get_by_label("Respondents must answer this question").uncheck()
    save_question(page, visit)

    # Move the long text up and back down again: in place, without a reload.
    page.evaluate("window.appNoReload = true")
    question = page.locator(".app-builder-question", has_text="Anything else?")
    question.get_by_role("button", name="Move up").click()
    expect(page.locator("#page-4 .app-builder-question").nth(2)).to_contain_text("Anything else?")
    page.locator(".app-builder-question", has_text="Anything else?").get_by_role(
        "button", name="Move down"
    ).click()
    expect(page.locator("#page-4 .app-builder-question").nth(3)).to_contain_text("Anything else?")
    assert page.evaluate("window.appNoReload") is True
    visit.check()

    # Preview from the start page, as a respondent begins.
    page.get_by_role("link", name="Preview").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Nothing you enter is saved")
    visit.check()
    page.get_by_role("button", name="Start now").click()
    expect(page.locator("h1")).to_have_text("Do you use the bus?")
    visit.check()
    page.goto(live_server + f"/officer/consultations/{SLUG}/build")

    # Publishing asks first; Cancel changes nothing.
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("h1")).to_have_text(
        f"Are you sure you want to publish \u2018{TITLE}\u2019?"
    )
    visit.check()
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator("#consultation-status")).to_have_text("Draft")
    page.get_by_role("button", name="Publish").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#consultation-status")).to_have_text("Open")
    visit.check()


def answer_until_saved(page: Page, live_server: str, visit: Visit) -> str:
    page.goto(live_server + "/")
    page.get_by_role("link", name=TITLE).click()
    visit.check()
    page.get_by_role("button", name="Start now").click()
    expect(page.locator(".app-progress")).to_have_text("Page 1 of up to 4")
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Which routes do you use?")
    expect(page.locator(".app-progress")).to_have_text("Page 2 of 4")
    visit.check()
    page.get_by_label("Route 2").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Your journeys")
    visit.check()
    page.get_by_label("Agree", exact=True).check()
    page.get_by_label("8").check()
    page.get_by_label("How many journeys a week?").fill("90")
    page.get_by_label("Day").fill("3")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Which stop do you use most?").fill("Market Place")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a number that is 70 or less"
    )
    visit.check()
    page.get_by_label("How many journeys a week?").fill("10")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator("h1")).to_have_text("Your answers have been saved")
    visit.check()
    return page.locator("#resume-code").inner_text()


def test_an_officer_builds_a_consultation_that_a_respondent_answers(
    page: Page, browser: Browser, live_server: str
):
    officer = create_user(Role.OFFICER, email="builder.officer@council.example")
    visit = Visit(page)
    sign_in(page, live_server, officer.email, visit)
    build_consultation(page, live_server, visit)
    page.get_by_role("button", name="Sign out").click()

    # A respondent answers three pages, then saves.
    respondent = browser.new_page()
    respondent_visit = Visit(respondent)
    code = answer_until_saved(respondent, live_server, respondent_visit)
    respondent.close()

    # Later, in another browser, they resume with the code, without JavaScript.
    context = browser.new_context(java_script_enabled=False)
    later = context.new_page()
    axe_page = browser.new_page()
    later_visit = Visit(later, axe_page)
    later.goto(live_server + "/")
    later.get_by_role("link", name=TITLE).click()
    later.get_by_role("link", name="Continue a response you saved").click()
    later_visit.check()
    later.get_by_label("Resume code").fill(code.lower())
    later.get_by_role("button", name="Continue").click()
    expect(later.locator("h1")).to_have_text("Priorities")
    expect(later.locator(".app-progress")).to_have_text("Page 4 of 4")
    later_visit.check()
    later.get_by_label("Shelter").select_option("2")
    later.get_by_label("Lighting").select_option("1")
    later.locator("fieldset", has_text="In the day").get_by_label("Agree", exact=True).check()
    later.locator("fieldset", has_text="After dark").get_by_label("Disagree", exact=True).check()
    later.get_by_role("button", name="Continue").click()
    expect(later.locator("h1")).to_have_text("Check your answers before sending them")
    later_visit.check()
    summary = later.locator(".govuk-summary-list")
    expect(summary).to_contain_text("Route 2")
    expect(summary).to_contain_text("1. Lighting")
    expect(summary).not_to_contain_text("About the next questions")

    # Changing the first answer routes the routes page out, and its answer is dropped.
    later.get_by_role("link", name="Change your answer to: Do you use the bus?").click()
    later.get_by_label("No").check()
    later.get_by_role("button", name="Continue").click()
    expect(later.locator("h1")).to_have_text("Check your answers before sending them")
    expect(later.locator(".govuk-summary-list")).not_to_contain_text("Which routes do you use?")
    later_visit.check()
    later.get_by_role("button", name="Accept and send").click()
    expect(later.locator("h1")).to_have_text("Response sent")
    later_visit.check()
    context.close()
    axe_page.close()

    db.session.expire_all()
    response = db.session.scalars(sa.select(Response)).one()
    rows = db.session.scalar(
        sa.select(sa.func.count(Answer.id)).where(Answer.response_id == response.id)
    )
    # bus, agreement, rating, number, date, short text, 2 ranks, 2 matrix rows; no routes.
    assert rows == 10

    # The officer sees it counted.
    sign_in(page, live_server, officer.email, visit)
    page.locator("#consultation-shelters-and-stops-what-bus-users-think th a").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    visit.check()
    expect(page.locator("[id='result-other-do_you_use_the_bus']")).to_contain_text(
        "1 answered, 0 skipped"
    )
    expect(
        page.locator("[id='result-other-rank_what_matters_most'] tbody tr").first
    ).to_contain_text("Lighting")
