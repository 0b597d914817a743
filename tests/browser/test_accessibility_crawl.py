"""Every page each role can reach by following links, checked with axe-core (WCAG 2.2 AA):
a respondent from the home page, a school, an officer and an admin from theirs. Each kind of
page (one route) is checked once; an admin's crawl leaves out the officer pages the officer's
crawl checks.
Downloads and images are not pages; sign-out is a form, so the crawl never follows it."""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urlsplit

import pyotp
import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from werkzeug.exceptions import HTTPException

from portal.accounts.models import Role
from tests.browser.conftest import Visit
from tests.factories import PASSWORD, TOTP_SECRET, create_user, submit_response
from tests.test_access import (
    _a_school_with_a_channel,
    _answered_consultation_with_a_condition,
    _draft_publication,
)

NOT_PAGES = re.compile(r"\.(csv|xlsx|ods|png|svg|json)$|/qr\.|^/static/|^/[ci]/|^/panel/leave/")
PER_ROUTE = 1


def crawl(
    page: Page, app: Flask, base: str, starts: list[str], visit: Visit, leave_out: str = "-"
) -> Counter[str]:
    """Breadth first from `starts`, following same-site links; the routes checked, counted.
    Routes whose endpoint starts with `leave_out` are not visited."""
    routes = app.url_map.bind("127.0.0.1")
    queue, queued, checked = deque(starts), set(starts), Counter()
    while queue:
        url = queue.popleft()
        path = urlsplit(url).path
        try:
            endpoint, _ = routes.match(path, method="GET")
        except HTTPException:
            continue
        if checked[endpoint] >= PER_ROUTE or endpoint.startswith(leave_out):
            continue
        response = page.goto(base + url)
        assert response is not None and response.ok, (url, response and response.status)
        visit.check()
        checked[endpoint] += 1
        for href in page.eval_on_selector_all(
            "a[href]", "all => all.map(a => a.getAttribute('href'))"
        ):
            link = href.split("#", 1)[0]
            on_site = link.startswith("/") and not link.startswith("//")
            if on_site and link not in queued and not NOT_PAGES.search(urlsplit(link).path):
                queued.add(link)
                queue.append(link)
    return checked


def _sign_in(page: Page, base: str, email: str, code: bool = False) -> None:
    page.goto(base + "/staff/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if code:
        page.get_by_label("Code").fill(pyotp.TOTP(TOTP_SECRET).now())
        page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).not_to_have_text("Sign in")


@pytest.fixture
def data_to_see(app):
    """Something on every kind of page: a school and its link, responses with comments and a
    safeguarding flag, a routing condition, a draft publication."""
    school_id, _, _ = _a_school_with_a_channel()
    _answered_consultation_with_a_condition()
    _draft_publication()
    submit_response("bullying-what-parents-think", {"comments": {"text": "More help online"}})
    return school_id


@pytest.mark.parametrize(
    ("role", "starts", "at_least", "leave_out"),
    [
        (None, ["/"], 8, "-"),
        (Role.SCHOOL, ["/school/"], 8, "-"),
        (Role.OFFICER, ["/officer/"], 35, "-"),
        (Role.ADMIN, ["/admin/users"], 4, "officer."),
    ],
    ids=["respondent", "school", "officer", "admin"],
)
def test_every_page_a_role_can_reach_has_no_axe_violations(
    page: Page, app, live_server: str, data_to_see, role, starts, at_least, leave_out
):
    visit = Visit(page)
    if role is not None:
        extra = {"school_id": data_to_see} if role == Role.SCHOOL else {}
        user = create_user(role, **extra)
        _sign_in(page, live_server, user.email, code=role == Role.ADMIN)
    checked = crawl(page, app, live_server, starts, visit, leave_out)
    assert len(checked) >= at_least, sorted(checked)
    if role is None:
        assert not any(e.startswith(("officer.", "admin.", "school.")) for e in checked)
    print(f"{role or 'respondent'}: {sum(checked.values())} pages, {len(checked)} routes")
