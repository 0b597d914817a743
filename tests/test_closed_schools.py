"""A closed school is closed everywhere: no new accounts for it from any page, no link of its
switched back on and no account of its enabled until it is reopened (as its close page says);
and a school number taken by another request at the same moment is a field error, not a 500."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.accounts import service as accounts
from portal.accounts.models import Role, User
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.schools import register, service
from portal.schools.models import School
from tests.factories import create_school, create_user, sign_in

SLUG = "bullying-what-parents-think"


def _closed_school(name: str = "Bilton Junior School") -> School:
    school = create_school(name=name)
    register.close_school(school, by=None)
    return school


def test_an_admin_is_not_offered_a_closed_school_for_a_new_account(app, client):
    sign_in(client, create_user(Role.ADMIN))
    open_school = create_school(name="Camp Hill Primary")
    closed = _closed_school()
    page = client.get_page(url_for("admin.new_user"))
    offered = [option.get_text() for option in page.soup.select("select#school option")]
    assert offered == ["Choose the school", f"Camp Hill Primary ({open_school.shown_number})"]

    refused = client.post_page(
        url_for("admin.new_user"),
        data={
            "csrf_token": page.csrf_token(),
            "email": "office@bilton.example",
            "role": "school",
            "school": str(closed.id),
        },
    )
    assert refused.status == 422
    assert refused.error_summary() == ["Choose the school the account is for"]
    assert accounts.find_user("office@bilton.example") is None


def test_a_closed_schools_account_is_enabled_only_after_the_school_reopens(app, client):
    school = create_school(name="Bilton Junior School")
    staff = create_user(Role.SCHOOL, email="office@bilton.example", school_id=school.id)
    register.close_school(school, by=None)
    sign_in(client, create_user(Role.ADMIN))
    page = client.get_page(url_for("admin.user", user_id=staff.id))
    refused = client.post(
        url_for("admin.enable_user", user_id=staff.id), data={"csrf_token": page.csrf_token()}
    )
    after = client.get_page(refused.headers["Location"])
    assert "Bilton Junior School is closed, so its accounts stay disabled" in after.text
    db.session.expire_all()
    assert db.session.get(User, staff.id).disabled is True

    # The service keeps the same rule, whoever calls it.
    with pytest.raises(accounts.AccountError, match="Bilton Junior School is closed"):
        accounts.set_disabled(staff.email, False)
    db.session.rollback()
    assert db.session.get(User, staff.id).disabled is True

    register.reopen_school(school, by=None)
    client.post(
        url_for("admin.enable_user", user_id=staff.id), data={"csrf_token": page.csrf_token()}
    )
    db.session.expire_all()
    assert db.session.get(User, staff.id).disabled is False


def test_a_closed_schools_link_cannot_be_switched_back_on(app, client):
    consultation = consultation_with_questions(SLUG)
    assert consultation is not None
    school = create_school(name="Bilton Junior School")
    channel = service.create_channel(consultation, school)
    register.close_school(school, by=None)
    sign_in(client, create_user(Role.OFFICER))
    page = client.get_page(url_for("officer.distribution", slug=SLUG))
    row = page.soup.select_one(f"#school-{school.number}")
    assert "School closed: reopen it to switch its link on" in row.get_text(" ", strip=True)
    assert row.select("form") == []  # no Switch on button

    switched = client.post(
        url_for("officer.switch_channel", channel_code=channel.code),
        data={"csrf_token": page.csrf_token()},
    )
    after = client.get_page(switched.headers["Location"])
    assert (
        "Bilton Junior School is closed, so its link stays off. Reopen the school first, then "
        "switch its link on." in after.text
    )
    db.session.expire_all()
    assert db.session.get(type(channel), channel.id).active is False

    register.reopen_school(school, by=None)
    client.post(
        url_for("officer.switch_channel", channel_code=channel.code),
        data={"csrf_token": page.csrf_token()},
    )
    db.session.expire_all()
    assert db.session.get(type(channel), channel.id).active is True


def _school_form(client: Any, url: str, **values: str) -> Any:
    token = client.get_page(url).csrf_token()
    data = {
        "name": "Racing School",
        "number": "937/5000",
        "phase": "primary",
        "district": "rugby",
        "pupils": "100",
        "town": "",
        **values,
    }
    return client.post_page(url, data={"csrf_token": token, **data})


@pytest.mark.parametrize("page", ["add", "edit"])
def test_a_number_taken_at_the_same_moment_is_a_field_error(app, client, monkeypatch, page):
    """The check finds the number free, then another request takes it before the write."""
    sign_in(client, create_user(Role.OFFICER))
    taken = create_school(name="Fast School")
    mine = create_school(name="Slow School")
    url = (
        url_for("officer.new_school")
        if page == "add"
        else url_for("officer.edit_school", school_number=mine.number)
    )
    monkeypatch.setattr(register, "_number_taken", lambda number, school: False)
    refused = _school_form(client, url, number=taken.number)
    assert refused.status == 422
    assert refused.error_summary() == ["Number is already held by another school"]
    db.session.expire_all()
    names = db.session.scalars(sa.select(School.name).order_by(School.name)).all()
    assert names == ["Fast School", "Slow School"]
    assert db.session.get(School, mine.id).number != taken.number
