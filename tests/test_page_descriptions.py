"""Every page has a meta description: the service's one line, or a consultation's summary on
its start page, escaped and cut at a word."""

from __future__ import annotations

from flask import url_for

from portal.extensions import db
from tests.journeys import consultation

BULLYING = "bullying-what-parents-think"


def _description(page) -> str:
    (meta,) = page.soup.select("head meta[name=description]")
    return meta["content"]


def test_pages_without_their_own_give_the_services_line(app, client):
    for url in (url_for("public.index"), url_for("public.privacy_index")):
        page = client.get_page(url)
        assert _description(page) == app.config["SERVICE_DESCRIPTION"]
    assert "Warwickshire County Council's consultations" in app.config["SERVICE_DESCRIPTION"]


def test_a_start_page_gives_its_summary_escaped(client):
    found = consultation(BULLYING)
    found.summary = 'Tell us about "bullying" & <b>schools</b>.\n\nIt takes 10 minutes.'
    db.session.commit()
    page = client.get_page(url_for("public.start", slug=BULLYING))
    assert _description(page) == ('Tell us about "bullying" & <b>schools</b>. It takes 10 minutes.')
    # In the HTML itself the markup is escaped: nothing in the summary can end the attribute.
    assert (
        'content="Tell us about &#34;bullying&#34; &amp; &lt;b&gt;schools&lt;/b&gt;.' in page.html
    )


def test_a_long_summary_is_cut_at_a_word(client):
    found = consultation(BULLYING)
    found.summary = " ".join(["consultation"] * 40)  # 519 characters
    db.session.commit()
    description = _description(client.get_page(url_for("public.start", slug=BULLYING)))
    assert len(description) <= 160
    assert description.endswith("consultation…")
    assert description == " ".join(["consultation"] * 12) + "…"
