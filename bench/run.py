"""`make bench`: the portal against a bare reference, on SQLite and PostgreSQL.

For each database: a fresh database is migrated and seeded; N synthetic responses are added
through a bulk path (N grows 1,000 -> 10,000 -> 100,000 by default); the portal and the bare
reference (bench/reference_app.py) are served by gunicorn on 127.0.0.1; concurrent clients
measure, for each N:
  (a) submissions: the final "Accept and send" POST of real journeys (CSRF included), and whole
      journeys (start page to confirmation, 13 requests), against the reference's bare insert;
  (b) the officer results page against the reference's single GROUP BY rendered as a bare Jinja
      table padded to the results page's own size, unfiltered (read from the running tallies)
      and filtered to one answer (from the results index, built after each bulk load as the
      every-minute job would), and the officer dashboard;
  (c) a question page against a bare Jinja page of the same size.
Every figure is also a ratio to its reference from the same run. Benchmarks report; they never
fail on a time. Output: a table on stdout and bench/results.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SLUG = "bullying-what-parents-think"
OFFICER_EMAIL = "bench.officer@council.example"
OFFICER_PASSWORD = "bench-password-" + secrets.token_hex(4)
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
# The page of four agreement scales (24 radios), shown to every respondent: page 7 until the
# seeded survey's routing (issue 25) put the pages only some parents see before it, and routed
# page 7 out for a journey that has answered nothing.
BIGGEST_PAGE = 11
# Its own database name (and SQLite file), so two worktrees can measure on one server at once.
DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "portal_bench")


# --- HTTP ------------------------------------------------------------------------------------


class Client:
    """One keep-alive connection with the session cookie, like one browser tab."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookie: str | None = None

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # The server closed an idle keep-alive connection: reconnect once, as browsers do.
            self.connection.close()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        text = response.read().decode()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, text

    def token(self, path: str) -> str:
        status, text = self.request("GET", path)
        match = CSRF.search(text)
        if not match:
            raise RuntimeError(f"no CSRF token on {path} ({status})")
        return match.group(1)


@dataclass
class Measure:
    name: str
    count: int
    seconds: float
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000


def run_clients(
    name: str,
    clients: int,
    per_client: int,
    setup: Callable[[], object],
    step: Callable[[object], None],
) -> Measure:
    """`clients` threads each set up once, then time `per_client` steps."""
    states = [setup() for _ in range(clients)]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)
    errors: list[BaseException] = []

    def work(index: int) -> None:
        barrier.wait()
        try:
            for _ in range(per_client):
                started = time.perf_counter()
                step(states[index])
                latencies[index].append(time.perf_counter() - started)
        except BaseException as error:  # reported after the run
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{name}: {errors[0]!r}")
    flat = [x for per in latencies for x in per]
    return Measure(name, len(flat), elapsed, flat)


def merged(name: str, parts: list[Measure]) -> Measure:
    return Measure(
        name,
        sum(part.count for part in parts),
        sum(part.seconds for part in parts),
        [latency for part in parts for latency in part.latencies],
    )


@dataclass
class Pair:
    """A case and its reference, measured in alternating rounds."""

    ours: Measure
    reference: Measure
    ratios: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)


