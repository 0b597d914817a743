"""`make load`: no response is lost under load, nor when PostgreSQL restarts mid-run.

Two runs, each on a fresh PostgreSQL database with the portal served by gunicorn on 127.0.0.1:
  1. steady: `--clients` concurrent respondents complete `--submissions` whole journeys (start
     page, every question page, check answers, "Accept and send", confirmation), CSRF and all;
  2. restart: the same, with PostgreSQL restarted (`--restart-command`) once a third of the
     submissions are in.
A respondent who gets the "service is busy" page (503) waits a second and sends the same page
again, as the page tells them to; their earlier answers must still be in their draft.

Then the database is checked: exactly one stored response for every confirmation shown (by
reference), none without a confirmation, no response without its answers, no claimed draft
without its response, and every running tally equal to a fresh GROUP BY. Not part of
`make test`; writes bench/load-results.md. See docs/reliability.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shlex
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bench.run import (
    ROOT,
    SLUG,
    Client,
    Server,
    consultation_shape,
    fresh_database,
    page_form,
    prepare,
)

REFERENCE = re.compile(r'class="app-reference">([A-Z0-9]{5})-([A-Z0-9]{5})<')
BUSY = "Sorry, the service is busy"
RETRY_WAIT_SECONDS = 1.0
MAX_TRIES = 120  # two minutes of "busy" before a respondent gives up


@dataclass
class Tally:
    """What the respondents saw, across every client thread."""

    confirmed: list[str] = field(default_factory=list)  # references shown on confirmation
    gave_up: int = 0
    busy_pages: int = 0  # 503 "try again" pages shown
    resent_after_busy: int = 0  # steps that succeeded when sent again after a busy page
    statuses: Counter[int] = field(default_factory=Counter)  # every unexpected status
    connection_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _send(client: Client, tally: Tally, method: str, path: str, form: dict | None) -> int:
    """One step of a journey, sent again after a busy page or a dropped connection."""
    busy_before = False
    for _ in range(MAX_TRIES):
        try:
            status, text = client.request(method, path, form)
        except (OSError, http.client.HTTPException):
            with tally.lock:
                tally.connection_errors += 1
            client.connection.close()
            time.sleep(RETRY_WAIT_SECONDS)
            continue
        if status == 503 and BUSY in text:
            with tally.lock:
                tally.busy_pages += 1
            busy_before = True
            time.sleep(RETRY_WAIT_SECONDS)
            continue
        if busy_before:
            with tally.lock:
                tally.resent_after_busy += 1
        if status not in (200, 303):
            with tally.lock:
                tally.statuses[status] += 1
        client.last_text = text  # type: ignore[attr-defined]
        return status
    return 0


def journey(port: int, shape: list[list[dict]], tally: Tally) -> None:
    client = Client(port)
    start = f"/consultations/{SLUG}"
    if _send(client, tally, "GET", start, None) != 200:
        raise RuntimeError("the start page did not load")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.last_text)  # type: ignore[attr-defined]
    assert token is not None
    csrf = token.group(1)
    steps: list[tuple[str, dict]] = [(f"{start}/start", {"csrf_token": csrf})]
    steps += [
        (f"{start}/pages/{number}", page_form(page, csrf))
        for number, page in enumerate(shape, start=1)
    ]
    steps.append((f"{start}/check-answers", {"csrf_token": csrf}))
    for path, form in steps:
        if _send(client, tally, "POST", path, form) != 303:
            with tally.lock:
                tally.gave_up += 1
            return
    if _send(client, tally, "GET", f"{start}/confirmation", None) != 200:
        with tally.lock:
            tally.gave_up += 1
        return
    found = REFERENCE.search(client.last_text)  # type: ignore[attr-defined]
    with tally.lock:
        if found:
            tally.confirmed.append(found.group(1) + found.group(2))
        else:
            tally.gave_up += 1


def run(
    port: int,
    shape: list[list[dict]],
    clients: int,
    submissions: int,
    restart: tuple[str, int] | None,
) -> tuple[Tally, float, float | None]:
    """`clients` threads share `submissions` journeys. With `restart` (a command, and after how
    many confirmations), PostgreSQL is restarted once mid-run. Returns what was seen, the
    seconds taken, and how long the restart command took."""
    tally = Tally()
    remaining = iter(range(submissions))
    take = threading.Lock()

    def work() -> None:
        while True:
            with take:
                if next(remaining, None) is None:
                    return
            journey(port, shape, tally)

    restart_seconds: list[float] = []

    def restarter(command: str, after: int) -> None:
        while len(tally.confirmed) < after:
            time.sleep(0.05)
        started = time.perf_counter()
        subprocess.run(shlex.split(command), check=True)
        restart_seconds.append(time.perf_counter() - started)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    if restart:
        threads.append(threading.Thread(target=restarter, args=restart))
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - started, (restart_seconds or [None])[0]


@dataclass
class Stored:
    responses: int
    confirmed_and_stored: int
    stored_not_confirmed: int
    confirmed_not_stored: int
    duplicated_references: int
    without_answers: int
    claimed_drafts_without_response: int
    tallies_equal: bool


def check(database_url: str, confirmed: list[str]) -> Stored:
    from portal import create_app
    from portal.extensions import db
    from portal.responses import tallies
    from portal.responses.models import Answer, Response, ResponseDraft

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "load"})
    with app.app_context():
        references = set(db.session.scalars(sa.select(Response.reference)))
        without_answers = db.session.scalar(
            sa.select(sa.func.count(Response.id)).where(
                ~sa.exists().where(Answer.response_id == Response.id)
            )
        )
        orphans = db.session.scalar(
            sa.select(sa.func.count(ResponseDraft.id))
            .outerjoin(Response, Response.id == ResponseDraft.response_id)
            .where(ResponseDraft.response_id.is_not(None), Response.id.is_(None))
        )
        equal = tallies.fresh_counts() == tallies.stored_counts()
        db.engine.dispose()
    shown = set(confirmed)
    return Stored(
        responses=len(references),
        confirmed_and_stored=len(shown & references),
        stored_not_confirmed=len(references - shown),
        confirmed_not_stored=len(shown - references),
        duplicated_references=len(confirmed) - len(shown),
        without_answers=without_answers or 0,
        claimed_drafts_without_response=orphans or 0,
        tallies_equal=equal,
    )


def report_lines(
    name: str,
    submissions: int,
    tally: Tally,
    seconds: float,
    stored: Stored,
    restart_seconds: float | None,
) -> list[str]:
    lost = stored.confirmed_not_stored + (submissions - len(tally.confirmed))
    lines = [
        f"### {name}",
        "",
        "| figure | value |",
        "|---|---|",
        f"| journeys started | {submissions:,} |",
        f"| confirmations shown | {len(tally.confirmed):,} |",
        f"| responses stored | {stored.responses:,} |",
        f"| confirmed and stored (by reference) | {stored.confirmed_and_stored:,} |",
        f"| stored without a confirmation | {stored.stored_not_confirmed} |",
        f"| confirmed but not stored | {stored.confirmed_not_stored} |",
        f"| same reference shown twice | {stored.duplicated_references} |",
        f"| responses without their answers | {stored.without_answers} |",
        f"| sent drafts without their response | {stored.claimed_drafts_without_response} |",
        f"| running tallies equal a fresh GROUP BY | {'yes' if stored.tallies_equal else 'NO'} |",
        f"| respondents who gave up | {tally.gave_up} |",
        f'| "service is busy, try again" pages shown | {tally.busy_pages:,} |',
        f"| steps sent again after one and then accepted | {tally.resent_after_busy:,} |",
        f"| dropped connections, sent again | {tally.connection_errors:,} |",
        f"| other statuses (not 200/303/503) | {dict(tally.statuses) or 'none'} |",
        f"| time | {seconds:.1f} s ({len(tally.confirmed) / seconds:.1f} submissions/s, "
        f"{len(tally.confirmed) * 13 / seconds:.0f} requests/s) |",
    ]
    if restart_seconds is not None:
        lines.append(f"| PostgreSQL restart took | {restart_seconds:.1f} s |")
    lines += ["", f"**Lost responses: {lost}.**", ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--restart-command",
        default=os.environ.get(
            "BENCH_RESTART_COMMAND",
            "pg_ctlcluster --skip-systemctl-redirect 15 main restart -m fast",
        ),
        help="how to restart the PostgreSQL server mid-run",
    )
    parser.add_argument("--runs", default="steady,restart")
    parser.add_argument("--output", default=str(ROOT / "bench" / "load-results.md"))
    args = parser.parse_args()

    lines = [
        "# Load and fault results",
        "",
        f"`python -m bench.load` on {time.strftime('%Y-%m-%d %H:%M')}: {args.clients} concurrent "
        f"respondents, {args.submissions:,} whole journeys per run, gunicorn {args.workers} "
        f"workers x {args.threads} threads, PostgreSQL on the same machine "
        f"({os.cpu_count()} cores shared by clients, servers and database).",
        "",
    ]
    ok = True
    for name in args.runs.split(","):
        database_url = fresh_database("postgresql", args.postgres_url)
        prepare(database_url)
        shape = consultation_shape(database_url)
        server = Server("wsgi:app", database_url, args.workers, args.threads, {})
        try:
            restart = (args.restart_command, args.submissions // 3) if name == "restart" else None
            tally, seconds, restart_seconds = run(
                server.port, shape, args.clients, args.submissions, restart
            )
        finally:
            server.stop()
        stored = check(database_url, tally.confirmed)
        title = (
            "Steady load"
            if name == "steady"
            else "PostgreSQL restarted after a third of the submissions"
        )
        block = report_lines(title, args.submissions, tally, seconds, stored, restart_seconds)
        print("\n".join(block), flush=True)
        lines += block
        ok = ok and stored.responses == args.submissions == stored.confirmed_and_stored
        ok = ok and stored.tallies_equal and not stored.without_answers
    Path(args.output).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.output}; {'every response kept' if ok else 'RESPONSES LOST OR WRONG'}")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
