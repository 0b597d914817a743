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


class Conversion:
    """Each column's conversion of one row's values, as SQLAlchemy's execution would make it
    (a bind processor for what the driver is given, a result processor for what it returns).
    Only the columns that have one are visited: most have none (an answer row has one in six),
    and visiting every value of every row was 3% of a submission's CPU instructions
    (bench/results.md)."""

    __slots__ = ("_each", "width")

    def __init__(self, processors: Sequence[Processor]) -> None:
        self.width = len(processors)
        self._each = tuple((index, process) for index, process in enumerate(processors) if process)

    def __call__(self, values: Iterable[Any]) -> tuple:
        """The values, each through its column's processor (None stays None, as SQLAlchemy
        leaves it)."""
        row = list(values)
        if len(row) != self.width:
            raise ValueError(f"{len(row)} values for {self.width} columns")
        for index, process in self._each:
            if (value := row[index]) is not None:
                row[index] = process(value)
        return tuple(row)


def bind_conversion(dialect: sa.Dialect, table: sa.Table, columns: tuple[str, ...]) -> Conversion:
    """The conversion of a row of values for these columns of the table into what the driver
    is given."""
    return Conversion(
        [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    )


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # The parameters' names in the statement's order for a positional driver (sqlite3's
    # "?"), or None for one that takes them by name (psycopg's "%(name)s").
    order: tuple[str, ...] | None
    binds: dict[str, Processor]
    results: Conversion

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
        return self.results(fetched)


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
                results=Conversion(
                    [
                        column.type.dialect_impl(dialect).result_processor(dialect, None)
                        for column in columns
                    ]
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
        return compiled.row(fetched) if compiled.results.width else tuple(fetched)

    def one(self, values: dict[str, Any]) -> tuple:
        """The one row the statement returns."""
        row = self.first(values)
        if row is None:
            raise sa.exc.NoResultFound("the statement returned no row")
        return row
