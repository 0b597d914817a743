"""Extension objects, created here unbound and initialised in the app factory."""

from __future__ import annotations

import enum
import logging
from typing import Any

import sqlalchemy as sa
from flask_babel import Babel
from flask_compress import Compress
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def enum_column(enum_cls: type[enum.StrEnum], length: int) -> sa.Enum:
    """A string column with a CHECK constraint: the same on SQLite and PostgreSQL."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class PortalSQLAlchemy(SQLAlchemy):
    def _teardown_session(self, exc: BaseException | None) -> None:
        """End the request's session. If the database went away after the response was made
        (a restart between the last query and the end of the request), closing it fails: the
        transaction died with the connection, which the pool has already discarded, so the
        response the user was given stands rather than becoming a 500."""
        try:
            super()._teardown_session(exc)
        except sa.exc.DBAPIError as error:
            logging.getLogger(__name__).warning(
                "Database connection lost while ending a request: %s", type(error.orig).__name__
            )
            self.session.registry.clear()


db = PortalSQLAlchemy(model_class=Base)


def insert_with_conflicts(table: Any, dialect_name: str | None = None) -> Any:
    """INSERT for `table` that can say what to do ON CONFLICT, on whichever database this is
    (PostgreSQL and SQLite both have it, each in its own dialect's insert)."""
    name = dialect_name or db.engine.dialect.name
    return (postgresql if name == "postgresql" else sqlite).insert(table)


def run_without_transaction() -> None:
    """On PostgreSQL, send this request's statements without BEGIN and COMMIT (autocommit),
    saving two round trips. Only for a request that reads, or whose one write is a single
    statement, atomic by itself. Call it before the request's first query; if one has run
    already (a signed-in user was loaded), the request keeps its transaction. The connection
    goes back to the pool in its default mode."""
    if db.engine.dialect.name == "postgresql" and not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def runs_without_transaction() -> bool:
    """Whether this request's statements are sent in autocommit (run_without_transaction)."""
    options = db.session.connection().get_execution_options()
    return bool(options.get("isolation_level") == "AUTOCOMMIT")


migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
htmx = HTMX()
compress = Compress()
# The portal's own words in the respondent's language (portal/i18n.py).
babel = Babel()
# The client address is used only to count requests in the limiter's storage; it is never
# written to the database and never stored with a response.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
