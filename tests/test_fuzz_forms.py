"""Property-based bad input: hypothesis fills every field of every respondent and officer form
with arbitrary text, unicode, control characters, huge values, markup and SQL-looking text.

Whatever it posts, the portal never answers 500, stores nothing invalid (no control characters
but tab and line breaks, nothing longer than its column), and every page it then shows renders
what was stored escaped (no script or event handler from the input, no raw markup).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import Flask, url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.accounts.models import Role
from portal.extensions import db
from tests.conftest import HtmlPage
from tests.factories import create_user, sign_in
from tests.journeys import Respondent
from tests.test_access import URL_VALUES, _a_school_with_a_channel, every_route

MARKUP = "<script>alert('fuzz')</script>"
PAYLOADS = [
    MARKUP,
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'; DROP TABLE answer; --",
    "' OR '1'='1",
    "\x00",
    "a\x00b",
    "\x07\x1b[31m",
    "\u202eevil",
    "💥🏴\u200d☠️",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "  ",
    "-1",
    "0",
    "99999999999999999999999",
    "1e400",
    "NaN",
    "2026-02-30",
    "%s%s%n",
    "{{ 7*7 }}",
    "x" * 5000,
]
VALUES = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=30),
    st.text(st.characters(codec="utf-8"), max_size=12),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
)
ALLOWED_CONTROLS = {"\t", "\n", "\r"}


@dataclass
class Form:
    page: str  # where the form was found
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> values offered

    @property
    def fuzzable(self) -> list[str]:
        return sorted(name for name in self.fields if name != "csrf_token")


def forms_on(html: str, page: str) -> list[Form]:
    forms = []
    for tag in BeautifulSoup(html, "html.parser").find_all("form"):
        if (tag.get("method") or "get").lower() != "post":
            continue
        form = Form(page, str(tag["action"]))
        for control in tag.find_all(["input", "textarea", "select", "button"]):
            name = control.get("name")
            if not name:
                continue
            offered = form.fields.setdefault(str(name), [])
            if control.name == "select":
                offered += [str(o.get("value", "")) for o in control.find_all("option")]
            else:
                offered.append(str(control.get("value", "")))
        forms.append(form)
    return forms


def _fill(data: Any, form: Form, token: str) -> dict[str, Any]:
    """Each field left as offered, given another offered value, or given something arbitrary;
    sometimes several values under one name, as checkboxes send."""
    posted: dict[str, Any] = {"csrf_token": token}
    for name in form.fuzzable:
        choice = data.draw(st.sampled_from(["offered", "fuzz", "several", "missing"]))
        if choice == "offered":
            posted[name] = data.draw(st.sampled_from(form.fields[name]))
        elif choice == "fuzz":
            posted[name] = data.draw(VALUES)
        elif choice == "several":
            posted[name] = data.draw(st.lists(VALUES, min_size=2, max_size=3))
    return posted


def assert_nothing_invalid_stored() -> None:
    """Every text column of every table: no control characters but tab and line breaks, and
    nothing longer than the column allows (SQLite would store it; PostgreSQL would refuse)."""
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, sa.String):
                continue
            for (value,) in db.session.execute(
                sa.select(column).where(column.is_not(None)).distinct()
            ):
                if not isinstance(value, str):
                    continue
                bad = {
                    c
                    for c in value
                    if unicodedata.category(c) == "Cc" and c not in ALLOWED_CONTROLS
                }
                assert not bad, f"{table.name}.{column.name} stored {value!r}"
                limit = column.type.length
                assert limit is None or len(value) <= limit, f"{table.name}.{column.name}"


def assert_rendered_escaped(page: HtmlPage) -> None:
    """HtmlPage itself refuses inline scripts and style attributes."""
    assert MARKUP not in page.html
    for tag in page.soup.find_all(True):
        handlers = [a for a in tag.attrs if a.lower().startswith("on")]
        assert not handlers, f"<{tag.name} {handlers}> rendered from input"


def fuzz(client: Any, form: Form, examples: int) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        # The same examples on every run, so CI never fails by chance; a new form or field
        # changes the draws and is explored afresh.
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def post_anything(data: Any) -> None:
        # The fields are those found when the walk began (hypothesis needs the same draws
        # every time it replays an example); only the token is fetched afresh.
        posted = _fill(data, form, "")
        page = client.get_page(form.page)
        if page.soup.find("input", attrs={"name": "csrf_token"}) is None:
            return  # an earlier example removed what the form was for: nothing to post
        posted["csrf_token"] = page.csrf_token()
        response = client.post(form.action, data=posted)
        assert response.status_code < 500, (form.action, response.status_code)
        db.session.rollback()
        if response.status_code in (200, 422):
            assert_rendered_escaped(HtmlPage(response.get_data(as_text=True), 200))
        location = response.headers.get("Location", "")
        if location and not urlsplit(location).netloc:
            shown = client.get(location)
            shown.get_data()
            assert shown.status_code < 500, location
            if shown.mimetype == "text/html":
                assert_rendered_escaped(HtmlPage(shown.get_data(as_text=True), 200))

    post_anything()
    # Once per form, not per example: scanning every text column of every table is most of
    # this test's time, and what is stored stays stored, so a bad value is still found (the
    # message names its table, column and value).
    assert_nothing_invalid_stored()


def test_every_respondent_form_takes_anything(app: Flask, client):
    for slug in ("bullying-what-parents-think", "warwickshire-panel-liveability"):
        respondent = Respondent(client, slug)
        start = client.get_page(url_for("public.start", slug=slug))
        for form in forms_on(start.html, url_for("public.start", slug=slug)):
            fuzz(client, form, examples=10)
        respondent.start()
        for number in range(1, 12):
            url = url_for("public.question_page", slug=slug, number=number)
            page = client.get_page(url)
            if page.status != 200:
                break
            for form in forms_on(page.html, url):
                fuzz(client, form, examples=12)
        for endpoint in (
            "public.check_answers",
            "public.saved",
            "public.resume_response",
            "public.give_feedback",
        ):
            url = url_for(endpoint, slug=slug)
            page = client.get_page(url)
            if page.status == 200:
                for form in forms_on(page.html, url):
                    fuzz(client, form, examples=6)


def _staff_form_pages(app: Flask) -> list[str]:
    """Every staff page a GET reaches with the walk's values."""
    _, number, channel_code = _a_school_with_a_channel()
    values = {
        **URL_VALUES,
        "school_number": number,
        "channel_code": channel_code,
        "member_reference": "none",
        "condition_id": 0,
        "answer_id": 0,
        "action_id": 0,
        "token": "none",
        "reference": "none",
    }
    pages = []
    for endpoint, method in every_route(app):
        if method != "GET" or not endpoint.startswith(("officer.", "admin.", "auth.two")):
            continue
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        pages.append(url_for(endpoint, **{name: values[name] for name in rule.arguments}))
    return pages


def test_every_officer_form_takes_anything(app: Flask, client):
    sign_in(client, create_user(Role.ADMIN))
    routes = app.url_map.bind("localhost")
    forms: dict[str, Form] = {}  # the first form found for each view that takes a post
    for url in _staff_form_pages(app):
        response = client.get(url)
        response.get_data()  # a streamed download holds its request context until read
        if response.status_code == 200 and response.mimetype == "text/html":
            for form in forms_on(response.get_data(as_text=True), url):
                endpoint, _ = routes.match(urlsplit(form.action).path, method="POST")
                forms.setdefault(endpoint, form)
    # Signing out would end the walk; deleting goes last, so the rest still have their data.
    del forms["auth.sign_out"]
    wanted = sorted(
        forms.items(), key=lambda item: any(w in item[0] for w in ("delete", "remove", "withdraw"))
    )
    assert len(wanted) >= 30, sorted(forms)
    for _, form in wanted:
        fuzz(client, form, examples=6)
    # Still signed in at the end: every form was really posted as an officer.
    assert client.get(url_for("officer.dashboard")).status_code == 200
