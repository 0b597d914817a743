"""The backup and restore procedure (docs/operations.md), run by its script on a database of
its own: back up, wipe, restore, and every table has its rows again."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import DEFAULT_POSTGRES_URL

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def seeded_postgres() -> Iterator[str]:
    admin_url = os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL)
    admin_url = admin_url.replace("postgresql+psycopg://", "postgresql://")
    name = f"portal_backup_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("PORTAL_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is not reachable: {error}")
        pytest.skip(f"PostgreSQL is not reachable: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi", "SECRET_KEY": "backup"}
    for command in (["db", "upgrade"], ["seed"]):
        subprocess.run(
            [sys.executable, "-m", "flask", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    yield url
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_wipe_and_restore_keeps_every_row(seeded_postgres, tmp_path):
    backup = tmp_path / "portal.dump"
    run = subprocess.run(
        [sys.executable, "scripts/backup_restore_check.py", seeded_postgres, "--keep", str(backup)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "wiped: 0 tables left" in run.stdout
    assert "restored: all" in run.stdout and "tables have the rows they had" in run.stdout
    # The seeded strategy and consultations really were there to lose.
    assert "priority" in run.stdout and backup.stat().st_size > 10_000
