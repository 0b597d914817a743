"""A panel member's paper or telephone answers, keyed in by an officer with the code from their
invitation: the invitation is used up with the response, and the response counts in the
panel's response rates and weighting like an online answer."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.audit import AuditEntry
from portal.clock import utcnow
from portal.extensions import db
from portal.panel import invitations, service
from portal.panel.models import Invitation, MemberStatus
from portal.responses.models import Response, ResponseChannel, ResponseDraft
from portal.responses.service import format_reference
from tests.factories import create_user, sign_in
from tests.journeys import LIVEABILITY_ANSWERS, Respondent, consultation
from tests.test_panel import HEADER, _row

SLUG = "warwickshire-panel-liveability"
OTHER = "bullying-what-parents-think"


def _invite_three() -> dict[str, str]:
    """Three Warwick members, 65 to 74, invited: their codes by reference."""
    service.import_members(
        io.StringIO(HEADER + "".join(_row(f"WP-00{n}") for n in (1, 2, 3))),
        by="flask panel import",
    )
    invitations.invite(consultation(SLUG), None, utcnow())
    return {
        invitation.member.reference: invitation.code
        for invitation in db.session.scalars(sa.select(Invitation))
    }


def _officer(client):
    sign_in(client, create_user())
    return client.get_page(url_for("officer.assisted_start", slug=SLUG))


def _start(client, token: str, code: str, channel: str = "paper"):
    return client.post(
        url_for("officer.assisted_start", slug=SLUG),
        data={"csrf_token": token, "channel": channel, "panel_code": code},
    )


def _key_in(client, token: str) -> None:
    respondent = Respondent(client, SLUG)
    respondent.token = token
    respondent.answer_all(LIVEABILITY_ANSWERS)
    sent = respondent.submit()
    assert sent.status_code == 303, sent.get_data(as_text=True)[:2000]


def _warwick_rate(client) -> str:
    page = client.get_page(url_for("officer.panel_results", slug=SLUG))
    row = page.soup.find(id="rates-district").find("th", string="Warwick").parent
    return row.get_text(" ", strip=True)


def test_a_code_quoted_by_telephone_uses_the_invitation_and_counts(app, client):
    codes = _invite_three()
    page = _officer(client)
    assert "Panel member's code (optional)" in page.text
    token = page.csrf_token()
    assert _warwick_rate(client) == "Warwick 3 0 0.0%"
    assert (
        "No panel member has answered through an invitation yet"
        in client.get_page(url_for("officer.panel_results", slug=SLUG)).text
    )

    # Read out over the telephone: lower case, with a space and a hyphen, is the same code.
    code = codes["WP-002"]
    started = _start(client, token, f" {code[:5].lower()}-{code[5:].lower()} ", "phone")
    assert started.status_code == 303
    assert started.headers["Location"].endswith(
        url_for("public.question_page", slug=SLUG, number=1)
    )
    _key_in(client, token)

    stored = db.session.scalars(sa.select(Response)).one()
    assert stored.channel == ResponseChannel.PHONE and stored.entered_by_id is not None
    assert stored.panel_invited
    assert (stored.profile_district, stored.profile_age_band) == ("warwick", "65_74")
    used = db.session.scalars(sa.select(Invitation).where(Invitation.code == code)).one()
    assert used.responded_at == stored.submitted_at
    # The other members' invitations are untouched.
    unused = sa.select(sa.func.count(Invitation.id)).where(Invitation.responded_at.is_(None))
    assert db.session.scalar(unused) == 2

    assert _warwick_rate(client) == "Warwick 3 1 33.3%"
    results = client.get_page(url_for("officer.panel_results", slug=SLUG))
    assert results.soup.find(id="weighting-summary").text.startswith("1 response")
    assert invitations.counts(consultation(SLUG)).responded == 1


@pytest.mark.parametrize(
    "problem", ["unknown", "another consultation", "already used", "left the panel"]
)
def test_a_code_that_cannot_be_used_is_refused_and_nothing_is_stored(app, client, problem):
    codes = _invite_three()
    if problem == "another consultation":
        invitations.invite(consultation(OTHER), None, utcnow())
        code = db.session.scalars(
            sa.select(Invitation.code).where(Invitation.consultation_id == consultation(OTHER).id)
        ).first()
        expected = "is for another consultation, not this one"
    elif problem == "already used":
        code = codes["WP-001"]
        page = _officer(client)
        assert _start(client, page.csrf_token(), code).status_code == 303
        _key_in(client, page.csrf_token())
        expected = "has already responded to this consultation"
    elif problem == "left the panel":
        code = codes["WP-003"]
        member = service.find_member("WP-003")
        service.leave(member.leave_token, utcnow().date())
        expected = "has left the panel"
    else:
        code = "BCDFG23456"
        expected = "No panel member was invited with the code BCDFG23456"
    if problem != "already used":
        page = _officer(client)
    responses_before = db.session.scalar(sa.select(sa.func.count(Response.id)))
    drafts_before = db.session.scalar(sa.select(sa.func.count(ResponseDraft.id)))

    refused = client.post_page(
        url_for("officer.assisted_start", slug=SLUG),
        data={"csrf_token": page.csrf_token(), "channel": "paper", "panel_code": code},
    )
    assert refused.status == 422
    [message] = refused.error_summary()
    assert expected in message
    field_error = refused.soup.find(id="panel_code-error").get_text(" ", strip=True)
    assert expected in field_error
    assert refused.soup.find(id="panel_code")["value"] == code
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == responses_before
    assert db.session.scalar(sa.select(sa.func.count(ResponseDraft.id))) == drafts_before
    if problem == "left the panel":
        assert service.find_member("WP-003").status == MemberStatus.LEFT


def _keyed_in_while_the_code_was_used(app, client, codes):
    """An officer keys in WP-001's paper form while another officer stores WP-001's: the
    first officer's submission is refused. Returns the refused page and the first draft."""
    page = _officer(client)
    token = page.csrf_token()
    assert _start(client, token, codes["WP-001"]).status_code == 303
    first_draft = db.session.scalars(sa.select(ResponseDraft)).one()
    # A second officer starts on the same member's paper form before the first sends theirs.
    with app.test_client() as other:
        other_page = _officer(other)
        assert _start(other, other_page.csrf_token(), codes["WP-001"]).status_code == 303
        _key_in(other, other_page.csrf_token())
    respondent = Respondent(client, SLUG)
    respondent.token = token
    respondent.answer_all(LIVEABILITY_ANSWERS)
    refused = client.post_page(url_for("public.submit", slug=SLUG), data={"csrf_token": token})
    return refused, first_draft


