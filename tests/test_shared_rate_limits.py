"""Several app servers behind one database share their rate limits through Redis
(RATELIMIT_STORAGE_URI), so a bot spreading its guesses over the servers is still stopped.

Each "server" is its own Python process, as under gunicorn: the first spends the sign-in limit,
the second is refused at once. With the default in-memory storage it is not (the control), so
the test shows the sharing rather than assuming it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis

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
