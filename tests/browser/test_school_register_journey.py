"""An officer manages schools in the portal: finds one in the list, adds one (correcting the
form), changes it, imports a CSV file (a row with two problems first, then the corrected file)
and closes a school after its confirmation page. axe-core checks every page visited. The
import's report and the list are the README's pictures of the schools screens
(PORTAL_UPDATE_SCREENSHOTS=1 writes them to docs/screenshots/)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from portal.accounts.models import Role
from portal.schools.models import District
from tests.browser.conftest import Visit
from tests.browser.test_schools_journey import sign_in
from tests.browser.test_screenshots import _folder, _shoot
from tests.factories import create_school, create_user

HEADER = b"name,number,phase,district,pupils,town\n"


def test_an_officer_lists_searches_adds_changes_imports_and_closes_schools(
    page: Page, live_server: str, tmp_path: Path
):
    folder = _folder(tmp_path)
    create_school(name="Bilton Community Primary School", district=District.RUGBY)
    create_school(name="Camp Hill Junior School", district=District.NUNEATON_BEDWORTH)
    officer = create_user(Role.OFFICER, email="register.officer@council.example")
    visit = Visit(page)
    sign_in(page, live_server, officer.email, visit, "Consultations")

    # The list, from the menu, and a search.
    page.get_by_role("link", name="Schools", exact=True).click()
    expect(page.locator("h1")).to_have_text("Schools")
    expect(page.locator("#schools tbody tr")).to_have_count(2)
    visit.check()
    page.get_by_label("Name, school number or town").fill("camp hill")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#schools tbody th")).to_have_text(["Camp Hill Junior School"])
    visit.check()

    # Add a school: a mistake first, then corrected.
    page.get_by_role("link", name="Add a school").click()
    page.get_by_label("Name", exact=True).fill("Dunchurch Infant School")
    page.get_by_label("School number").fill("12")
    page.get_by_role("button", name="Add school").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Number '12' is not a school number like 937/2001"
    )
    visit.check()
    page.get_by_label("School number").fill("937/2200")
    page.get_by_label("Town or village").fill("Dunchurch")
    page.get_by_label("Primary").check()
    page.get_by_label("Rugby").check()
    page.get_by_label("Number of pupils").fill("150")
    page.get_by_role("button", name="Add school").click()
    expect(page.locator("h1")).to_have_text("Dunchurch Infant School")
    expect(page.locator(".app-flash-message")).to_have_text("Added Dunchurch Infant School")
    visit.check()

    # Change it.
    page.get_by_role("link", name="Change details").click()
    expect(page.locator("h1")).to_have_text("Change Dunchurch Infant School")
    visit.check()
    page.get_by_label("Number of pupils").fill("165")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-caption-l")).to_contain_text("165 pupils")

    # Import a file: a row with two problems is reported, and nothing is imported.
    page.get_by_role("link", name="Back").click()
    page.get_by_role("link", name="Import schools from a CSV file").click()
    visit.check()
    bad = HEADER + b"Wolston High School,937/2466,secondary,Coventry,lots,Wolston\n"
    page.get_by_label("Upload a CSV file").set_input_files(
        files=[{"name": "schools.csv", "mimeType": "text/csv", "buffer": bad}]
    )
    page.get_by_role("button", name="Upload and import").click()
    problems = page.locator("#import-problems tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.locator("li")).to_have_count(2)
    expect(problems).to_contain_text("district 'Coventry' is not one of")
    expect(problems).to_contain_text("pupils 'lots' is not a whole number")
    _shoot(page, visit, folder, "schools-import-report")
    good = HEADER + b"Wolston High School,937/2466,secondary,Rugby,1057,Wolston\n"
    page.get_by_label("Upload a CSV file").set_input_files(
        files=[{"name": "schools.csv", "mimeType": "text/csv", "buffer": good}]
    )
    page.get_by_role("button", name="Upload and import").click()
    expect(page.locator(".app-flash-message")).to_have_text(
        "Imported the file: 1 school added, 0 updated"
    )
    expect(page.locator("#schools tbody tr")).to_have_count(4)
    _shoot(page, visit, folder, "schools-list")

    # Close a school: a confirmation page says what it does first.
    page.get_by_role("link", name="Bilton Community Primary School").click()
    page.get_by_role("link", name="Close school").click()
    expect(page.locator("h1")).to_have_text("Close Bilton Community Primary School?")
    expect(page.locator("#closing-effects")).to_contain_text("keeps the responses")
    visit.check()
    page.get_by_role("button", name="Close school").click()
    expect(page.locator(".app-flash-message")).to_contain_text(
        "Closed Bilton Community Primary School"
    )
    expect(page.locator("#schools tbody tr")).to_have_count(3)
    page.get_by_label("Status").select_option(label="Closed schools")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#schools tbody th")).to_have_text(["Bilton Community Primary School"])
    visit.check()
