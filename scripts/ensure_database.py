"""Create the PostgreSQL database named in DATABASE_URL if it does not exist yet (make serve)."""

from __future__ import annotations

import os
import sys

import psycopg
from psycopg import sql


def main() -> int:
    url = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    if not url.startswith(("postgresql://", "postgres://")):
        return 0  # SQLite creates its file itself
    server, name = url.rsplit("/", 1)
    name = name.split("?", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
