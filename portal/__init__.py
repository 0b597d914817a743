"""Warwickshire consultation portal: the application factory."""

from __future__ import annotations

import select
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from portal import models as _every_model  # noqa: F401  (mappers configure with all present)
from portal.config import load_config
from portal.extensions import csrf, db, htmx, limiter, login_manager, migrate
from portal.url_values import IdConverter

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_config(Path(app.instance_path), config))

    # Before any route is added: every <int:id> in a URL is bounded to what an id can be.
    app.url_map.converters["int"] = IdConverter
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = None  # the sign-in page says what to do
    _enable_sqlite_foreign_keys(app)
    _replace_closed_postgresql_connections(app)

    from portal.errors import init_error_handlers
    from portal.i18n import init_i18n
    from portal.ops import init_ops
    from portal.security import init_origin_check, init_security_headers
    from portal.templating import init_templating

    init_i18n(app)
    init_templating(app)
    init_security_headers(app)
    init_origin_check(app)
    init_error_handlers(app)
    init_ops(app)

    from portal.admin import bp as admin_bp
    from portal.auth import bp as auth_bp
    from portal.officer import bp as officer_bp
    from portal.public import bp as public_bp
    from portal.school import bp as school_bp

    for blueprint in (public_bp, auth_bp, officer_bp, school_bp, admin_bp):
        app.register_blueprint(blueprint)

    from portal.cli import register_commands

    register_commands(app)
    # The results index marks ranges stale when a response is corrected or erased.
    from portal.reporting.results_index_build import follow_corrections

    follow_corrections()
    return app


def _replace_closed_postgresql_connections(app: Flask) -> None:
    """Check a pooled PostgreSQL connection at checkout without a round trip to the server.

    A server that ends a connection (a restart, an administrator, an idle timeout) sends a
    termination message and closes its socket, so an idle pooled connection with anything to
    read is dead. Raising DisconnectionError makes the pool discard it and connect afresh.
    This replaces SQLAlchemy's pre-ping, which cost every request a `SELECT 1` round trip
    (about a tenth of a question page's time, bench/results.md). A connection lost without a
    word (a network path dropped) fails on first use instead, and the request gets the
    "service is busy, try again" page (portal/errors.py), as any request in flight would.
    """
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return

    with app.app_context():
        engine = db.engine

    @sa.event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, connection_record: Any, proxy: Any) -> None:
        if dbapi_connection.closed or dbapi_connection.broken:
            raise sa.exc.DisconnectionError("the pooled connection was closed")
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLHUP)
        if poller.poll(0):
            raise sa.exc.DisconnectionError("the server ended the pooled connection")


def _enable_sqlite_foreign_keys(app: Flask) -> None:
    """SQLite ignores foreign keys unless asked, per connection; PostgreSQL always checks."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return

    with app.app_context():
        engine = db.engine

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        # Write-ahead logging: pages keep being read while a response is written, and a commit
        # is one append and one sync rather than a rollback journal's several. Durability is
        # unchanged (synchronous stays FULL). The mode is kept in the file once set.
        cursor.execute("PRAGMA journal_mode = WAL")
        # Temporary data in memory, not in files: a statement writing many rows inside a
        # transaction (a submission's answers) keeps the pages it changes in a statement journal,
        # which past 64 KiB SQLite wrote to a new temporary file in /var/tmp, created and
        # deleted for every submission: 70 microseconds of a submission's CPU
        # (bench/results.md). Sorts too large for the page cache now also stay in memory.
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.close()
