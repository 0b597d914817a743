"""Free-text analysis: search, themes with counts, and comments quoted (redacted) for the public."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.audit import AuditEntry
from portal.comments.models import CommentTag, QuotableComment, Theme
from portal.extensions import db
from portal.responses.models import Answer, ResponseChannel
from tests.factories import chose, submit_response

# Every figure here is checked counted by SQL and from the results index (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("counted")

BULLYING = "bullying-what-parents-think"
WORDS = [
    "Messages on Snapchat every night",
    "The bus home is where it happens",
    "SNAPCHAT again, and Instagram",
    "Teachers were brilliant <b>thank you</b>",
    "100% of the time it is online",
]


def _comment_id(text: str) -> int:
    return db.session.scalars(sa.select(Answer.id).where(Answer.text == text)).one()


@pytest.fixture
def commented(app):
    for words in WORDS:
        submit_response(BULLYING, {"comments": {"text": words}})
    return {words: _comment_id(words) for words in WORDS}


def _comments_url(**args):
    return url_for("officer.comments", slug=BULLYING, key="comments", **args)


def _listed(page) -> list[str]:
    return [p.get_text(strip=True) for p in page.soup.select(".app-comment .app-answer")]


def test_search_is_case_insensitive_and_takes_wildcards_literally(commented, officer_client):
    page = officer_client.get_page(_comments_url(q="snapchat"))
    assert _listed(page) == ["SNAPCHAT again, and Instagram", "Messages on Snapchat every night"]
    assert "Comments (2 found)" in page.text
    assert _listed(officer_client.get_page(_comments_url(q="100%"))) == [WORDS[4]]
    assert _listed(officer_client.get_page(_comments_url(q="%"))) == [WORDS[4]]
    assert "No comments match." in officer_client.get_page(_comments_url(q="zebra")).text
    # Typed markup is shown as text, never run.
    everything = officer_client.get_page(_comments_url())
    assert (
        "<b>thank you</b>"
        in everything.soup.select_one(f"#comment-{commented[WORDS[3]]}").get_text()
    )


def _add_theme(client, name: str):
    page = client.get_page(_comments_url())
    return client.post(
        url_for("officer.add_theme", slug=BULLYING, key="comments"),
        data={"name": name, "description": "", "csrf_token": page.csrf_token()},
    )


def _tag(client, answer_id: int, *theme_ids: int, **args):
    page = client.get_page(_comments_url())
    return client.post(
        url_for("officer.tag_comment", slug=BULLYING, key="comments", answer_id=answer_id, **args),
        data={"themes": [str(t) for t in theme_ids], "csrf_token": page.csrf_token()},
        **({"headers": {"HX-Request": "true"}} if args.pop("htmx", False) else {}),
    )


def test_themes_are_added_tagged_counted_and_audited(commented, officer_client):
    assert _add_theme(officer_client, "  Online   bullying ").status_code == 303
    _add_theme(officer_client, "Journey to school")
    refused = officer_client.get_page(
        _add_theme(officer_client, "online bullying").headers["Location"]
    )
    assert "There is already a theme called \u201conline bullying\u201d" in refused.text
    online, journey = db.session.scalars(sa.select(Theme).order_by(Theme.id)).all()
    assert online.name == "Online bullying"

    response = _tag(officer_client, commented[WORDS[0]], online.id, q="snap")
    assert response.status_code == 303
    assert "q=snap" in response.headers["Location"]  # back to the same search
    assert response.headers["Location"].endswith(f"#comment-{commented[WORDS[0]]}")
    _tag(officer_client, commented[WORDS[2]], online.id, journey.id)
    _tag(officer_client, commented[WORDS[1]], journey.id)
    _tag(officer_client, commented[WORDS[2]], online.id)  # the set replaces: journey removed
    tags = db.session.execute(sa.select(CommentTag.answer_id, CommentTag.theme_id)).all()
    assert sorted(tags) == sorted(
        [
            (commented[WORDS[0]], online.id),
            (commented[WORDS[2]], online.id),
            (commented[WORDS[1]], journey.id),
        ]
    )
    tag = db.session.scalars(sa.select(CommentTag)).first()
    assert tag.tagged_by_email.endswith("@council.example") and tag.tagged_at is not None
    trail = db.session.execute(
        sa.select(AuditEntry.action, AuditEntry.detail)
        .where(AuditEntry.subject == f"comment:{commented[WORDS[2]]}")
        .order_by(AuditEntry.id)
    ).all()
    assert trail == [
        ("tagged a comment", "Online bullying"),
        ("tagged a comment", "Journey to school"),
        ("untagged a comment", "Journey to school"),
    ]

    # Counts per theme beside the question's results, and the theme narrows the comments.
    results = officer_client.get_page(url_for("officer.results", slug=BULLYING))
    counts = results.soup.select_one(".app-theme-counts")
    assert [row.get_text(" ", strip=True) for row in counts.select("tbody tr")] == [
        "Online bullying 2",
        "Journey to school 1",
    ]
    narrowed = officer_client.get_page(_comments_url(theme=online.id))
    assert _listed(narrowed) == [WORDS[2], WORDS[0]]


def test_tagging_in_place_with_htmx_returns_the_comment(commented, officer_client):
    _add_theme(officer_client, "Praise")
    praise = db.session.scalars(sa.select(Theme)).one()
    answer_id = commented[WORDS[3]]
    response = officer_client.post(
        url_for("officer.tag_comment", slug=BULLYING, key="comments", answer_id=answer_id),
        data={
            "themes": [str(praise.id)],
            "csrf_token": officer_client.get_page(_comments_url()).csrf_token(),
        },
        headers={"HX-Request": "true"},
        follow_redirects=True,
    )
    assert f'id="comment-{answer_id}"' in response.get_data(as_text=True)
    assert "app-theme-tag" in response.get_data(as_text=True)


def test_a_comment_is_quoted_redacted_and_withdrawn(commented, officer_client):
    answer_id = commented[WORDS[1]]
    url = url_for("officer.quote_comment", slug=BULLYING, key="comments", answer_id=answer_id)
    page = officer_client.get_page(url)
    assert page.soup.select_one("#original-comment").get_text(strip=True) == WORDS[1]
    assert page.soup.select_one("textarea").get_text() == WORDS[1]
    empty = officer_client.post_page(url, {"text": "  ", "csrf_token": page.csrf_token()})
    assert empty.status == 422
    assert empty.error_summary() == ["Enter the words to publish"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuotableComment)) == 0

    done = officer_client.post(
        url,
        data={
            "text": "The [route removed] bus home is where it happens",
            "csrf_token": page.csrf_token(),
        },
    )
    assert done.status_code == 303
    quote = db.session.get(QuotableComment, answer_id)
    assert quote.redacted and quote.text == "The [route removed] bus home is where it happens"
    assert db.session.get(Answer, answer_id).text == WORDS[1]  # the respondent's words kept
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.subject == f"comment:{answer_id}")
    ).one()
    assert (entry.action, entry.detail) == ("marked a comment quotable", "redacted by the officer")
    listed = officer_client.get_page(_comments_url())
    assert "Quotable" in listed.soup.select_one(f"#comment-{answer_id}").get_text()

    withdraw = url_for("officer.withdraw_quote", slug=BULLYING, key="comments", answer_id=answer_id)
    assert officer_client.post(withdraw, data={"csrf_token": page.csrf_token()}).status_code == 303
    assert db.session.get(QuotableComment, answer_id) is None


def test_another_questions_answer_is_not_a_comment_here(app, officer_client):
    response = submit_response(BULLYING, {"bullied_last_year": chose("yes")})
    chosen = db.session.scalars(
        sa.select(Answer.id).where(Answer.response_id == response.id, Answer.option_id.is_not(None))
    ).first()
    url = url_for("officer.quote_comment", slug=BULLYING, key="comments", answer_id=chosen)
    assert officer_client.get(url).status_code == 404


def test_comments_follow_the_results_filters(app, officer_client):
    submit_response(BULLYING, {"comments": {"text": "On paper"}}, channel=ResponseChannel.PAPER)
    submit_response(BULLYING, {"comments": {"text": "Online"}})
    page = officer_client.get_page(_comments_url(type="paper"))
    assert _listed(page) == ["On paper"]
    assert "Comments from responses that match the results filters" in page.text
