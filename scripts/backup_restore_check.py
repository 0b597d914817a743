"""Back up a PostgreSQL database, wipe it, restore it, and check every table has the rows it
had: the restore procedure in docs/operations.md, proved. Exit 1 if any count differs.

    python scripts/backup_restore_check.py postgresql://user@host/portal [--keep FILE]

It DROPS and re-creates the database named: run it on a copy, or in a maintenance window.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def table_counts(url: str) -> dict[str, int]:
    with psycopg.connect(_plain(url)) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: connection.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]  # type: ignore[index]
            for table in tables
        }


def recreate(url: str) -> None:
    server, name = _plain(url).rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--keep", type=Path, help="keep the backup file here")
    args = parser.parse_args()
    url = _plain(args.database_url)
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed (Debian: postgresql-client)")
            return 2
    before = table_counts(url)
    with tempfile.TemporaryDirectory() as folder:
        backup = args.keep or Path(folder) / "portal.dump"
        subprocess.run(  # noqa: S603
            ["pg_dump", "--format=custom", "--no-owner", f"--file={backup}", url],  # noqa: S607
            check=True,
        )
        print(
            f"backed up {sum(before.values()):,} rows in {len(before)} tables "
            f"({backup.stat().st_size:,} bytes)"
        )
        recreate(url)
        wiped = table_counts(url)
        print(f"wiped: {len(wiped)} tables left")
        subprocess.run(  # noqa: S603
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={url}", str(backup)],  # noqa: S607
            check=True,
        )
    after = table_counts(url)
    different = {
        t: (before.get(t), after.get(t))
        for t in before.keys() | after.keys()
        if before.get(t) != after.get(t)
    }
    for table in sorted(before):
        print(f"  {table:32} {before[table]:>10,} -> {after.get(table, 0):>10,}")
    if different or wiped:
        print(f"restore FAILED: {different or 'the wipe left tables behind'}")
        return 1
    print(f"restored: all {len(after)} tables have the rows they had")
    return 0


if __name__ == "__main__":
    sys.exit(main())
