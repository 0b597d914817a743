"""The backup and restore procedure (docs/operations.md), run by its script on a database of
its own: back up, wipe, restore, and every table has its rows again."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _postgres_database

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def seeded_postgres() -> Iterator[str]:
    """A PostgreSQL database of its own, migrated and seeded by the real commands."""
    for url in _postgres_database("backup"):
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        env = {**os.environ, "DATABASE_URL": plain, "FLASK_APP": "wsgi", "SECRET_KEY": "backup"}
        for command in (["db", "upgrade"], ["seed"]):
            subprocess.run(
                [sys.executable, "-m", "flask", *command],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
        yield plain


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
