"""response and answer ids never reused (AUTOINCREMENT on SQLite)

SQLite gives a new row the highest id in use plus one unless the table is AUTOINCREMENT, so
after the highest response was erased the next response took its id again, and the results
index (which treats ids up to a range's end as counted) left it out. Audit entries name typed
answers by id, and exports give response ids, so answer ids must not come back either.
PostgreSQL's sequences never hand an id out twice: nothing changes there.

SQLite cannot alter a column's key, so each table is rebuilt the way SQLite documents (a new
table, the rows copied, the old dropped, the new renamed), its indexes made again. The
driver runs CREATE TABLE outside the migration's transaction, so a half-made copy left by an
interrupted run is dropped before it starts again. The next id carries on from the highest in
use.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 05:10:00

"""
import re

from alembic import op


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

TABLES = ("response", "answer")


def _rebuild(table: str, autoincrement: bool) -> None:
    """Rebuild `table` from its own CREATE statement with the id column's key changed, and its
    indexes and triggers as they were."""
    connection = op.get_bind()
    create = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    others = [
        sql
        for (sql,) in connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = ?"
            " AND sql IS NOT NULL",
            (table,),
        )
    ]
    if autoincrement:
        new, made = re.subn(
            r"\bid INTEGER NOT NULL,",
            f"id INTEGER NOT NULL CONSTRAINT pk_{table} PRIMARY KEY AUTOINCREMENT,",
            create,
            count=1,
        )
        new, dropped = re.subn(r",\s*CONSTRAINT \w+ PRIMARY KEY \(id\)", "", new, count=1)
    else:
        new, made = re.subn(
            rf"\bid INTEGER NOT NULL CONSTRAINT pk_{table} PRIMARY KEY AUTOINCREMENT,",
            "id INTEGER NOT NULL,",
            create,
            count=1,
        )
        new, dropped = re.subn(r"\)\s*$", f", CONSTRAINT pk_{table} PRIMARY KEY (id)\n)", new, count=1)
    if not (made and dropped):
        raise RuntimeError(f"unexpected definition of {table}: {create}")
    rebuilt = f"_rebuilt_{table}"
    op.execute(f"DROP TABLE IF EXISTS {rebuilt}")
    new = re.sub(rf'^CREATE TABLE "?{table}"?', f"CREATE TABLE {rebuilt}", new, count=1)
    op.execute(new)
    op.execute(f"INSERT INTO {rebuilt} SELECT * FROM {table}")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {rebuilt} RENAME TO {table}")
    for sql in others:
        op.execute(sql)


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        _rebuild(table, autoincrement=True)


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        _rebuild(table, autoincrement=False)
