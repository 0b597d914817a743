"""The portal's session cookie (portal/sessions.py) is Flask's own, signed the same way: a
respondent part-way through a survey when the portal is deployed keeps their session."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner

from portal.sessions import PortalSessionInterface

SESSION = {"drafts": {"bullying-what-parents-think": "a-token"}, "csrf_token": "abc123"}


SECRET = "test-secret-" + uuid.uuid4().hex


def _app(interface: SecureCookieSessionInterface, secret: str = SECRET) -> Flask:
    app = Flask(__name__)
    app.secret_key = secret
    app.session_interface = interface
    return app


def _cookie(app: Flask, data: dict) -> str:
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return str(serializer.dumps(data))


def _open(app: Flask, cookie: str) -> dict:
    with app.test_request_context(headers={"Cookie": f"session={cookie}"}):
        opened = app.session_interface.open_session(app, request)
        assert opened is not None
        return dict(opened)


def test_the_cookie_is_byte_for_byte_flasks(monkeypatch):
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_800_000_000)
    ours = _cookie(_app(PortalSessionInterface()), SESSION)
    flasks = _cookie(_app(SecureCookieSessionInterface()), SESSION)
    assert ours == flasks
    # Made again from the kept serializer and derived key: still the same.
    assert _cookie(_app(PortalSessionInterface()), SESSION) == flasks


def test_cookies_open_across_the_two(monkeypatch):
    portal, flask_own = _app(PortalSessionInterface()), _app(SecureCookieSessionInterface())
    assert _open(portal, _cookie(flask_own, SESSION)) == SESSION
    assert _open(flask_own, _cookie(portal, SESSION)) == SESSION


def test_a_changed_cookie_or_another_secret_opens_an_empty_session():
    portal = _app(PortalSessionInterface())
    cookie = _cookie(portal, SESSION)
    # A character inside the signature: the last one's low bits are base64 padding, which
    # decoding drops, so changing it alone could leave the signature the same.
    tampered = cookie[:-5] + ("A" if cookie[-5] != "A" else "B") + cookie[-4:]
    assert _open(portal, tampered) == {}
    assert _open(_app(PortalSessionInterface(), secret="another-secret"), cookie) == {}


@pytest.mark.parametrize("interface", [PortalSessionInterface, SecureCookieSessionInterface])
def test_a_cookie_signed_with_a_retired_secret_still_opens(interface):
    old = _cookie(_app(interface(), secret="the-old-secret"), SESSION)
    app = _app(interface(), secret="the-new-secret")
    app.config["SECRET_KEY_FALLBACKS"] = ["the-old-secret"]
    assert _open(app, old) == SESSION
