"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from portal.extensions import db
from tests.conftest import empty_database


def test_migrated_schema_matches_the_models(app):
    # The session fixture built this database with `upgrade()` from empty.
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_downgrade_to_empty_and_upgrade_again(app):
    # Without data: older revisions cannot hold the question types seeded today (a matrix).
    empty_database()
    db.session.remove()
    downgrade(revision="base")
    tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade()
    assert {"response", "answer", "consultation", "indicator_value"} <= set(
        sa.inspect(db.engine).get_table_names()
    )


def test_ids_never_reused_migration_keeps_every_row(app):
    """Migration 0027 rebuilds response and answer on SQLite: down to 0026 and up again with
    responses stored, every row, link and index is still there, and the next id still carries
    on above an erased one."""
    from portal.responses.models import Answer, Response, response_group
    from tests.factories import submit_response

    for slug in ("bullying-what-parents-think", "warwickshire-panel-liveability"):
        submit_response(slug, {})

    def counted() -> tuple[int, int, int, int]:
        return (
            db.session.scalar(sa.select(sa.func.count()).select_from(Response)),
            db.session.scalar(sa.select(sa.func.max(Response.id))),
            db.session.scalar(sa.select(sa.func.count()).select_from(Answer)),
            db.session.scalar(sa.select(sa.func.count()).select_from(response_group)),
        )

    def indexes() -> set[str]:
        inspector = sa.inspect(db.engine)
        return {
            index["name"]
            for table in ("response", "answer")
            for index in inspector.get_indexes(table)
        }

    before, named = counted(), indexes()
    db.session.remove()
    downgrade(revision="0026")
    assert counted() == before and indexes() == named
    db.session.remove()
    upgrade()
    assert counted() == before and indexes() == named

    highest = db.session.scalars(sa.select(Response).order_by(Response.id.desc())).first()
    highest_id = highest.id
    db.session.delete(highest)
    db.session.commit()
    later = submit_response("bullying-what-parents-think", {})
    assert later.id > highest_id


def test_ranges_indexed_before_languages_are_built_again(app):
    """Migration 0028: the results index's ranges built before it hold no language bitmaps,
    so it marks them stale; pages count them by SQL until the builder builds them again."""
    from portal.reporting import results_index_build
    from portal.reporting.models import ResultsIndexChunk
    from tests.factories import submit_response

    submit_response("bullying-what-parents-think", {})
    results_index_build.refresh()
    db.session.remove()
    downgrade(revision="0027")
    upgrade()
    assert db.session.scalars(sa.select(ResultsIndexChunk.stale)).all() == [True]
    (refreshed,) = [r for r in results_index_build.refresh() if r.ranges_built]
    assert refreshed.ranges_built == 1
    assert db.session.scalars(sa.select(ResultsIndexChunk.stale)).all() == [False]


def test_the_seeded_indicator_name_is_corrected_and_an_officers_own_kept(app):
    """Migration 0030 names the fixed penalty indicator as the rate it holds, only where it
    still has the seeded name; down again, the seeded name comes back."""
    from portal.strategy.models import Indicator

    code = "fixed-penalty-payment-rate"
    renamed = "Payment rate of fixed penalty fines for parents of truants"

    def name() -> str | None:
        found = db.session.scalar(sa.select(Indicator.name).where(Indicator.code == code))
        db.session.remove()
        return found

    assert name() == renamed
    downgrade(revision="0029")
    assert name() == "Fixed penalty fines for parents of truants paid"
    upgrade()
    assert name() == renamed
    db.session.execute(sa.update(Indicator).where(Indicator.code == code).values(name="Fines paid"))
    db.session.commit()
    db.session.remove()
    downgrade(revision="0029")
    assert name() == "Fines paid"
    upgrade()
    assert name() == "Fines paid"
