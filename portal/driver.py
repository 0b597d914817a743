"""Statements sent straight to the database driver, on the connection of the request's
session: in its transaction, or in its autocommit (extensions.run_without_transaction).

SQLAlchemy's execution of a statement finds its compiled form by a cache key built afresh from
the statement, processes its parameters and builds a result object with its own metadata; for
the journey's busiest small statements that cost more CPU than the database spent on them (the
read of a consultation and draft: 260 microseconds through SQLAlchemy, 105-145 sent straight,
bench/results.md). A `DriverQuery` is compiled once per dialect by SQLAlchemy itself, and its
values are converted by each column's own type, so what is written and read back is what
SQLAlchemy would write and read. Driver errors are raised as SQLAlchemy's, as the rest of the
portal expects them (a reference clash retried, the "service is busy" page), and a connection
the server has dropped is invalidated, as SQLAlchemy would, so the pool replaces it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from portal.extensions import db

Processor = Callable[[Any], Any] | None


def driver_connection() -> Any:
    """The session connection's own driver connection (sqlite3 or psycopg)."""
    return db.session.connection().connection.driver_connection


def as_sqlalchemy_error(
    error: Any, statement: str, parameters: Any, driver: Any
) -> sa.exc.StatementError:
    """The driver's error as SQLAlchemy would have raised it (IntegrityError,
    OperationalError, ...), the session's connection invalidated if the error means it is
    gone."""
    dialect = db.engine.dialect
    gone = dialect.is_disconnect(error, driver, None)
    if gone:
        db.session.connection().invalidate(error)
    return sa.exc.DBAPIError.instance(
        statement,
        parameters,
        error,
        dialect.loaded_dbapi.Error,
        connection_invalidated=gone,
        dialect=dialect,
    )


class DriverCursor:
    """A cursor of the session's driver connection whose errors are raised as SQLAlchemy's."""

    def __init__(self, driver: Any) -> None:
        self._driver = driver
        self._cursor = driver.cursor()
        self._errors = db.engine.dialect.loaded_dbapi.Error

    def execute(self, statement: str, parameters: Any) -> Any:
        try:
            return self._cursor.execute(statement, parameters)
        except self._errors as error:
            raise as_sqlalchemy_error(error, statement, parameters, self._driver) from error

    def executemany(self, statement: str, rows: list[tuple]) -> None:
        try:
            self._cursor.executemany(statement, rows)
        except self._errors as error:
            raise as_sqlalchemy_error(error, statement, rows, self._driver) from error

    def close(self) -> None:
        self._cursor.close()


def bind_processors(
    dialect: sa.Dialect, table: sa.Table, columns: tuple[str, ...]
) -> tuple[Processor, ...]:
    """Each column's conversion of a Python value to what the driver is given, as
    SQLAlchemy's execution would do it (None where the value goes as it is)."""
    return tuple(
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
    )


def converted(values: Iterable[Any], processors: Sequence[Processor]) -> tuple:
    """The values, each through its processor (None stays None, as SQLAlchemy leaves it)."""
    return tuple(
        value if process is None or value is None else process(value)
        for value, process in zip(values, processors, strict=True)
    )


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # The parameters' names in the statement's order for a positional driver (sqlite3's
    # "?"), or None for one that takes them by name (psycopg's "%(name)s").
    order: tuple[str, ...] | None
    binds: dict[str, Processor]
    results: tuple[Processor, ...]

    def parameters(self, values: dict[str, Any]) -> Any:
        processed = {
            name: value
            if (process := self.binds.get(name)) is None or value is None
            else process(value)
            for name, value in values.items()
        }
        if self.order is None:
            return processed
        return tuple(processed[name] for name in self.order)

    def row(self, fetched: Sequence[Any]) -> tuple:
        return converted(fetched, self.results)


class DriverQuery:
    """A Core statement (a select, or text) sent straight to the driver: compiled once per
    dialect, its parameters and result columns converted by their types."""

    def __init__(self, statement: sa.Select[Any] | sa.TextClause) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: sa.Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            built = self.statement.compile(dialect=dialect)
            columns = getattr(self.statement, "selected_columns", ())
            compiled = _Compiled(
                sql=built.string,
                order=tuple(built.positiontup or ()) if dialect.positional else None,
                binds={
                    name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                    for name, bind in built.binds.items()
                },
                results=tuple(
                    column.type.dialect_impl(dialect).result_processor(dialect, None)
                    for column in columns
                ),
            )
            self._compiled[dialect.name] = compiled
        return compiled

    def first(self, values: dict[str, Any]) -> tuple | None:
        """The first row of a statement that returns rows, converted (a text statement's
        columns come as the driver gives them), or None if it returned none."""
        compiled = self._for(db.engine.dialect)
        parameters = compiled.parameters(values)
        driver = driver_connection()
        cursor = DriverCursor(driver)
        try:
            fetched = cursor.execute(compiled.sql, parameters).fetchone()
        finally:
            cursor.close()
        if fetched is None:
            return None
        return compiled.row(fetched) if compiled.results else tuple(fetched)

    def one(self, values: dict[str, Any]) -> tuple:
        """The one row the statement returns."""
        row = self.first(values)
        if row is None:
            raise sa.exc.NoResultFound("the statement returned no row")
        return row