def _responses() -> int:
    return db.session.scalar(sa.select(sa.func.count(Response.id)))


def test_two_officers_keying_in_the_same_code_store_it_once_and_keep_the_answers(app, client):
    codes = _invite_three()
    refused, first_draft = _keyed_in_while_the_code_was_used(app, client, codes)
    assert refused.status == 409
    assert refused.h1 == "This panel member has already answered"
    assert "The answers you keyed in have not been stored, and have not been lost" in refused.text
    assert "storing this too may count them twice" in refused.text
    buttons = [b.get_text(strip=True) for b in refused.soup.select("form button")]
    assert "Store it without the panel code" in buttons
    assert "Discard the answers keyed in" in buttons
    assert _responses() == 1
    db.session.expire_all()
    kept = db.session.get(ResponseDraft, first_draft.id)
    assert kept.response_id is None and kept.answers  # the typed answers are still there


def test_a_refused_keyed_in_response_is_stored_without_the_code_only_when_chosen(app, client):
    codes = _invite_three()
    refused, _ = _keyed_in_while_the_code_was_used(app, client, codes)
    assert _responses() == 1
    assert _warwick_rate(client) == "Warwick 3 1 33.3%"
    stored = client.post(
        url_for("officer.assisted_store_without_code", slug=SLUG),
        data={"csrf_token": refused.csrf_token()},
    )
    assert stored.status_code == 303
    confirmation = client.get_page(stored.headers["Location"])
    db.session.expire_all()
    assert _responses() == 2
    second = db.session.scalars(sa.select(Response).order_by(Response.id.desc())).first()
    assert format_reference(second.reference) in confirmation.text
    assert second.channel == ResponseChannel.PAPER and not second.panel_invited
    assert second.invitation_id is None
    # The member counts once in the rates; the audit log says why there may be two.
    assert _warwick_rate(client) == "Warwick 3 1 33.3%"
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "stored response without panel code")
    ).one()
    assert entry.subject == f"response:{format_reference(second.reference)}"
    assert "may be counted twice" in entry.detail
    # The code was dropped and that choice audited together, before the response was stored.
    dropped = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.action == "dropped panel code from keyed-in response"
        )
    ).one()
    assert dropped.subject == f"consultation:{SLUG}" and dropped.id < entry.id
    # Sent again (a double click): nothing more is stored.
    again = client.post(
        url_for("officer.assisted_store_without_code", slug=SLUG),
        data={"csrf_token": refused.csrf_token()},
    )
    assert again.status_code == 303 and _responses() == 2


