"""The bare reference the portal is measured against, on the same database and server.

Each handler does the least that the portal's matching page must do:
- POST /insert: store one response and its answers in one transaction (no forms, no CSRF);
- GET /results: one GROUP BY over the consultation's answers, rendered as a plain table padded
  to `?bytes=` (the portal's results page's own size, as the bench measures it at each size);
- GET /results-filtered: the same over the responses that gave one answer;
- GET /page: a bare Jinja page with the same questions and options as the portal's page,
  padded to the same number of bytes.
"""

from __future__ import annotations

import os
import random
import secrets
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, render_template_string, request

from portal.config import normalise_database_url

# No pre-ping: the portal does not pre-ping either (it checks a pooled connection's socket).
engine = sa.create_engine(normalise_database_url(os.environ["DATABASE_URL"]))
metadata = sa.MetaData()
metadata.reflect(engine, only=["response", "answer", "question", "option", "consultation"])
response_table = metadata.tables["response"]
answer_table = metadata.tables["answer"]

SLUG = os.environ.get("BENCH_SLUG", "bullying-what-parents-think")
PAGE_BYTES = int(os.environ.get("BENCH_PAGE_BYTES", "0"))
PAGE_POSITION = int(os.environ.get("BENCH_PAGE_POSITION", "7"))

with engine.connect() as connection:
    consultation_id, snapshot_id = connection.execute(
        sa.text(
            "SELECT c.id, s.id FROM consultation c JOIN consultation_snapshot s "
            "ON s.consultation_id = c.id WHERE c.slug = :slug ORDER BY s.id LIMIT 1"
        ),
        {"slug": SLUG},
    ).one()
    choice_options = connection.execute(
        sa.text(
            "SELECT q.id, o.id FROM question q JOIN option o ON o.question_id = q.id "
            "WHERE q.consultation_id = :c ORDER BY q.id, o.position"
        ),
        {"c": consultation_id},
    ).all()
    page_questions = connection.execute(
        sa.text(
            "SELECT q.key, q.text, o.value, o.label FROM question q JOIN page p ON p.id = q.page_id "
            "JOIN option o ON o.question_id = q.id WHERE q.consultation_id = :c "
            "AND p.position = :position ORDER BY q.position, o.position"
        ),
        {"c": consultation_id, "position": PAGE_POSITION},
    ).all()

options_by_question: dict[int, list[int]] = {}
for question_id, option_id in choice_options:
    options_by_question.setdefault(question_id, []).append(option_id)

PAGE_TEMPLATE = """<!DOCTYPE html><html lang="en"><head><title>Reference</title></head><body><main>
<form method="post">{% for key, text, value, label in rows %}
<div class="govuk-radios__item"><input class="govuk-radios__input" id="{{ key }}-{{ loop.index }}" name="{{ key }}" type="radio" value="{{ value }}"><label class="govuk-label govuk-radios__label" for="{{ key }}-{{ loop.index }}">{{ label }}</label></div>{% endfor %}
<button type="submit">Continue</button></form>{{ padding }}</main></body></html>"""
RESULTS_TEMPLATE = """<!DOCTYPE html><html lang="en"><head><title>Results</title></head><body><table>
{% for question_id, option_id, count in rows %}<tr><td>{{ question_id }}</td><td>{{ option_id }}</td><td>{{ count }}</td></tr>{% endfor %}
</table></body></html>"""

app = Flask(__name__)
_unpadded = len(
    app.jinja_env.from_string(PAGE_TEMPLATE).render(rows=page_questions, padding="").encode()
)
PADDING = " " * max(0, PAGE_BYTES - _unpadded)


@app.post("/insert")
def insert() -> tuple[str, int]:
    request.form  # parse the body, as the portal does  # noqa: B018
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        response_id = connection.execute(
            sa.insert(response_table)
            .values(
                consultation_id=consultation_id,
                snapshot_id=snapshot_id,
                reference=secrets.token_hex(5).upper(),
                submitted_at=now,
            )
            .returning(response_table.c.id)
        ).scalar_one()
        rows = [
            {
                "response_id": response_id,
                "question_id": q,
                "option_id": random.choice(opts),
                "text": None,
            }
            for q, opts in options_by_question.items()
        ]
        connection.execute(sa.insert(answer_table), rows)
    return "stored", 200


def _results_page(rows: list[Any]) -> str:
    """The rows as a bare Jinja table, padded to the portal's page size (`?bytes=`), so the
    reference pays for the bytes the portal sends as well as for its GROUP BY: rendered once,
    the padding put before the closing tags."""
    page = render_template_string(RESULTS_TEMPLATE, rows=rows, padding="")
    missing = request.args.get("bytes", 0, type=int) - len(page.encode())
    if missing > 0:
        closing = "</body></html>"
        page = page[: -len(closing)] + " " * missing + closing
    return page


@app.get("/results")
def results() -> str:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(answer_table.c.question_id, answer_table.c.option_id, sa.func.count())
            .where(answer_table.c.question_id.in_(list(options_by_question)))
            .group_by(answer_table.c.question_id, answer_table.c.option_id)
        ).all()
    return _results_page(rows)


@app.get("/results-filtered")
def results_filtered() -> str:
    """The same GROUP BY over the answers of the responses that gave one answer (the first
    option of the first choice question), the filter the portal's filtered case uses."""
    question_id = next(iter(options_by_question))
    option_id = options_by_question[question_id][0]
    chosen = sa.select(answer_table.c.response_id).where(
        answer_table.c.question_id == question_id, answer_table.c.option_id == option_id
    )
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(answer_table.c.question_id, answer_table.c.option_id, sa.func.count())
            .where(
                answer_table.c.question_id.in_(list(options_by_question)),
                answer_table.c.response_id.in_(chosen),
            )
            .group_by(answer_table.c.question_id, answer_table.c.option_id)
        ).all()
    return _results_page(rows)


@app.get("/page")
def page() -> str:
    return render_template_string(PAGE_TEMPLATE, rows=page_questions, padding=PADDING)
