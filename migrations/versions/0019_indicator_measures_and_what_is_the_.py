"""indicator measures, links to indicators, and what is the portal's reading of the report

Each indicator's figures move into measures (series of comparable values), so a direction of
change never compares a longest wait with an average wait. Outcomes, key tasks, their links
and indicator values gain flags saying where the portal, not the report, supplied a code, a
link or a value; questions can inform indicators as well as outcomes.

A database seeded before this revision is brought to the corrected seed data frozen in
migrations/data/0019_strategy.yaml (wording, periods, links, measures), checked line by line
against the committee report. Values officers recorded themselves are kept as they are.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 16:51:57.251993

"""
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
import yaml
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

FROZEN_STRATEGY = Path(__file__).resolve().parent.parent / "data" / "0019_strategy.yaml"
SEED_RECORDER = "seed data"
# Questions of the seeded liveability consultation and the section 3.5 measures they inform.
QUESTION_INDICATORS = {
    "warwickshire-panel-liveability": {
        "street_cleanliness": ["street-environment-quality"],
        "street_condition": ["street-environment-quality"],
        "street_lighting": ["street-environment-quality"],
        "pedestrian_safety": ["road-traffic-accidents"],
        "local_problems": ["street-environment-quality", "antisocial-behaviour"],
    }
}

priority = sa.table(
    "priority",
    sa.column("id", sa.Integer), sa.column("position", sa.Integer), sa.column("section", sa.String),
    sa.column("objective", sa.Text), sa.column("reported_in", sa.String),
)
outcome = sa.table(
    "outcome",
    sa.column("id", sa.Integer), sa.column("code", sa.String), sa.column("section", sa.String),
    sa.column("title", sa.String), sa.column("description", sa.Text),
    sa.column("code_is_portal_label", sa.Boolean),
)
key_task = sa.table(
    "key_task",
    sa.column("id", sa.Integer), sa.column("code", sa.String), sa.column("section", sa.String),
    sa.column("title", sa.String), sa.column("progress", sa.Text),
    sa.column("lead_responsibility", sa.String), sa.column("code_is_portal_label", sa.Boolean),
)
outcome_key_task = sa.table(
    "outcome_key_task",
    sa.column("outcome_id", sa.Integer), sa.column("key_task_id", sa.Integer),
    sa.column("inferred", sa.Boolean),
)
indicator = sa.table(
    "indicator",
    sa.column("id", sa.Integer), sa.column("code", sa.String), sa.column("section", sa.String),
    sa.column("name", sa.String), sa.column("description", sa.Text),
    sa.column("better_when", sa.String), sa.column("outcome_id", sa.Integer),
    sa.column("outcome_inferred", sa.Boolean),
)
indicator_measure = sa.table(
    "indicator_measure",
    sa.column("id", sa.Integer), sa.column("indicator_id", sa.Integer),
    sa.column("position", sa.Integer), sa.column("name", sa.String), sa.column("note", sa.Text),
    sa.column("cumulative", sa.Boolean),
)
indicator_value = sa.table(
    "indicator_value",
    sa.column("id", sa.Integer), sa.column("indicator_id", sa.Integer),
    sa.column("measure_id", sa.Integer), sa.column("position", sa.Integer),
    sa.column("period", sa.String), sa.column("value", sa.Numeric(14, 2)),
    sa.column("target", sa.Numeric(14, 2)), sa.column("unit", sa.String),
    sa.column("inferred", sa.Boolean), sa.column("source", sa.String), sa.column("note", sa.Text),
    sa.column("recorded_at", sa.DateTime), sa.column("recorded_by", sa.String),
)