def test_a_refused_keyed_in_response_can_be_discarded(app, client):
    codes = _invite_three()
    refused, first_draft = _keyed_in_while_the_code_was_used(app, client, codes)
    discarded = client.post(
        url_for("officer.assisted_discard", slug=SLUG),
        data={"csrf_token": refused.csrf_token()},
    )
    assert discarded.status_code == 303
    page = client.get_page(discarded.headers["Location"])
    assert "The answers you keyed in were discarded: nothing was stored" in page.text
    assert _responses() == 1
    assert db.session.get(ResponseDraft, first_draft.id) is None
    assert not db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "stored response without panel code")
    ).all()


def test_only_a_draft_whose_code_was_used_can_be_stored_without_it(app, client):
    """A free code is not dropped (the audit would say, falsely, that it had been used);
    a keyed-in draft with no code, or a free one, can still be discarded."""
    codes = _invite_three()
    page = _officer(client)
    token = page.csrf_token()
    for code in ("", codes["WP-001"]):  # keyed in with no code, then with a free one
        assert _start(client, token, code).status_code == 303
        store = url_for("officer.assisted_store_without_code", slug=SLUG)
        assert client.post(store, data={"csrf_token": token}).status_code == 409
        assert client.post(store).status_code == 400  # no CSRF token
        assert _responses() == 0
        drafts = db.session.scalars(sa.select(ResponseDraft)).all()
        assert len(drafts) == 1
        discard = url_for("officer.assisted_discard", slug=SLUG)
        assert client.post(discard, data={"csrf_token": token}).status_code == 303
        assert db.session.scalar(sa.select(sa.func.count(ResponseDraft.id))) == 0
    assert not db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.like("%panel code%"))
    ).all()


def test_no_code_is_asked_for_where_nobody_was_invited(app, client):
    sign_in(client, create_user())
    page = client.get_page(url_for("officer.assisted_start", slug=OTHER))
    assert "Panel member's code" not in page.text


def test_a_paper_panel_response_is_under_both_types_and_the_labels_say_so(app, client):
    codes = _invite_three()
    page = _officer(client)
    assert _start(client, page.csrf_token(), codes["WP-001"]).status_code == 303
    _key_in(client, page.csrf_token())

    for kind, label in [
        ("paper", "Paper copy, keyed in"),
        ("panel", "Panel members (online, or keyed in with their code)"),
    ]:
        results = client.get_page(url_for("officer.results", slug=SLUG, type=kind))
        checkbox = results.soup.select_one(f'input[name="type"][value="{kind}"]')
        assert checkbox.has_attr("checked")
        shown = results.soup.find("label", attrs={"for": checkbox["id"]})
        assert shown.get_text(" ", strip=True).startswith(label)
        total = results.soup.select_one("#total-responses").get_text(" ", strip=True)
        assert total == "1 of 1 response matches these filters", total
