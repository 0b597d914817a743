"""The session cookie is Flask's own (SecureCookieSessionInterface, as it comes). A respondent
part-way through a survey when the portal is deployed keeps their session: cookies signed by
the portal's former interface of its own (HMAC-SHA1 through hashlib, Flask's key derivation)
are signed exactly as Flask signs them, so they still open."""

from __future__ import annotations

import hashlib

from flask import url_for
from flask.json.tag import TaggedJSONSerializer
from itsdangerous import URLSafeTimedSerializer

from tests.journeys import BULLYING_ANSWERS, Respondent

BULLYING = "bullying-what-parents-think"


def _signed_as_before(secret: str, session: dict) -> str:
    """The cookie the former portal/sessions.py wrote for this session."""
    serializer = URLSafeTimedSerializer(
        secret,
        salt="cookie-session",
        serializer=TaggedJSONSerializer(),
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    return str(serializer.dumps(session))


def _session_of(app, cookie: str) -> dict:
    with app.test_request_context(headers={"Cookie": f"session={cookie}"}):
        from flask import request

        opened = app.session_interface.open_session(app, request)
        assert opened is not None
        return dict(opened)


def test_a_respondent_with_a_cookie_signed_before_the_change_carries_on(app, client):
    respondent = Respondent(client, BULLYING)
    respondent.start()
    respondent.answer(1, BULLYING_ANSWERS[0])
    session = _session_of(app, client.get_cookie("session").value)
    assert session["drafts"]  # the respondent's draft, by its token

    client.set_cookie("session", _signed_as_before(app.secret_key, session))
    page = client.get_page(url_for("public.question_page", slug=BULLYING, number=2))
    assert page.status == 200  # their draft found: not sent back to the start
    assert "Page 2 of" in page.text


def test_a_changed_cookie_opens_an_empty_session(app, client):
    cookie = _signed_as_before(app.secret_key, {"drafts": {BULLYING: "a-token"}})
    # A character inside the signature: the last one's low bits are base64 padding, which
    # decoding drops, so changing it alone could leave the signature the same.
    tampered = cookie[:-5] + ("A" if cookie[-5] != "A" else "B") + cookie[-4:]
    assert _session_of(app, tampered) == {}
    assert _session_of(app, cookie) == {"drafts": {BULLYING: "a-token"}}


def test_a_cookie_signed_with_a_retired_secret_still_opens(app, monkeypatch):
    old = _signed_as_before("the-old-secret", {"drafts": {BULLYING: "a-token"}})
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", ["the-old-secret"])
    assert _session_of(app, old) == {"drafts": {BULLYING: "a-token"}}
