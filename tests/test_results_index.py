"""The results index (portal/reporting/results_index.py): filtered figures counted from its
bitmaps, from SQL, or partly each are the same after any sequence of submissions, corrections,
deletions and index builds; and a built index is what a filtered page reads."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.reporting import comments, crosstab, results_index, results_index_build, timeline
from portal.reporting.filters import Chosen, RespondentType, ResponseFilter
from portal.reporting.models import ResultsIndexChunk
from portal.reporting.response_set import ResponseSet
from portal.reporting.service import matching_responses, question_results
from portal.responses import corrections
from portal.responses.models import Response, ResponseChannel
from portal.schools import service as schools
from portal.schools.models import DistributionChannel, District
from tests.factories import create_school, submit_response
from tests.journeys import consultation
from tests.test_tallies import _answer_rows, _clear, operations

BULLYING = "bullying-what-parents-think"
LIVEABILITY = "warwickshire-panel-liveability"


def _option(found, key: str, value: str) -> Chosen:
    question = next(q for q in found.questions if q.key == key)
    return Chosen(question, next(o for o in question.choices if o.value == value))


def _filters(found, links) -> list[ResponseFilter]:
    """Filters of every kind, alone and together."""
    online = _option(found, "bullying_where", "online")
    journey = _option(found, "bullying_where", "journey")
    yes = _option(found, "bullied_last_year", "yes")
    day = datetime(2026, 3, 29).date()
    return [
        ResponseFilter(answers=(online,)),
        ResponseFilter(answers=(online, journey)),
        ResponseFilter(answers=(online, yes)),
        ResponseFilter(districts=(District.RUGBY,)),
        ResponseFilter(links=tuple(links)),
        ResponseFilter(types=(RespondentType.PAPER, RespondentType.SCHOOL)),
        ResponseFilter(types=(RespondentType.WEBSITE,), answers=(yes,)),
        ResponseFilter(submitted_from=day),
        ResponseFilter(submitted_to=day, districts=(District.WARWICK, District.RUGBY)),
        ResponseFilter(given_districts=(_option(found, "school_district", "rugby"),)),
        ResponseFilter(
            given_districts=(_option(found, "school_district", "warwick"),),
            districts=(District.RUGBY,),
            answers=(yes,),
        ),
    ]


def _everything(found, only: ResponseFilter) -> tuple:
    """Every figure a filter changes, in comparable form, each asked of one ResponseSet as the
    results page asks it; and the total asked of a set of its own."""
    responses = ResponseSet(found.id, only)
    total, results = question_results(found, responses)
    figures = sorted(
        (
            question_id,
            result.answered,
            result.skipped,
            result.comment_count,
            result.other_count,
            tuple((o.option.id, o.count) for o in result.options),
        )
        for question_id, result in results.items()
    )
    days = [
        (d.day, d.total, dict(d.by_channel), d.through_links)
        for d in timeline.daily_counts(found, responses)
    ]
    questions = {q.key: q for q in found.questions}
    table = crosstab.cross_tab(
        questions["bullied_last_year"], questions["bullying_where"], responses
    )
    cross = (
        table.base,
        table.column_totals,
        [(row.base, [cell.count for cell in row.cells]) for row in table.rows],
    )
    page = comments.comment_page(questions["comments"], 1, responses)
    return (
        total,
        matching_responses(found, only),
        figures,
        days,
        cross,
        page.total,
        [c.id for c in page.comments],
    )


@st.composite
def histories(draw: st.DrawFn) -> list[tuple]:
    """The tallies test's submissions, corrections and deletions, each online one perhaps
    through a link, with builds of the index between some of them."""
    steps = []
    for kind, which, answers, channel, hours_ago in draw(operations()):
        if draw(st.integers(min_value=0, max_value=3)) == 0:
            steps.append(("index", which, answers, channel, hours_ago, None))
        # A response to another consultation: erasing it when it is the highest id must not
        # let a later response take its id (tests/test_response_ids.py).
        if draw(st.integers(min_value=0, max_value=3)) == 0:
            steps.append(("elsewhere", which, answers, channel, hours_ago, None))
        steps.append(
            (kind, which, answers, channel, hours_ago, draw(st.sampled_from([None, 0, 1])))
        )
    return steps


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=histories())
# The sequence that once lost a response on SQLite: the highest id (another consultation's)
# erased after an index build, and the next response taking its id inside a built range.
@example(
    steps=[
        ("submit", 0, {}, ResponseChannel.ONLINE, 2, None),
        ("elsewhere", 0, {}, ResponseChannel.ONLINE, 2, None),
        ("index", 0, {}, ResponseChannel.ONLINE, 2, None),
        ("delete", 1, {}, ResponseChannel.ONLINE, 2, None),
        ("submit", 0, {}, ResponseChannel.ONLINE, 1, None),
    ]
)
def test_indexed_figures_equal_sql_figures_after_any_changes(app, monkeypatch, steps):
    # Ranges of 4 ids, so a handful of responses spans several ranges, full and partial.
    monkeypatch.setattr(results_index, "CHUNK", 4)
    _clear()
    db.session.execute(sa.delete(ResultsIndexChunk))
    db.session.commit()
    found = consultation_with_questions(BULLYING)
    # Hypothesis runs every example on one database: the links are made by the first.
    links = db.session.scalars(
        sa.select(DistributionChannel).order_by(DistributionChannel.id)
    ).all() or [
        schools.create_channel(found, create_school()),
        schools.create_channel(found, None, name="Rugby Library", kind="library"),
    ]
    now = datetime(2026, 3, 30, 12, 0)
    for kind, which, answers, channel, hours_ago, link in steps:
        existing = db.session.scalars(sa.select(Response).order_by(Response.id)).all()
        ours = [response for response in existing if response.consultation_id == found.id]
        if kind == "index":
            results_index_build.refresh()
        elif kind == "elsewhere":
            submit_response(LIVEABILITY, {}, now - timedelta(hours=hours_ago))
        elif kind == "submit" or not ours:
            arrived = {"channel": channel}
            if link is not None and channel == ResponseChannel.ONLINE:
                arrived["distribution_channel_id"] = links[link % len(links)].id
            submit_response(BULLYING, answers, now - timedelta(hours=hours_ago), **arrived)
        elif kind == "correct":
            corrections.correct_answers(ours[which % len(ours)], _answer_rows(found, answers))
        else:
            corrections.delete_response(existing[which % len(existing)])
    found = consultation_with_questions(BULLYING)
    filters = _filters(found, links[:1])
    as_built = [_everything(found, only) for only in filters]
    results_index_build.refresh()  # everything covered, nothing left to SQL
    chunks = db.session.scalar(sa.select(sa.func.count()).select_from(ResultsIndexChunk))
    assert chunks or not db.session.scalar(sa.select(sa.func.count(Response.id)))
    all_indexed = [_everything(found, only) for only in filters]
    results_index_build.drop()  # nothing covered: every figure by SQL
    by_sql = [_everything(found, only) for only in filters]
    assert as_built == by_sql
    assert all_indexed == by_sql


def _matching(officer_client, query: str) -> str:
    page = officer_client.get_page(f"/officer/consultations/{BULLYING}/results?{query}")
    assert page.status == 200
    return page.text


def test_the_command_builds_the_index_and_a_filtered_page_reads_it(app, officer_client):
    for where in (["online"], ["online", "at_school"], ["journey"]):
        submit_response(BULLYING, {"bullying_where": {"selected": where}})
    result = app.test_cli_runner().invoke(args=["responses", "index"])
    assert result.exit_code == 0, result.output
    assert "1 ranges built, 0 up to date, 1 consultations" in result.output
    again = app.test_cli_runner().invoke(args=["responses", "index"])
    assert "0 ranges built, 1 up to date" in again.output
    assert "2 of 3 responses match these filters" in _matching(
        officer_client, "answer=bullying_where:online"
    )


def test_an_officer_sees_every_change_whether_indexed_or_not(app, officer_client):
    """Responses sent, corrected and deleted after the last build are counted on the filtered
    page as soon as they are stored, and the same after the next build."""
    for where in (["online"], ["online", "at_school"], ["journey"]):
        submit_response(BULLYING, {"bullying_where": {"selected": where}})
    results_index_build.refresh()
    found = consultation_with_questions(BULLYING)
    newest = submit_response(BULLYING, {"bullying_where": {"selected": ["online"]}})
    first = db.session.scalars(sa.select(Response).order_by(Response.id)).first()
    corrections.correct_answers(
        first, _answer_rows(found, {"bullying_where": {"selected": ["journey"]}})
    )
    expected = "2 of 4 responses match these filters"  # the correction took one, the new added
    assert expected in _matching(officer_client, "answer=bullying_where:online")
    results_index_build.refresh()
    assert expected in _matching(officer_client, "answer=bullying_where:online")
    corrections.delete_response(db.session.get(Response, newest.id))
    assert "1 of 3 responses match these filters" in _matching(
        officer_client, "answer=bullying_where:online"
    )


def test_a_quiet_consultations_range_is_extended_not_rebuilt(app):
    submit_response(BULLYING, {"bullying_where": {"selected": ["online"]}})
    assert results_index_build.refresh()[0].ranges_built == 1
    # Responses to the other consultation take the next ids: the bullying range's end moves
    # on over them without a rebuild, and its figures stay right.
    for _ in range(2):
        submit_response("warwickshire-panel-liveability", {})
    first = db.session.scalars(sa.select(ResultsIndexChunk.built_at)).all()
    refreshed = {r.consultation_id: r for r in results_index_build.refresh()}
    bullying = consultation(BULLYING)
    assert refreshed[bullying.id].ranges_built == 0 and refreshed[bullying.id].ranges_kept == 1
    ranges = db.session.execute(
        sa.select(ResultsIndexChunk.consultation_id, ResultsIndexChunk.end)
    ).all()
    highest = db.session.scalar(sa.select(sa.func.max(Response.id)))
    assert {end for _, end in ranges} == {highest + 1}
    assert first[0] in db.session.scalars(sa.select(ResultsIndexChunk.built_at)).all()
    online = ResponseFilter(answers=(_option(bullying, "bullying_where", "online"),))
    assert results_index.match(bullying.id, online).total() == 1
    # A new bullying response in the range makes it rebuild.
    submit_response(BULLYING, {"bullying_where": {"selected": ["online"]}})
    refreshed = {r.consultation_id: r for r in results_index_build.refresh()}
    assert refreshed[bullying.id].ranges_built == 1
    assert results_index.match(bullying.id, online).total() == 2


def test_a_correction_marks_its_range_stale_until_the_next_build(app):
    first = submit_response(BULLYING, {"bullying_where": {"selected": ["online"]}})
    submit_response(BULLYING, {"bullying_where": {"selected": ["journey"]}})
    results_index_build.refresh()
    found = consultation(BULLYING)
    online = ResponseFilter(answers=(_option(found, "bullying_where", "online"),))
    assert question_results(found, online)[0] == 1
    corrections.correct_answers(
        first, _answer_rows(found, {"bullying_where": {"selected": ["journey"]}})
    )
    assert db.session.scalars(sa.select(ResultsIndexChunk.stale)).all() == [True]
    assert question_results(found, online)[0] == 0
    assert results_index_build.refresh()[0].ranges_built == 1
    assert db.session.scalars(sa.select(ResultsIndexChunk.stale)).all() == [False]
    assert question_results(found, online)[0] == 0


def _open_submission(found) -> tuple[sa.Engine, sa.Connection, sa.Transaction, int]:
    """A paper response inserted on a connection of its own and not yet committed."""
    snapshot_id = db.session.scalar(sa.select(Response.snapshot_id))
    db.session.commit()
    other = sa.create_engine(db.engine.url.render_as_string(hide_password=False))
    connection = other.connect()
    transaction = connection.begin()
    response_id = connection.execute(
        sa.insert(Response.__table__)
        .values(
            consultation_id=found.id,
            snapshot_id=snapshot_id,
            reference="INFLIGHT001",
            submitted_at=datetime(2026, 3, 30, 12),
            channel="paper",
            panel_invited=False,
        )
        .returning(Response.id)
    ).scalar_one()
    return other, connection, transaction, response_id


def test_a_build_waits_for_a_submission_still_in_flight(app, monkeypatch):
    """PostgreSQL hands out a response id before the submission commits, so a later one can
    commit first: the builder must not cover the open id and then miss its response when it
    lands. (SQLite has one writer at a time; the later submission waits its turn.)"""
    monkeypatch.setattr(results_index_build, "SETTLE_TIMEOUT", "5s")
    submit_response(BULLYING, {})
    found = consultation(BULLYING)
    other, connection, transaction, in_flight = _open_submission(found)

    on_postgresql = db.engine.dialect.name == "postgresql"
    writing = threading.Event()

    def note_the_later_write(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO RESPONSE"):
            writing.set()

    def commit_once_waited_for() -> None:
        """Commit the open submission only once something waits for it: on PostgreSQL the
        build's lock request (seen in pg_locks, not granted), on SQLite the later write."""
        if on_postgresql:
            with other.connect() as watcher:
                deadline = time.monotonic() + 30
                while (
                    time.monotonic() < deadline
                    and not watcher.execute(
                        sa.text(
                            "SELECT count(*) FROM pg_locks WHERE NOT granted AND database ="
                            " (SELECT oid FROM pg_database WHERE datname = current_database())"
                        )
                    ).scalar_one()
                ):
                    watcher.rollback()
                    time.sleep(0.01)
        else:
            writing.wait(30)
        transaction.commit()
        connection.close()

    sa.event.listen(db.engine, "before_cursor_execute", note_the_later_write)
    committer = threading.Thread(target=commit_once_waited_for)
    committer.start()
    try:
        later = submit_response(BULLYING, {})
        results_index_build.refresh()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note_the_later_write)
        committer.join()
        other.dispose()
    assert later.id > in_flight
    paper = ResponseFilter(types=(RespondentType.PAPER,))
    if db.engine.dialect.name == "postgresql":
        # The build waited for the open submission, so its range covers it (without the
        # wait it would cover the id with nothing in it, and count 0 for ever).
        assert results_index.match(found.id, paper).total() == 1
    assert question_results(found, paper)[0] == 1


def test_a_build_does_not_hold_up_submissions_for_long(app):
    """A write that keeps the response table for longer than SETTLE_TIMEOUT (0.2 s) makes the
    build give up until its next run, rather than queue residents' submissions behind it."""
    submit_response(BULLYING, {})
    found = consultation(BULLYING)
    other, connection, transaction, in_flight = _open_submission(found)
    try:
        started = time.perf_counter()
        settled = results_index_build._settled_upto()
        waited = time.perf_counter() - started
    finally:
        transaction.commit()
        connection.close()
        other.dispose()
    if db.engine.dialect.name == "postgresql":
        assert settled is None and 0.15 <= waited < 2
    else:  # one writer at a time: the open id is past everything committed
        assert settled is not None and settled < in_flight
    results_index_build.refresh()
    assert results_index.match(found.id, ResponseFilter(types=(RespondentType.PAPER,))).total() == 1


def test_every_app_follows_corrections(app):
    """The index hears of every correction and erasure in any process the factory made (the
    web app and every command), not only where some module happened to import it."""
    from portal.responses.corrections import response_changed

    heard_by = list(response_changed.receivers_for(1))
    assert results_index_build._on_response_changed in heard_by
