"""Every route, walked for every role and for a signed-out visitor, answered as the permission
table says: signed-out visitors are sent to sign in, users of the wrong role get 403, and the
roles the table allows get the page."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from flask import Flask, url_for

from portal.accounts.models import Role
from portal.accounts.permissions import (
    ADMIN_ROLES,
    OFFICER_ROLES,
    PERMISSIONS,
    SCHOOL_ROLES,
    SIGNED_OUT,
    Action,
    action_of,
    may,
)
from portal.consultations.models import ConditionOperator, DisplayCondition
from portal.consultations.seed_translations import seed_translations
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.panel.models import PanelMember
from portal.publications.models import Publication, PublishedAction
from portal.responses.models import Answer, Response
from portal.responses.service import format_reference
from portal.safeguarding.models import SafeguardingFlag
from portal.schools.service import create_channel
from tests.factories import create_school, create_user, sign_in, submit_response

# Values for each URL variable, pointing at seeded data (condition_id is made per test).
URL_VALUES = {
    "slug": "bullying-what-parents-think",
    "key": "school_district",
    "code": "people-in-treatment",
    "position": 4,
    "number": 1,
    "kind": "choice",
    "value": "rugby",
    "direction": "down",
    "file_type": "png",
    "export_format": "xlsx",
    "user_id": 1,
    "language": "pl",
}
# The roles each staff blueprint lets in before any of its views runs.
BLUEPRINT_ROLES = {"officer": OFFICER_ROLES, "school": SCHOOL_ROLES, "admin": ADMIN_ROLES}
ROLES = [SIGNED_OUT, Role.SCHOOL, Role.OFFICER, Role.ADMIN]


def every_route(app: Flask) -> list[tuple[str, str]]:
    return sorted(
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    )


def staff_routes(app: Flask) -> list[tuple[str, str]]:
    return [(e, m) for e, m in every_route(app) if e.split(".")[0] in BLUEPRINT_ROLES]


def test_the_walk_covers_every_staff_route(app):
    endpoints = {endpoint for endpoint, _ in staff_routes(app)}
    assert endpoints >= {
        "officer.dashboard",
        "officer.results",
        "officer.comments",
        "officer.strategy_index",
        "officer.priority",
        "officer.add_indicator_value",
        "officer.new_consultation",
        "officer.build",
        "officer.edit_question",
        "officer.preview",
        "officer.assisted_start",
        "admin.users",
    }


def test_every_view_declares_an_action_from_the_table(app):
    for endpoint, _ in every_route(app):
        assert action_of(app.view_functions[endpoint]) in PERMISSIONS, endpoint


def test_every_action_in_the_table_is_some_views(app):
    used = {action_of(app.view_functions[endpoint]) for endpoint, _ in every_route(app)}
    assert used == set(Action)


def test_each_staff_blueprint_lets_in_exactly_the_roles_its_views_allow(app):
    """The blueprint's own guard is a second lock, never a different rule: widening an action
    in the table without the blueprint (or the reverse) fails here."""
    for blueprint, roles in BLUEPRINT_ROLES.items():
        allowed = {
            role
            for endpoint, _ in every_route(app)
            if endpoint.startswith(f"{blueprint}.")
            for role in PERMISSIONS[action_of(app.view_functions[endpoint])]
        }
        assert allowed == roles, blueprint


def test_signed_out_visitors_may_do_only_the_public_actions():
    assert {action for action in Action if may(SIGNED_OUT, action)} == {
        Action.RESPOND,
        Action.READ_PUBLISHED_RESULTS,
        Action.SIGN_IN,
        Action.READ_ABOUT_THE_SERVICE,
        Action.CHECK_HEALTH,
    }


def _a_school_with_a_channel() -> tuple[int, str, str]:
    """A school and its link to the consultation: a school user of that school may see it."""
    school = create_school()
    found = consultation_with_questions(URL_VALUES["slug"])
    assert found is not None
    return school.id, school.number, create_channel(found, school).code


def _answered_consultation_with_a_condition() -> tuple[int, int]:
    """A response, so the walk's delete buttons are refused rather than deleting what later
    routes need; a condition for the condition routes to find; and a typed answer to the walk's
    question for the comment routes (the condition's id, the answer's id)."""
    response = submit_response(URL_VALUES["slug"], {})
    consultation = consultation_with_questions(URL_VALUES["slug"])
    assert consultation is not None
    source = consultation.questions[0]
    condition = DisplayCondition(
        consultation=consultation,
        question=consultation.pages[3].questions[0],
        source_question=source,
        operator=ConditionOperator.NOT,
        option=source.choices[0],
    )
    db.session.add(condition)
    question = next(q for q in consultation.questions if q.key == URL_VALUES["key"])
    typed = Answer(response_id=response.id, question_id=question.id, text="Somewhere else")
    db.session.add(typed)
    db.session.flush()
    db.session.add(
        SafeguardingFlag(
            answer_id=typed.id,
            consultation_id=consultation.id,
            matched="else",
            flagged_at=datetime(2026, 1, 1),
        )
    )
    db.session.commit()
    return condition.id, typed.id


def _draft_publication() -> int:
    """Published results in draft with one "you said, we did", for the publication routes."""
    consultation = consultation_with_questions(URL_VALUES["slug"])
    assert consultation is not None
    publication = Publication(consultation_id=consultation.id, updated_at=datetime(2026, 1, 1))
    publication.actions.append(PublishedAction(you_said="a", we_did="b", position=1))
    db.session.add(publication)
    db.session.commit()
    return publication.actions[0].id


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_every_route_for_every_role(app, client, role):
    school_id, number, channel_code = _a_school_with_a_channel()
    member = PanelMember(
        reference="WP-001",
        name="Ann Example",
        email="ann@example.com",
        consent_given_on=date(2006, 1, 1),
        consent_wording="I agree",
        leave_token="leave-token",
    )
    db.session.add(member)
    db.session.commit()
    condition_id, answer_id = _answered_consultation_with_a_condition()
    seed_translations()  # a language for the language pages to show: Polish
    values = {
        **URL_VALUES,
        "school_number": number,
        "member_reference": "WP-001",
        "condition_id": condition_id,
        "answer_id": answer_id,
        "action_id": _draft_publication(),
        "channel_code": channel_code,
        "token": "leave-token",
        "audience": "parents",
        # An account for the admin pages to show, disable and enable: not the walker's own.
        "user_id": create_user(Role.OFFICER, email="walked@council.example").id,
        "reference": format_reference(db.session.scalars(sa.select(Response.reference)).one()),
    }
    if role is not None:
        extra = {"school_id": school_id} if role == Role.SCHOOL else {}
        sign_in(client, create_user(role, **extra))
    # Any visitor gets a valid CSRF token from a start page, so POSTs test the role check
    # rather than stopping at CSRF protection.
    token = client.get_page(url_for("public.start", slug=URL_VALUES["slug"])).csrf_token()
    # Removing the language is walked after the pages that show it, which it would take away.
    walk = sorted(every_route(app), key=lambda route: route == ("officer.remove_language", "POST"))
    for endpoint, method in walk:
        if endpoint == "auth.sign_out":
            continue  # walked last: signing out would end the walk's session
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        url = url_for(endpoint, **{name: values[name] for name in rule.arguments})
        if method == "POST":
            response = client.post(url, data={"csrf_token": token})
        else:
            response = client.get(url)
        # Read to the end: a streamed download holds its request context until it is consumed.
        response.get_data()
        action = action_of(app.view_functions[endpoint])
        assert action is not None, endpoint
        status, where = response.status_code, response.headers.get("Location", "")
        if may(role, action) and may(SIGNED_OUT, action):
            # A public page answers, or sends the visitor on to where their journey (or
            # sign-in) stands; one that needs a draft or a code the walk has not got is not
            # found. Only the sign-in steps may send them to sign in.
            assert status in {200, 302, 303, 404, 422}, (endpoint, method, role, status)
            if action != Action.SIGN_IN:
                assert not where.startswith(url_for("auth.sign_in")), (endpoint, role)
        elif may(role, action):
            # A form post with nothing filled in is refused (422) or, for a builder button,
            # done or refused with a message on the page it redirects to (303).
            expected = {303, 422} if method == "POST" else {200}
            if endpoint == "auth.recovery_codes":
                expected = {302}  # codes are shown once, just after they are made
            if endpoint in {"officer.assisted_store_without_code", "officer.assisted_discard"}:
                # They act on a keyed-in draft refused for its panel code; the walk has none.
                expected = {303, 404}
            if endpoint.startswith("officer.export_series_"):
                expected = {404}  # the walk's consultation is a wave of no series
            assert status in expected, (endpoint, method, role, status)
        elif role is SIGNED_OUT:
            assert status == 302, (endpoint, method)
            assert where.startswith(url_for("auth.sign_in")), endpoint
        else:
            assert status == 403, (endpoint, method, role)
            assert "You do not have permission to see this page" in response.get_data(as_text=True)
    sign_out = client.post(url_for("auth.sign_out"), data={"csrf_token": token})
    assert sign_out.status_code in {302, 303}
