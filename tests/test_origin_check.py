"""Forms sent over HTTPS without a Referer header (stripped by a browser setting or a privacy
tool) are accepted; forms from another site are refused, by their Origin or their Referer.

Before: Flask-WTF's HTTPS check refused every POST without a Referer (400), so such a parent
could not answer at all.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.extensions import db
from portal.responses.models import ResponseDraft

SLUG = "bullying-what-parents-think"
SITE = "https://localhost"


def _start(client, **headers: str):
    page = client.get_page(url_for("public.start", slug=SLUG), base_url=SITE)
    return client.post(
        url_for("public.begin", slug=SLUG),
        data={"csrf_token": page.csrf_token()},
        base_url=SITE,
        headers=headers,
    )


def _drafts() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ResponseDraft))


@pytest.mark.parametrize(
    "headers",
    [
        {},  # neither header: a privacy tool stripped the Referer, an old browser no Origin
        {"Origin": SITE},
        {"Referer": f"{SITE}/consultations/{SLUG}"},
        {"Origin": "null"},  # an opaque origin tells nothing; the token still decides
    ],
    ids=["no referer", "same origin", "same-site referer", "null origin"],
)
def test_a_form_from_this_site_is_accepted_over_https_with_or_without_a_referer(client, headers):
    response = _start(client, **headers)
    assert response.status_code == 303
    assert _drafts() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "http://localhost"},  # the same host without TLS is another origin
        {"Referer": "https://evil.example/page"},
        {"Origin": "https://evil.example", "Referer": f"{SITE}/consultations/{SLUG}"},
    ],
    ids=["other origin", "plain http", "other referer", "other origin, own referer"],
)
def test_a_form_from_another_site_is_refused_and_changes_nothing(client, headers):
    response = _start(client, **headers)
    assert response.status_code == 400
    assert "Sorry, your form could not be sent" in response.get_data(as_text=True)
    assert _drafts() == 0