def measure_pair(
    names: tuple[str, str],
    clients: int,
    per_client: int,
    rounds: int,
    ours: tuple[Callable[[], object], Callable[[object], None]],
    reference: tuple[Callable[[], object], Callable[[object], None]],
) -> Pair:
    """The case and its reference in alternating rounds (ours first, then the reference first,
    and so on), so that the machine's drift falls on both alike: measured one after the other,
    once each, the same code's ratio moved by +-0.1 between runs on this 2-core machine (the
    reference Jinja page alone from 740 to 1,085 requests/s). The ratio is the median of the
    rounds' ratios; the throughput and latencies are over all rounds.

    Each side first serves half a round untimed, as a running server has: otherwise the first
    round measured the portal's processes compiling the page's templates and filling their
    caches (its question page at 300 requests/s in a first round against 400-530 after)."""
    each = max(1, per_client // rounds)
    for setup, step in (ours, reference):
        run_clients("warm-up", clients, max(1, each // 2), setup, step)
    ours_parts: list[Measure] = []
    reference_parts: list[Measure] = []
    ratios: list[float] = []
    for number in range(rounds):
        order = [(ours, ours_parts, names[0]), (reference, reference_parts, names[1])]
        if number % 2:
            order.reverse()
        for (setup, step), parts, name in order:
            parts.append(run_clients(name, clients, each, setup, step))
        ratios.append(ours_parts[-1].per_second / reference_parts[-1].per_second)
    return Pair(merged(names[0], ours_parts), merged(names[1], reference_parts), ratios)


# --- Databases and servers ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_database(kind: str, admin_url: str) -> str:
    OUT.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        path = OUT / f"{DATABASE_NAME}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE_NAME} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE_NAME}")
    return admin_url.rsplit("/", 1)[0] + f"/{DATABASE_NAME}"


def prepare(database_url: str) -> None:
    """Migrate, seed, create the officer, and freeze the consultation's snapshot."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.accounts.service import create_user
    from portal.clock import uk_today
    from portal.consultations.seed import seed_consultations
    from portal.consultations.service import consultation_with_questions, current_snapshot
    from portal.extensions import db
    from portal.strategy.seed import seed_strategy

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        seed_strategy()
        seed_consultations(uk_today(), open_now=True)
        create_user(OFFICER_EMAIL, OFFICER_PASSWORD, "officer")
        consultation = consultation_with_questions(SLUG)
        assert consultation is not None
        current_snapshot(consultation)
        db.session.commit()
        db.engine.dispose()


def kept_database(kind: str, admin_url: str) -> tuple[str, int]:
    """The database the last run left, as it is: its address and how many responses it holds.
    The officer's password is set again (each run makes up its own)."""
    from werkzeug.security import generate_password_hash

    if kind == "sqlite":
        database_url = f"sqlite:///{OUT / f'{DATABASE_NAME}.sqlite3'}"
    else:
        database_url = admin_url.rsplit("/", 1)[0] + f"/{DATABASE_NAME}"
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE user_account SET password_hash = :hash WHERE email = :email"),
            {"hash": generate_password_hash(OFFICER_PASSWORD), "email": OFFICER_EMAIL},
        )
        size = connection.execute(sa.text("SELECT count(*) FROM response")).scalar_one()
    engine.dispose()
    return database_url, size


def recount(database_url: str) -> float:
    """The bulk path bypasses the running tallies, as a restore would: recount them, as an
    operator would (`flask responses recount`). Returns seconds taken."""
    from portal import create_app
    from portal.extensions import db
    from portal.responses import tallies

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        started = time.perf_counter()
        tallies.rebuild()
        seconds = time.perf_counter() - started
        db.engine.dispose()
    return seconds


def build_results_index(database_url: str) -> tuple[float, int]:
    """Bring the results index up to date, as the timer does every minute in production
    (`flask responses index`). Returns seconds taken and ranges built."""
    from portal import create_app
    from portal.extensions import db
    from portal.reporting import results_index_build

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        started = time.perf_counter()
        built = sum(r.ranges_built for r in results_index_build.refresh())
        seconds = time.perf_counter() - started
        db.engine.dispose()
    return seconds, built


def first_choice_filter(shape: list[list[dict]]) -> str:
    """The query string of the filtered case: responses that gave the first option of the
    first single-choice question (about a third of the synthetic responses)."""
    question = next(q for page in shape for q in page if q["type"] == "single_choice")
    return urlencode({"answer": f"{question['key']}:{question['options'][0][1]}"})


def consultation_shape(database_url: str) -> list[list[dict]]:
    """Pages -> questions, with option values, for making up valid answers."""
    from portal import create_app
    from portal.consultations.service import consultation_with_questions

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        consultation = consultation_with_questions(SLUG)
        assert consultation is not None
        return [
            [
                {
                    "id": q.id,
                    "key": q.key,
                    "type": q.type.value,
                    "required": q.required,
                    "options": [(o.id, o.value, o.exclusive) for o in q.options],
                }
                for q in page.questions
            ]
            for page in consultation.pages
        ]


def random_answers(question: dict) -> list[tuple[int | None, str | None]] | None:
    """A plausible answer as (option id, text) rows; None when an optional question is skipped."""
    if question["type"] == "free_text":
        return (
            [(None, f"Synthetic comment {secrets.token_hex(6)}")] if random.random() < 0.3 else None
        )
    choices = [o for o in question["options"] if not o[2]]
    if question["type"] == "multiple_choice":
        return [
            (o[0], None) for o in random.sample(choices, k=random.randint(1, min(3, len(choices))))
        ]
    return [(random.choice(question["options"])[0], None)]


def bulk_seed(database_url: str, shape: list[list[dict]], count: int) -> float:
    """Add `count` responses straight into the tables, in batches; returns seconds taken."""
    engine = sa.create_engine(database_url)
    metadata = sa.MetaData()
    metadata.reflect(engine, only=["response", "answer", "consultation", "consultation_snapshot"])
    response, answer = metadata.tables["response"], metadata.tables["answer"]
    questions = [q for page in shape for q in page]
    started = time.perf_counter()
    with engine.begin() as connection:
        consultation_id, snapshot_id = connection.execute(
            sa.text(
                "SELECT c.id, s.id FROM consultation c JOIN consultation_snapshot s ON s.consultation_id = c.id "
                "WHERE c.slug = :slug ORDER BY s.id LIMIT 1"
            ),
            {"slug": SLUG},
        ).one()
        next_id = (connection.execute(sa.select(sa.func.max(response.c.id))).scalar() or 0) + 1
    now = datetime.now(UTC).replace(tzinfo=None)
    batch = 2000
    for offset in range(0, count, batch):
        responses, answers = [], []
        for i in range(offset, min(count, offset + batch)):
            response_id = next_id + i
            responses.append(
                {
                    "id": response_id,
                    "consultation_id": consultation_id,
                    "snapshot_id": snapshot_id,
                    "reference": f"B{response_id:09d}",
                    "submitted_at": now - timedelta(minutes=random.randint(0, 60 * 24 * 60)),
                }
            )
            for question in questions:
                for option_id, text in random_answers(question) or []:
                    answers.append(
                        {
                            "response_id": response_id,
                            "question_id": question["id"],
                            "option_id": option_id,
                            "text": text,
                        }
                    )
        with engine.begin() as connection:
            connection.execute(sa.insert(response), responses)
            connection.execute(sa.insert(answer), answers)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(
                sa.text("SELECT setval('response_id_seq', (SELECT max(id) FROM response))")
            )
        # As an operator would after a bulk load. Otherwise autovacuum may analyse the new
        # rows while the cases run, on one of the two cores: the run without this measured the
        # question page (which never reads the answers) at 0.32 of its reference at 1,000,000
        # responses against 0.46 at 1,000.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE response, answer"))
    engine.dispose()
    return time.perf_counter() - started


class Server:
    def __init__(
        self, target: str, database_url: str, workers: int, threads: int, extra_env: dict
    ) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench-" + secrets.token_hex(8),
            "PORTAL_ENV": "development",  # plain-HTTP cookies on 127.0.0.1
            "RATELIMIT_ENABLED": "0",
            **extra_env,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--no-control-socket",
                "--workers",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(threads),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--keep-alive",
                "30",
                "--log-level",
                "warning",
                target,
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{target} did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


# --- The measurements --------------------------------------------------------------------------


def page_form(page: list[dict], token: str) -> dict:
    form: dict = {"csrf_token": token}
    for question in page:
        rows = random_answers(question)
        if question["type"] == "free_text":
            form[question["key"]] = rows[0][1] if rows else ""
            continue
        if rows is None:
            continue
        values = {o[0]: o[1] for o in question["options"]}
        form[question["key"]] = [values[option_id] for option_id, _ in rows]
    return form


@dataclass
class PreparedJourney:
    """A journey answered up to check answers: its session cookie and CSRF token."""

    cookie: str
    csrf: str


@dataclass
class Submitter:
    """One client's connection, sending the prepared journeys one after another. As behind
    the council's proxy, which keeps a few connections to the app open for every browser's
    requests: each journey keeping its own connection open instead left about a thousand idle
    ones on the portal's processes during the timed submissions, which slowed them by about a
    sixth, or, past gunicorn's keep-alive, made some pay a reconnection (bench/results.md)."""

    client: Client
    journeys: list[PreparedJourney]


def journey_to_check_answers(port: int, shape: list[list[dict]]) -> Client:
    client = Client(port)
    token = client.token(f"/consultations/{SLUG}")
    assert client.request("POST", f"/consultations/{SLUG}/start", {"csrf_token": token})[0] == 303
    for number, page in enumerate(shape, start=1):
        status, _ = client.request(
            "POST", f"/consultations/{SLUG}/pages/{number}", page_form(page, token)
        )
        assert status == 303, (number, status)
    client.csrf = token  # type: ignore[attr-defined]
    return client


def prepared_journey(port: int, shape: list[list[dict]]) -> PreparedJourney:
    """A journey to check answers, its connection closed once there."""
    client = journey_to_check_answers(port, shape)
    client.connection.close()
    assert client.cookie is not None
    return PreparedJourney(client.cookie, client.csrf)  # type: ignore[attr-defined]


def measure_size(
    kind: str,
    database_url: str,
    shape: list[list[dict]],
    size: int,
    clients: int,
    requests_each: int,
    portal: Server,
    reference: Server,
    paired_requests: int,
    rounds: int,
    cases: str = "all",
) -> tuple[dict[str, Measure], dict[str, list[float]]]:
    """The cases at one size: every case, only the results page's two ("results") or only the
    question page and submissions beside their references ("paired"); returns the
    measures and, for the cases measured in rounds beside their reference, the ratio of each
    round."""
    if cases == "paired":
        return measure_paired(portal, reference, shape, clients, paired_requests, rounds)
    results: dict[str, Measure] = {}
    query = first_choice_filter(shape)

    def officer() -> Client:
        client = Client(portal.port)
        token = client.token("/staff/sign-in")
        status, _ = client.request(
            "POST",
            "/staff/sign-in",
            {"email": OFFICER_EMAIL, "password": OFFICER_PASSWORD, "csrf_token": token},
        )
        assert status == 303, status
        return client

    def get(path: str) -> Callable[[object], None]:
        def step(client: object) -> None:
            status, _ = client.request("GET", path)  # type: ignore[attr-defined]
            assert status == 200, (path, status)

        return step

    unfiltered = f"/officer/consultations/{SLUG}/results"
    filtered = f"/officer/consultations/{SLUG}/results?{query}"
    # The reference renders a bare table padded to the page's own size (issue 28): the same
    # bytes to write and send, so the ratio is of the work the portal adds.
    sizes = {
        path: len(officer().request("GET", path)[1].encode()) for path in (unfiltered, filtered)
    }
    results["results page"] = run_clients(
        "results", clients, requests_each, officer, get(unfiltered)
    )
    results["reference GROUP BY"] = run_clients(
        "group by",
        clients,
        requests_each,
        lambda: Client(reference.port),
        get(f"/results?bytes={sizes[unfiltered]}"),
    )
    # The reference's filtered GROUP BY takes seconds at a million responses: fewer requests.
    filtered_each = max(2, requests_each // 20)

    def warm_officer() -> Client:
        """Signed in, with one filtered page already asked for, untimed: each process reads
        the results index's ranges once and keeps them, as a running server has (the first
        request in a new process is reported apart in bench/results.md)."""
        client = officer()
        client.request("GET", filtered)
        return client

    results["results page, filtered"] = run_clients(
        "filtered", clients, max(2, requests_each // 2), warm_officer, get(filtered)
    )
    results["reference filtered GROUP BY"] = run_clients(
        "filtered group by",
        clients,
        filtered_each,
        lambda: Client(reference.port),
        get(f"/results-filtered?bytes={sizes[filtered]}"),
    )
    if cases == "results":
        return results, {}
    results["dashboard"] = run_clients(
        "dashboard", clients, requests_each, officer, get("/officer/")
    )
    paired, ratios = measure_paired(portal, reference, shape, clients, paired_requests, rounds)
    results.update(paired)

    def whole_journey(_: object) -> None:
        client = journey_to_check_answers(portal.port, shape)
        status, _ = client.request(
            "POST", f"/consultations/{SLUG}/check-answers", {"csrf_token": client.csrf}
        )
        assert status == 303, status

    results["whole journey (13 requests)"] = run_clients(
        "journey", clients, max(3, requests_each // 8), lambda: None, whole_journey
    )
    return results, ratios


def measure_paired(
    portal: Server,
    reference: Server,
    shape: list[list[dict]],
    clients: int,
    paired_requests: int,
    rounds: int,
) -> tuple[dict[str, Measure], dict[str, list[float]]]:
    """The question page and submissions, each in alternating rounds beside its reference."""
    results: dict[str, Measure] = {}

    def get(path: str) -> Callable[[object], None]:
        def step(client: object) -> None:
            status, _ = client.request("GET", path)  # type: ignore[attr-defined]
            assert status == 200, (path, status)

        return step

    def started_journey() -> Client:
        client = Client(portal.port)
        token = client.token(f"/consultations/{SLUG}")
        client.request("POST", f"/consultations/{SLUG}/start", {"csrf_token": token})
        return client

    pairs: dict[str, Pair] = {}
    pairs["question page"] = measure_pair(
        ("question page", "reference Jinja page"),
        clients,
        paired_requests,
        rounds,
        (started_journey, get(f"/consultations/{SLUG}/pages/{BIGGEST_PAGE}")),
        (lambda: Client(reference.port), get("/page")),
    )
    results["question page"] = pairs["question page"].ours
    results["reference Jinja page"] = pairs["question page"].reference

    # Submissions: journeys are completed up to check answers (untimed, by as many threads as
    # there are clients), then each client sends its share's "Accept and send" POSTs, timed.
    # As many as the question page's: with half as many, a round was about 0.3 s, and its
    # ratio moved by up to 0.3 between rounds (bench/results.md). Whole journeys are timed
    # separately.
    submissions_each = max(rounds, paired_requests)
    warm_up_each = max(1, submissions_each // rounds // 2)  # measure_pair's untimed half round
    each_client = submissions_each + warm_up_each
    with ThreadPoolExecutor(max_workers=clients) as pool:
        journeys = list(
            pool.map(lambda _: prepared_journey(portal.port, shape), range(clients * each_client))
        )
    prepared: list[list[PreparedJourney]] = [
        journeys[start : start + each_client] for start in range(0, len(journeys), each_client)
    ]
    # The warm-up and each round take the next few journeys of each client.
    queues = iter(prepared * (rounds + 1))

    def submit(state: object) -> None:
        submitter: Submitter = state  # type: ignore[assignment]
        journey = submitter.journeys.pop()
        submitter.client.cookie = journey.cookie
        status, _ = submitter.client.request(
            "POST", f"/consultations/{SLUG}/check-answers", {"csrf_token": journey.csrf}
        )
        assert status == 303, status

    def insert(client: object) -> None:
        status, _ = client.request("POST", "/insert", {"x": "1"})  # type: ignore[attr-defined]
        assert status == 200, status

    pairs["submission (Accept and send)"] = measure_pair(
        ("submission (Accept and send)", "reference insert"),
        clients,
        submissions_each,
        rounds,
        (lambda: Submitter(Client(portal.port), next(queues)), submit),
        (lambda: Client(reference.port), insert),
    )
    results["submission (Accept and send)"] = pairs["submission (Accept and send)"].ours
    results["reference insert"] = pairs["submission (Accept and send)"].reference
    return results, {name: pair.ratios for name, pair in pairs.items()}


def page_size(port: int) -> int:
    client = Client(port)
    token = client.token(f"/consultations/{SLUG}")
    client.request("POST", f"/consultations/{SLUG}/start", {"csrf_token": token})
    return len(client.request("GET", f"/consultations/{SLUG}/pages/{BIGGEST_PAGE}")[1].encode())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--requests", type=int, default=40, help="timed requests per client per case"
    )
    parser.add_argument(
        "--paired-requests",
        type=int,
        default=240,
        help="timed requests per client for the question page and for submissions, "
        "spread over the rounds",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=6,
        help="alternating rounds of the question page and submissions with their references",
    )
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="measure the database the last run left, at the size it has, without loading more",
    )
    parser.add_argument(
        "--cases",
        choices=("all", "results", "paired"),
        default="all",
        help="every case; only the results page and its filtered case with their reference; "
        "or only the question page and submissions, in rounds beside their references",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.md"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: list[tuple] = []
    builds: list[tuple] = []
    for kind in args.databases.split(","):
        if args.keep_database:
            database_url, seeded = kept_database(kind, args.postgres_url)
            sizes = [seeded]
        else:
            database_url = fresh_database(kind, args.postgres_url)
            prepare(database_url)
            seeded = 0
        shape = consultation_shape(database_url)
        portal = Server("wsgi:app", database_url, args.workers, args.threads, {})
        size_of_page = page_size(portal.port)
        reference = Server(
            "bench.reference_app:app",
            database_url,
            args.workers,
            args.threads,
            {"BENCH_PAGE_BYTES": str(size_of_page), "BENCH_PAGE_POSITION": str(BIGGEST_PAGE)},
        )
        try:
            for size in sizes:
                seconds = bulk_seed(database_url, shape, size - seeded) if size > seeded else 0.0
                seeded = size
                recounted = recount(database_url)
                indexed, ranges = build_results_index(database_url)
                builds.append((kind, size, seconds, recounted, indexed, ranges))
                print(
                    f"[{kind}] {size:,} responses seeded ({seconds:.1f} s for this step, "
                    f"running tallies recounted in {recounted:.1f} s, results index: "
                    f"{ranges} ranges built in {indexed:.1f} s)",
                    flush=True,
                )
                measured, paired_ratios = measure_size(
                    kind,
                    database_url,
                    shape,
                    size,
                    args.clients,
                    args.requests,
                    portal,
                    reference,
                    args.paired_requests,
                    args.rounds,
                    cases=args.cases,
                )
                pairs = [
                    ("results page", "reference GROUP BY"),
                    ("results page, filtered", "reference filtered GROUP BY"),
                    ("dashboard", "reference Jinja page"),
                    ("question page", "reference Jinja page"),
                    ("submission (Accept and send)", "reference insert"),
                    ("whole journey (13 requests)", "reference insert"),
                ]
                for name, reference_name in pairs:
                    if name not in measured:
                        continue
                    ours, bare = measured[name], measured[reference_name]
                    rounds = paired_ratios.get(name)
                    row = (
                        kind,
                        size,
                        name,
                        ours.per_second,
                        ours.median_ms,
                        ours.p95_ms,
                        bare.per_second,
                        bare.median_ms,
                        bare.p95_ms,
                        statistics.median(rounds) if rounds else ours.per_second / bare.per_second,
                        f"{min(rounds):.2f}-{max(rounds):.2f}" if rounds else "",
                    )
                    rows.append(row)
                    print(
                        f"  {name:<30} {ours.per_second:8.1f}/s  median {ours.median_ms:7.1f} ms  "
                        f"p95 {ours.p95_ms:7.1f} ms | reference {bare.per_second:8.1f}/s  "
                        f"median {bare.median_ms:6.1f} ms | ratio {row[-2]:5.2f} {row[-1]}",
                        flush=True,
                    )
        finally:
            portal.stop()
            reference.stop()
    write_report(args, rows, builds, size_of_page)


def write_report(
    args: argparse.Namespace, rows: list[tuple], builds: list[tuple], size_of_page: int
) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}.",
        f"gunicorn {args.workers} workers x {args.threads} threads for both the portal and the bare reference; "
        f"{args.clients} concurrent keep-alive clients, {args.requests} timed requests each per case; "
        f"the question page and submissions {args.paired_requests} each, "
        f"in {args.rounds} rounds alternating with their reference, after half a round of each untimed (ratio: the median of the rounds'; the lowest and highest round beside it).",
        f'The question page is page {BIGGEST_PAGE} of "Bullying: what parents think" (four agreement scales, 24 radios, {size_of_page:,} bytes); '
        "the reference Jinja page renders the same questions and options, padded to the same size. "
        "The results page's reference is one GROUP BY of the same answers rendered as a bare Jinja table, "
        "padded to the results page's own size at that number of responses.",
        'Submission is the final "Accept and send" POST of a real journey (CSRF, draft claim, snapshot, answers), '
        "journeys prepared beforehand and sent one after another on each client's connection; "
        "the reference insert stores a response and its answers with no form handling. "
        "A whole journey is 13 requests from the start page to the confirmation.",
        "",
        "| database | responses | case | requests/s | median ms | p95 ms | reference/s | reference median ms | reference p95 ms | ratio to reference | rounds' ratios |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, size, name, rps, med, p95, ref_rps, ref_med, ref_p95, ratio, spread in rows:
        lines.append(
            f"| {kind} | {size:,} | {name} | {rps:.1f} | {med:.1f} | {p95:.1f} | {ref_rps:.1f} | {ref_med:.1f} | {ref_p95:.1f} | {ratio:.2f} | {spread} |"
        )
    lines += growth_table(rows)
    lines += [
        "",
        "## Loading, recounting and indexing",
        "",
        "Each size is reached by a bulk load of the responses added since the last size; the running "
        "tallies are then recounted and the results index brought up to date (`flask responses index`: "
        "the ranges that are new or have grown), as an operator would after a bulk load.",
        "",
        "| database | responses | bulk load s | tallies recounted s | index ranges built | index built s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, size, loaded, recounted, indexed, ranges in builds:
        lines.append(
            f"| {kind} | {size:,} | {loaded:.1f} | {recounted:.1f} | {ranges} | {indexed:.1f} |"
        )
    # Notes written by hand under this heading survive a new run.
    output = Path(args.output)
    previous = output.read_text() if output.exists() else ""
    marker = "## Reading these figures"
    if marker in previous:
        lines += ["", previous[previous.index(marker) :].rstrip()]
    output.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.output}")


GROWING = ("results page", "results page, filtered", "dashboard")


def growth_table(rows: list[tuple]) -> list[str]:
    """How the officer pages' median moves as responses grow: the ratio to the same page's
    median at the smallest size in the same run (issue 7: unfiltered within 2x)."""
    lines = [
        "",
        "## As responses grow",
        "",
        "| database | case | responses | median ms | p95 ms | median / median at the smallest size |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for kind in dict.fromkeys(row[0] for row in rows):
        for case in GROWING:
            found = [row for row in rows if row[0] == kind and row[2] == case]
            if not found:
                continue
            smallest = found[0][4]
            for _, size, _, _, median, p95, *_ in found:
                lines.append(
                    f"| {kind} | {case} | {size:,} | {median:.1f} | {p95:.1f} | {median / smallest:.2f} |"
                )
    return lines


if __name__ == "__main__":
    main()
