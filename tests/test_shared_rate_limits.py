"""Several app servers behind one database share their rate limits through Redis
(RATELIMIT_STORAGE_URI), so a bot spreading its guesses over the servers is still stopped.

Each "server" is its own Python process, as under gunicorn: the first spends the sign-in limit,
the second is refused at once. With the default in-memory storage it is not (the control), so
the test shows the sharing rather than assuming it.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import subprocess
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
import redis

from tests.servers import free_port, wait_until_listening

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

# One app server: `count` wrong sign-ins from the same address; prints each status.
SERVER = """
import os, sys
from portal import create_app
from portal.extensions import db
app = create_app({
    "PORTAL_ENV": "testing",
    "SECRET_KEY": "rate-limit-test",
    "SQLALCHEMY_DATABASE_URI": os.environ["DB_URL"],
    "WTF_CSRF_ENABLED": False,
    "SIGN_IN_RATE_LIMIT": "3/minute",
    "RATELIMIT_STORAGE_URI": os.environ["LIMIT_STORAGE"],
    "RATELIMIT_KEY_PREFIX": os.environ["LIMIT_PREFIX"],
})
with app.app_context():
    db.create_all()
client = app.test_client()
for _ in range(int(sys.argv[1])):
    response = client.post("/staff/sign-in", data={"email": "a@b.example", "password": "x"})
    print(response.status_code)
"""


def _server(count: int, storage: str, prefix: str, database: Path) -> list[int]:
    run = subprocess.run(
        [sys.executable, "-c", SERVER, str(count)],
        cwd=ROOT,
        env={
            **os.environ,
            "DB_URL": f"sqlite:///{database}",
            "LIMIT_STORAGE": storage,
            "LIMIT_PREFIX": prefix,
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return [int(line) for line in run.stdout.split()]


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        message = f"Redis is not reachable at {REDIS_URL}: {error}"
        if os.environ.get("PORTAL_REQUIRE_REDIS") == "1":
            pytest.fail(message + " (PORTAL_REQUIRE_REDIS=1)")
        pytest.skip(message)
    return REDIS_URL


def test_two_app_servers_share_the_sign_in_limit_through_redis(redis_url, tmp_path):
    prefix = f"portal-test-{uuid.uuid4().hex[:8]}"
    database = tmp_path / "shared.sqlite3"
    assert _server(3, redis_url, prefix, database) == [422, 422, 422]
    # The second server has seen none of those guesses itself, and still refuses.
    assert _server(1, redis_url, prefix, database) == [429]
    stored = redis.Redis.from_url(redis_url).keys(f"*{prefix}*")
    assert stored, "the counts live in Redis"


def test_without_shared_storage_each_server_counts_alone(tmp_path):
    database = tmp_path / "alone.sqlite3"
    assert _server(3, "memory://", "x", database) == [422, 422, 422]
    assert _server(1, "memory://", "x", database) == [422]


# Tables for the gunicorn test's database, as `flask db upgrade` would leave them.
MAKE_TABLES = """
import os
from portal import create_app
from portal.extensions import db
app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": os.environ["DB_URL"]})
with app.app_context():
    db.create_all()
"""


def _production_env(database: Path, port: int, **settings: str) -> dict[str, str]:
    return {
        **os.environ,
        "PORTAL_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{database}",
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "5",
        "GUNICORN_THREADS": "2",
        **settings,
    }


GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python:portal.gunicorn_config", "wsgi:app"]


def test_production_with_several_workers_refuses_to_count_limits_in_memory(tmp_path):
    env = _production_env(tmp_path / "none.sqlite3", free_port())
    env.pop("RATELIMIT_STORAGE_URI", None)
    run = subprocess.run(GUNICORN, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "Refusing to start: 5 workers would each keep their own rate-limit" in run.stderr
    assert "RATELIMIT_STORAGE_URI=redis://" in run.stderr


def _sign_in_attempt(port: int) -> int:
    """A wrong password on a new connection (so any worker may take it), with the page's
    CSRF token and cookie, as a browser would send it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/staff/sign-in")
    page = connection.getresponse()
    text = page.read().decode()
    cookie = (page.getheader("Set-Cookie") or "").split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text).group(1)
    connection.close()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = urlencode({"csrf_token": token, "email": "nobody@council.example", "password": "x"})
    connection.request(
        "POST",
        "/staff/sign-in",
        body=body,
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    status = connection.getresponse().status
    connection.close()
    return status


def test_five_gunicorn_workers_refuse_the_eleventh_sign_in_in_a_minute(redis_url, tmp_path):
    """`make serve`'s setting (Redis) under gunicorn with five workers: the limit of 10 a
    minute holds for the whole server, not for each worker."""
    database = tmp_path / "serve.sqlite3"
    subprocess.run(
        [sys.executable, "-c", MAKE_TABLES],
        cwd=ROOT,
        env={**os.environ, "DB_URL": f"sqlite:///{database}"},
        check=True,
        timeout=120,
    )
    port = free_port()
    prefix = f"portal-test-{uuid.uuid4().hex[:8]}"
    env = _production_env(
        database, port, RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=prefix
    )
    log = tmp_path / "gunicorn.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            GUNICORN, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_file
        )
    try:
        wait_until_listening(port, server)
        statuses = [_sign_in_attempt(port) for _ in range(12)]
    finally:
        server.terminate()
        server.wait(timeout=30)
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
    assert statuses == [422] * 10 + [429, 429]


@pytest.mark.parametrize(
    ("settings", "workers", "refused"),
    [
        ({}, 5, True),
        ({"RATELIMIT_STORAGE_URI": ""}, 2, True),  # empty is memory too
        ({"RATELIMIT_STORAGE_URI": "memory://"}, 1, False),  # one worker counts for all
        ({"RATELIMIT_ENABLED": "0"}, 5, False),  # no limits to count (benchmarks)
        ({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}, 5, False),
        ({"PORTAL_ENV": "development"}, 5, False),
    ],
)
def test_the_refusal_counts_the_workers_gunicorn_will_start(
    monkeypatch, settings, workers, refused
):
    from portal.gunicorn_config import on_starting

    for name in ("RATELIMIT_STORAGE_URI", "RATELIMIT_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"PORTAL_ENV": "production", **settings}.items():
        monkeypatch.setenv(name, value)
    server = SimpleNamespace(cfg=SimpleNamespace(workers=workers))  # as gunicorn passes it
    if refused:
        with pytest.raises(SystemExit, match=f"{workers} workers would each keep"):
            on_starting(server)
    else:
        on_starting(server)


def test_with_redis_unreachable_forms_still_work_limited_in_each_process(tmp_path):
    """Redis down (restarting, say): sign-ins and responses go on, each process counting
    alone until it is back, rather than every rate-limited form failing with a 500."""
    from portal import create_app
    from portal.extensions import db

    app = create_app(
        {
            "PORTAL_ENV": "testing",
            "SECRET_KEY": "redis-down",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'down.sqlite3'}",
            "WTF_CSRF_ENABLED": False,
            "SIGN_IN_RATE_LIMIT": "3/minute",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    )
    with app.app_context():
        db.create_all()
    client = app.test_client()
    statuses = [
        client.post("/staff/sign-in", data={"email": "a@b.example", "password": "x"}).status_code
        for _ in range(4)
    ]
    assert statuses == [422, 422, 422, 429]