def upgrade():
    op.create_table('indicator_measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('cumulative', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_indicator_measure_indicator_id_indicator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_measure')),
    sa.UniqueConstraint('indicator_id', 'name', name='indicator_measure_name')
    )
    with op.batch_alter_table('indicator_measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_measure_indicator_id'), ['indicator_id'], unique=False)

    op.create_table('question_indicator',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_question_indicator_indicator_id_indicator'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_question_indicator_question_id_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('question_id', 'indicator_id', name=op.f('pk_question_indicator'))
    )
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome_inferred', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('key_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_is_portal_label', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('outcome', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_is_portal_label', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('outcome_key_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inferred', sa.Boolean(), server_default=sa.false(), nullable=False))

    # Every indicator's figures so far become its one measure, then the figures point at it.
    op.execute(
        indicator_measure.insert().from_select(
            ["indicator_id", "position", "name", "note"],
            sa.select(indicator.c.id, sa.literal(1), sa.literal(""), sa.literal("")),
        )
    )
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.add_column(sa.Column('measure_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('inferred', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(
        indicator_value.update().values(
            measure_id=sa.select(indicator_measure.c.id)
            .where(indicator_measure.c.indicator_id == indicator_value.c.indicator_id)
            .scalar_subquery()
        )
    )
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.alter_column('measure_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('indicator_period', type_='unique')
        batch_op.drop_index(batch_op.f('ix_indicator_value_indicator_id'))
        batch_op.create_index(batch_op.f('ix_indicator_value_measure_id'), ['measure_id'], unique=False)
        batch_op.create_unique_constraint('measure_period', ['measure_id', 'period'])
        batch_op.drop_constraint(batch_op.f('fk_indicator_value_indicator_id_indicator'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_indicator_value_measure_id_indicator_measure'), 'indicator_measure', ['measure_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_column('indicator_id')

    connection = op.get_bind()
    if connection.scalar(sa.select(sa.func.count()).select_from(priority)):
        _bring_seeded_strategy_up_to_date(connection)


def _bring_seeded_strategy_up_to_date(connection):
    data = yaml.safe_load(FROZEN_STRATEGY.read_text(encoding="utf-8"))
    outcome_ids = dict(connection.execute(sa.select(outcome.c.code, outcome.c.id)).all())
    for priority_data in data["priorities"]:
        connection.execute(
            priority.update()
            .where(priority.c.position == priority_data["position"])
            .values(
                section=priority_data.get("section"),
                objective=(priority_data.get("objective") or "").strip(),
                reported_in=priority_data.get("reported_in", ""),
            )
        )
        for item in priority_data.get("outcomes", []):
            connection.execute(
                outcome.update()
                .where(outcome.c.code == item["code"])
                .values(
                    section=item["section"],
                    title=item["title"],
                    description=(item.get("description") or "").strip(),
                    code_is_portal_label=bool(item.get("portal_label", False)),
                )
            )
        for item in priority_data.get("key_tasks", []):
            task_id = connection.scalar(sa.select(key_task.c.id).where(key_task.c.code == item["code"]))
            if task_id is None:
                continue
            connection.execute(
                key_task.update()
                .where(key_task.c.id == task_id)
                .values(
                    section=item["section"],
                    title=item["title"],
                    progress=(item.get("progress") or "").strip(),
                    lead_responsibility=item.get("lead_responsibility"),
                    code_is_portal_label=bool(item.get("portal_label", False)),
                )
            )
            connection.execute(outcome_key_task.delete().where(outcome_key_task.c.key_task_id == task_id))
            for key, inferred in (("outcomes", False), ("inferred_outcomes", True)):
                for code in item.get(key, []):
                    connection.execute(
                        outcome_key_task.insert().values(
                            outcome_id=outcome_ids[code], key_task_id=task_id, inferred=inferred
                        )
                    )
        for item in priority_data.get("indicators", []):
            _bring_indicator_up_to_date(connection, item, outcome_ids, data["source"].strip())
    for slug, questions in QUESTION_INDICATORS.items():
        _link_questions_to_indicators(connection, slug, questions)


def _bring_indicator_up_to_date(connection, item, outcome_ids, default_source):
    indicator_id = connection.scalar(sa.select(indicator.c.id).where(indicator.c.code == item["code"]))
    if indicator_id is None:
        return
    connection.execute(
        indicator.update()
        .where(indicator.c.id == indicator_id)
        .values(
            section=item["section"],
            name=item["name"],
            description=(item.get("description") or "").strip(),
            better_when=item.get("better_when"),
            outcome_id=outcome_ids[item["outcome"]] if item.get("outcome") else None,
            outcome_inferred=bool(item.get("outcome_inferred", False)),
        )
    )
    only_measure = connection.scalar(
        sa.select(indicator_measure.c.id).where(indicator_measure.c.indicator_id == indicator_id)
    )
    values_of_measure = indicator_value.c.measure_id == only_measure
    seeded = values_of_measure & (indicator_value.c.recorded_by == SEED_RECORDER)
    loaded_at = connection.scalar(sa.select(sa.func.min(indicator_value.c.recorded_at)).where(seeded))
    connection.execute(indicator_value.delete().where(seeded))
    officers = connection.execute(
        sa.select(indicator_value.c.id, indicator_value.c.period, indicator_value.c.recorded_by)
        .where(values_of_measure)
        .order_by(indicator_value.c.position)
    ).all()
    loaded_at = loaded_at or datetime.now(timezone.utc).replace(tzinfo=None)

    measures = item.get("measures")
    if measures is None:
        # One series: the report's figures first, then what officers recorded after them. An
        # officer's figure for a period the corrected data now gives keeps a period of its own,
        # marked, so neither the report's figure nor theirs is lost.
        reported = item.get("values", [])
        periods = {str(v["period"]) for v in reported}
        for value_id, period, who in officers:
            if period in periods:
                connection.execute(
                    indicator_value.update()
                    .where(indicator_value.c.id == value_id)
                    .values(period=f"{period} (recorded by {who})"[:60])
                )
        _insert_values(connection, only_measure, reported, loaded_at, default_source)
        for position, (value_id, _, _) in enumerate(officers, start=len(reported) + 1):
            connection.execute(
                indicator_value.update().where(indicator_value.c.id == value_id).values(position=position)
            )
        return
    # Several series. Figures officers recorded before the series were told apart stay in a
    # measure of their own, since nothing says which series they belong to.
    if officers:
        connection.execute(
            indicator_measure.update()
            .where(indicator_measure.c.id == only_measure)
            .values(name="Recorded before the measures were separated", position=len(measures) + 1)
        )
    else:
        connection.execute(indicator_measure.delete().where(indicator_measure.c.id == only_measure))
    for position, measure_data in enumerate(measures, start=1):
        measure_id = connection.execute(
            indicator_measure.insert()
            .values(
                indicator_id=indicator_id,
                position=position,
                name=measure_data["name"],
                note=(measure_data.get("note") or "").strip(),
                cumulative=bool(measure_data.get("cumulative", False)),
            )
            .returning(indicator_measure.c.id)
        ).scalar_one()
        _insert_values(connection, measure_id, measure_data["values"], loaded_at, default_source)


def _insert_values(connection, measure_id, values, recorded_at, default_source):
    for position, value in enumerate(values, start=1):
        connection.execute(
            indicator_value.insert().values(
                measure_id=measure_id,
                position=position,
                period=str(value["period"]),
                value=None if value.get("value") is None else Decimal(str(value["value"])),
                target=None if value.get("target") is None else Decimal(str(value["target"])),
                unit=value["unit"],
                inferred=bool(value.get("inferred", False)),
                source=value.get("source", default_source),
                note=value.get("note", ""),
                recorded_at=recorded_at,
                recorded_by=SEED_RECORDER,
            )
        )


def _link_questions_to_indicators(connection, slug, questions):
    consultation = sa.table("consultation", sa.column("id", sa.Integer), sa.column("slug", sa.String))
    question = sa.table(
        "question",
        sa.column("id", sa.Integer), sa.column("consultation_id", sa.Integer), sa.column("key", sa.String),
    )
    link = sa.table("question_indicator", sa.column("question_id", sa.Integer), sa.column("indicator_id", sa.Integer))
    for key, codes in questions.items():
        question_id = connection.scalar(
            sa.select(question.c.id)
            .join(consultation, consultation.c.id == question.c.consultation_id)
            .where(consultation.c.slug == slug, question.c.key == key)
        )
        if question_id is None:
            continue
        for code in codes:
            indicator_id = connection.scalar(sa.select(indicator.c.id).where(indicator.c.code == code))
            linked = connection.scalar(
                sa.select(sa.func.count()).select_from(link)
                .where(link.c.question_id == question_id, link.c.indicator_id == indicator_id)
            )
            if indicator_id is not None and not linked:
                connection.execute(link.insert().values(question_id=question_id, indicator_id=indicator_id))


def downgrade():
    # Figures go back under their indicator; a named measure's figures keep its name in their
    # period, since one indicator could not hold two figures for one period before.
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.add_column(sa.Column('indicator_id', sa.INTEGER(), nullable=True))
    op.execute(
        indicator_value.update().values(
            indicator_id=sa.select(indicator_measure.c.indicator_id)
            .where(indicator_measure.c.id == indicator_value.c.measure_id)
            .scalar_subquery(),
            period=sa.case(
                (
                    sa.select(indicator_measure.c.name).where(indicator_measure.c.id == indicator_value.c.measure_id).scalar_subquery() == "",
                    indicator_value.c.period,
                ),
                else_=sa.func.substr(
                    indicator_value.c.period + " (" + sa.select(indicator_measure.c.name).where(indicator_measure.c.id == indicator_value.c.measure_id).scalar_subquery() + ")",
                    1,
                    60,
                ),
            ),
        )
    )
    # One order per indicator again: measure by measure, each in its own order.
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(indicator_value.c.id, indicator_measure.c.indicator_id)
        .join(indicator_measure, indicator_measure.c.id == indicator_value.c.measure_id)
        .order_by(indicator_measure.c.indicator_id, indicator_measure.c.position, indicator_value.c.position)
    ).all()
    position, previous = 0, None
    for value_id, indicator_id in rows:
        position = position + 1 if indicator_id == previous else 1
        previous = indicator_id
        connection.execute(indicator_value.update().where(indicator_value.c.id == value_id).values(position=position))
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.alter_column('indicator_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_indicator_value_measure_id_indicator_measure'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_indicator_value_indicator_id_indicator'), 'indicator', ['indicator_id'], ['id'])
        batch_op.drop_constraint('measure_period', type_='unique')
        batch_op.drop_index(batch_op.f('ix_indicator_value_measure_id'))
        batch_op.create_index(batch_op.f('ix_indicator_value_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_unique_constraint('indicator_period', ['indicator_id', 'period'])
        batch_op.drop_column('inferred')
        batch_op.drop_column('measure_id')

    with op.batch_alter_table('outcome_key_task', schema=None) as batch_op:
        batch_op.drop_column('inferred')
    with op.batch_alter_table('outcome', schema=None) as batch_op:
        batch_op.drop_column('code_is_portal_label')
    with op.batch_alter_table('key_task', schema=None) as batch_op:
        batch_op.drop_column('code_is_portal_label')
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_column('outcome_inferred')

    op.drop_table('question_indicator')
    with op.batch_alter_table('indicator_measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_measure_indicator_id'))
    op.drop_table('indicator_measure')
