"""routed consultations, postcode areas and their deprivation

Questions may ask for a postcode, of which only the sector is kept, and the council's lookup of
sectors to deprivation deciles has a table. An option no longer offered can be retired (kept
for the answers that chose it). Consultations can say why they run when they do.

A database seeded before this revision has its two seeded consultations brought to the wording
frozen in migrations/data/0020_consultations.yaml: the bullying consultation routes parents who
answer "No" past the questions about the bullying itself and asks four more questions; the
liveability survey asks about burglary, vehicle crime, anti-social behaviour, town centres and
public spaces, local schemes, user groups and the postcode area. Responses already given are
not touched: each keeps the snapshot of the wording it answered, and an option that someone
chose is retired rather than deleted. Their status and dates are left as they are.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 18:43:21.412190

"""
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import yaml
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

FROZEN_CONSULTATIONS = Path(__file__).resolve().parent.parent / "data" / "0020_consultations.yaml"
# The consultations as seeded before: one still exactly so is brought up to date; one an officer
# has changed since, or one that is closed, is left as it is.
SEEDED_BEFORE = Path(__file__).resolve().parent.parent / "data" / "0020_consultations_before.yaml"
OLD_TYPES = (
    "single_choice", "multiple_choice", "agreement_scale", "free_text", "rating", "number",
    "date", "short_text", "ranking", "matrix", "information",
)
NEW_TYPES = OLD_TYPES + ("postcode_sector",)
OLD_KINDS = ("choice", "statement")
NEW_KINDS = OLD_KINDS + ("retired",)
# What a downgrade writes on a postcode question, and an upgrade looks for to undo it.
DOWNGRADED_HINT = "This question is not asked in this version of the portal."


def _in(column, values):
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    op.create_table('area_deprivation',
    sa.Column('sector', sa.String(length=8), nullable=False),
    sa.Column('decile', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('decile BETWEEN 1 AND 10', name=op.f('ck_area_deprivation_decile_range')),
    sa.PrimaryKeyConstraint('sector', name=op.f('pk_area_deprivation'))
    )
    with op.batch_alter_table('area_deprivation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_deprivation_decile'), ['decile'], unique=False)

    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timing_note', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_question_questiontype'), type_='check')
        batch_op.create_check_constraint(op.f('ck_question_questiontype'), _in("type", NEW_TYPES))
    with op.batch_alter_table('option', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_option_optionkind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_option_optionkind'), _in("kind", NEW_KINDS))

    _undo_downgrades(op.get_bind())
    for message in bring_seeded_consultations_up_to_date(op.get_bind()):
        print(message)


consultation = sa.table(
    "consultation",
    sa.column("id", sa.Integer), sa.column("slug", sa.String), sa.column("summary", sa.Text),
    sa.column("who_for", sa.Text), sa.column("what_happens", sa.Text),
    sa.column("privacy_notice", sa.Text), sa.column("estimated_minutes", sa.Integer),
    sa.column("structure_version", sa.Integer), sa.column("status", sa.String),
    sa.column("closes_on", sa.Date),
)
page = sa.table(
    "page",
    sa.column("id", sa.Integer), sa.column("consultation_id", sa.Integer),
    sa.column("position", sa.Integer), sa.column("title", sa.String),
)
question = sa.table(
    "question",
    sa.column("id", sa.Integer), sa.column("consultation_id", sa.Integer),
    sa.column("page_id", sa.Integer), sa.column("position", sa.Integer),
    sa.column("key", sa.String), sa.column("type", sa.String), sa.column("text", sa.String),
    sa.column("hint", sa.Text), sa.column("required", sa.Boolean),
    sa.column("error_required", sa.String), sa.column("max_length", sa.Integer),
    sa.column("other_label", sa.String), sa.column("max_selections", sa.Integer),
)
option = sa.table(
    "option",
    sa.column("id", sa.Integer), sa.column("question_id", sa.Integer),
    sa.column("position", sa.Integer), sa.column("value", sa.String), sa.column("label", sa.String),
    sa.column("hint", sa.String), sa.column("exclusive", sa.Boolean),
    sa.column("scale_weight", sa.Integer), sa.column("kind", sa.String),
)
condition = sa.table(
    "display_condition",
    sa.column("id", sa.Integer), sa.column("consultation_id", sa.Integer),
    sa.column("page_id", sa.Integer), sa.column("question_id", sa.Integer),
    sa.column("source_question_id", sa.Integer), sa.column("operator", sa.String),
    sa.column("option_id", sa.Integer),
)
answer = sa.table(
    "answer",
    sa.column("question_id", sa.Integer), sa.column("option_id", sa.Integer),
    sa.column("statement_id", sa.Integer),
)
question_outcome = sa.table(
    "question_outcome", sa.column("question_id", sa.Integer), sa.column("outcome_id", sa.Integer)
)
question_indicator = sa.table(
    "question_indicator", sa.column("question_id", sa.Integer), sa.column("indicator_id", sa.Integer)
)
consultation_key_task = sa.table(
    "consultation_key_task",
    sa.column("consultation_id", sa.Integer), sa.column("key_task_id", sa.Integer),
)
outcome = sa.table("outcome", sa.column("id", sa.Integer), sa.column("code", sa.String))
key_task = sa.table("key_task", sa.column("id", sa.Integer), sa.column("code", sa.String))
indicator = sa.table("indicator", sa.column("id", sa.Integer), sa.column("code", sa.String))


def bring_seeded_consultations_up_to_date(connection):
    """Each seeded consultation that is not closed and still reads exactly as it was seeded is
    brought to the new wording; the others are left, and said so."""
    data = yaml.safe_load(FROZEN_CONSULTATIONS.read_text(encoding="utf-8"))
    before = {
        item["slug"]: item
        for item in yaml.safe_load(SEEDED_BEFORE.read_text(encoding="utf-8"))["consultations"]
    }
    messages = []
    for item in data["consultations"]:
        found = connection.execute(
            sa.select(consultation.c.id, consultation.c.status, consultation.c.closes_on).where(
                consultation.c.slug == item["slug"]
            )
        ).first()
        if found is None:
            continue
        # Ended by its date though still marked open: its results are being reported on.
        today = datetime.now(ZoneInfo("Europe/London")).date()
        ended = found.status == "open" and found.closes_on is not None and found.closes_on < today
        earlier = before[item["slug"]]
        if found.status == "closed" or ended:
            state = "has ended" if ended else "is closed"
            messages.append(f"0020: {item['slug']} {state}, so its wording is left as it was.")
        elif _as_stored(connection, found.id, item) == _as_seeded(item):
            messages.append(f"0020: {item['slug']} already reads as the new wording.")
        elif (
            _as_stored(connection, found.id, earlier) != _as_seeded(earlier)
            or _edited_beyond_the_wording(connection, found.id, earlier)
        ) and not (
            _new_but_for_retired_options(connection, found.id, item)
            and not _edited_beyond_the_wording(connection, found.id, item)
        ):
            messages.append(
                f"0020: {item['slug']} has been changed since it was seeded, so it is left as it "
                "is; see docs/consultations.md for the new questions, to add them in the builder."
            )
        else:
            bring_up_to_date(connection, item)
            messages.append(f"0020: {item['slug']} brought to the new wording.")
    return messages


def _undo_downgrades(connection):
    """Every postcode question a downgrade turned into information becomes one again, in any
    consultation, with the hint it had (kept after the downgrade's note) and, for a seeded
    one, whether it was required (others were optional: the builder's default for postcodes)."""
    seeded = {
        (item["slug"], q["key"]): q
        for item in yaml.safe_load(FROZEN_CONSULTATIONS.read_text(encoding="utf-8"))["consultations"]
        for page_data in item["pages"]
        for q in page_data["questions"]
        if q["type"] == "postcode_sector"
    }
    downgraded = connection.execute(
        sa.select(question.c.id, question.c.key, question.c.hint, consultation.c.slug)
        .join(consultation, consultation.c.id == question.c.consultation_id)
        .where(question.c.type == "information", question.c.hint.startswith(DOWNGRADED_HINT))
    ).all()
    for row in downgraded:
        kept_hint = row.hint[len(DOWNGRADED_HINT) :].strip()
        as_seeded = seeded.get((row.slug, row.key), {})
        connection.execute(
            question.update()
            .where(question.c.id == row.id)
            .values(
                type="postcode_sector",
                required=as_seeded.get("required", True) if as_seeded else False,
                # A downgrade by an earlier copy of this revision kept no hint: the seeded one.
                hint=kept_hint or (as_seeded.get("hint") or "").strip(),
            )
        )


def _new_but_for_retired_options(connection, consultation_id, item):
    """The new wording, with options a downgrade offered again (and bring_up_to_date retires)."""
    stored, seeded = _as_stored(connection, consultation_id, item), _as_seeded(item)
    return len(stored) == len(seeded) and all(
        have[:5] == want[:5] and set(want[5]) <= set(have[5]) for have, want in zip(stored, seeded)
    )


def _edited_beyond_the_wording(connection, consultation_id, item):
    """Whether anything else bring_up_to_date would rewrite differs from `item` as seeded:
    the start page's text, the time it takes, a question's being required, its error, its
    "Other" box or its most answers, or routing (neither earlier version had any)."""
    stored = connection.execute(
        sa.select(
            consultation.c.summary,
            consultation.c.who_for,
            consultation.c.what_happens,
            consultation.c.privacy_notice,
            consultation.c.estimated_minutes,
        ).where(consultation.c.id == consultation_id)
    ).one()
    seeded = (
        item["summary"].strip(),
        item.get("who_for", "").strip(),
        item.get("what_happens", "").strip(),
        item["privacy_notice"].strip(),
        item.get("estimated_minutes", 10),
    )
    if tuple((value or "").strip() if isinstance(value, str) else value for value in stored) != seeded:
        return True
    with_options = {
        q["key"]
        for page_data in item["pages"]
        for q in page_data["questions"]
        if q.get("options") or q.get("statements")
    }
    routed = connection.scalar(
        sa.select(sa.func.count()).select_from(condition).where(condition.c.consultation_id == consultation_id)
    )
    if routed and not any(
        q.get("show_if") or page_data.get("show_if")
        for page_data in item["pages"]
        for q in page_data["questions"]
    ):
        return True
    stored_tasks = set(
        connection.scalars(
            sa.select(key_task.c.code)
            .join(consultation_key_task, consultation_key_task.c.key_task_id == key_task.c.id)
            .where(consultation_key_task.c.consultation_id == consultation_id)
        )
    )
    if stored_tasks != set(item.get("key_tasks", [])):
        return True
    settings = {
        row.key: (
            bool(row.required),
            row.error_required or "",
            row.other_label or None,
            row.max_selections,
            row.max_length,
            _codes(connection, question_outcome, "outcome_id", outcome, row.id),
            _codes(connection, question_indicator, "indicator_id", indicator, row.id),
            [
                (value, hint or "", bool(exclusive))
                for value, hint, exclusive in connection.execute(
                    sa.select(option.c.value, option.c.hint, option.c.exclusive)
                    .where(option.c.question_id == row.id, option.c.kind != "retired")
                    .order_by(option.c.position)
                )
            ]
            if row.key in with_options
            else [],
        )
        for row in connection.execute(
            sa.select(
                question.c.id,
                question.c.key,
                question.c.required,
                question.c.error_required,
                question.c.other_label,
                question.c.max_selections,
                question.c.max_length,
            ).where(question.c.consultation_id == consultation_id)
        )
    }
    return any(
        settings[q["key"]]
        != (
            q.get("required", True),
            q.get("error_required", ""),
            q.get("other_label") or None,
            q.get("max_selections"),
            q.get("max_length"),
            set(q.get("outcomes", [])),
            set(q.get("indicators", [])),
            [
                (str(o["value"]), o.get("hint", "") or "", bool(o.get("exclusive", False)))
                for o in [*q.get("options", []), *q.get("statements", [])]
            ],
        )
        for page_data in item["pages"]
        for q in page_data["questions"]
        if q["key"] in settings
    )


def _codes(connection, link_table, column, target, question_id):
    """The codes of the outcomes (or indicators) a question is linked to."""
    return set(
        connection.scalars(
            sa.select(target.c.code)
            .join(link_table, link_table.c[column] == target.c.id)
            .where(link_table.c.question_id == question_id)
        )
    )


def _as_seeded(item):
    """Pages, questions and the options the data file gives, as plain values."""
    return [
        (
            page_data.get("title"),
            q["key"],
            q["type"],
            q["text"],
            (q.get("hint") or "").strip(),
            [(str(o["value"]), str(o["label"])) for o in [*q.get("options", []), *q.get("statements", [])]],
        )
        for page_data in item["pages"]
        for q in page_data["questions"]
    ]


def _as_stored(connection, consultation_id, item):
    """The same, as the database holds it now (options only where the data file gives some)."""
    given = {q["key"] for page_data in item["pages"] for q in page_data["questions"] if q.get("options") or q.get("statements")}
    rows = connection.execute(
        sa.select(page.c.title, question.c.id, question.c.key, question.c.type, question.c.text, question.c.hint)
        .join(page, page.c.id == question.c.page_id)
        .where(question.c.consultation_id == consultation_id)
        .order_by(page.c.position, question.c.position)
    ).all()
    stored = []
    for title, question_id, key, kind, text, hint in rows:
        options = []
        if key in given:
            options = [
                tuple(row)
                for row in connection.execute(
                    sa.select(option.c.value, option.c.label)
                    .where(option.c.question_id == question_id, option.c.kind != "retired")
                    .order_by(option.c.position)
                )
            ]
        stored.append((title, key, kind, text, hint, options))
    return stored


def bring_up_to_date(connection, item):
    """Bring one seeded consultation, if this database has it, to the frozen wording: pages,
    questions, options, routing and links to the strategy. What people answered stays."""
    consultation_id = connection.scalar(
        sa.select(consultation.c.id).where(consultation.c.slug == item["slug"])
    )
    if consultation_id is None:
        return
    codes = {
        "outcome": dict(connection.execute(sa.select(outcome.c.code, outcome.c.id)).all()),
        "key_task": dict(connection.execute(sa.select(key_task.c.code, key_task.c.id)).all()),
        "indicator": dict(connection.execute(sa.select(indicator.c.code, indicator.c.id)).all()),
    }
    connection.execute(
        consultation.update()
        .where(consultation.c.id == consultation_id)
        .values(
            summary=item["summary"].strip(),
            who_for=item.get("who_for", "").strip(),
            what_happens=item.get("what_happens", "").strip(),
            privacy_notice=item["privacy_notice"].strip(),
            estimated_minutes=item.get("estimated_minutes", 10),
            structure_version=consultation.c.structure_version + 1,
        )
    )
    connection.execute(
        consultation_key_task.delete().where(consultation_key_task.c.consultation_id == consultation_id)
    )
    for code in item.get("key_tasks", []):
        connection.execute(
            consultation_key_task.insert().values(
                consultation_id=consultation_id, key_task_id=codes["key_task"][code]
            )
        )
    # Routing is written afresh below; nothing of a response refers to it.
    connection.execute(condition.delete().where(condition.c.consultation_id == consultation_id))
    # Pages step aside first, so that their positions can be dealt out again.
    connection.execute(
        page.update().where(page.c.consultation_id == consultation_id).values(position=page.c.position + 1000)
    )
    existing = {
        row.key: row
        for row in connection.execute(
            sa.select(question.c.id, question.c.key, question.c.page_id).where(
                question.c.consultation_id == consultation_id
            )
        )
    }
    claimed = set()
    page_ids = []
    question_ids = {}
    for page_position, page_data in enumerate(item["pages"], start=1):
        page_id = next(
            (
                existing[q["key"]].page_id
                for q in page_data["questions"]
                if q["key"] in existing and existing[q["key"]].page_id not in claimed
            ),
            None,
        )
        if page_id is None:
            page_id = connection.execute(
                page.insert()
                .values(consultation_id=consultation_id, position=page_position, title=page_data.get("title"))
                .returning(page.c.id)
            ).scalar_one()
        else:
            connection.execute(
                page.update().where(page.c.id == page_id).values(position=page_position, title=page_data.get("title"))
            )
        claimed.add(page_id)
        page_ids.append(page_id)
        for position, q in enumerate(page_data["questions"], start=1):
            values = {
                "page_id": page_id,
                "position": position,
                "type": q["type"],
                "text": q["text"],
                "hint": (q.get("hint") or "").strip(),
                "required": q.get("required", True),
                "error_required": q.get("error_required", ""),
                "max_length": q.get("max_length"),
                "other_label": q.get("other_label"),
                "max_selections": q.get("max_selections"),
            }
            if q["key"] in existing:
                question_id = existing[q["key"]].id
                connection.execute(question.update().where(question.c.id == question_id).values(**values))
            else:
                question_id = connection.execute(
                    question.insert()
                    .values(consultation_id=consultation_id, key=q["key"], **values)
                    .returning(question.c.id)
                ).scalar_one()
            question_ids[q["key"]] = question_id
            _bring_options_up_to_date(connection, question_id, q)
            _link(connection, question_outcome, "outcome_id", question_id, q.get("outcomes", []), codes["outcome"])
            _link(connection, question_indicator, "indicator_id", question_id, q.get("indicators", []), codes["indicator"])
    # Pages left with nothing on them go.
    for (page_id,) in connection.execute(
        sa.select(page.c.id).where(page.c.consultation_id == consultation_id, page.c.id.not_in(page_ids))
    ).all():
        if not connection.scalar(sa.select(sa.func.count()).select_from(question).where(question.c.page_id == page_id)):
            connection.execute(page.delete().where(page.c.id == page_id))
    for page_id, page_data in zip(page_ids, item["pages"]):
        _add_conditions(connection, consultation_id, question_ids, page_data, page_id=page_id)
        for q in page_data["questions"]:
            _add_conditions(connection, consultation_id, question_ids, q, question_id=question_ids[q["key"]])


def _bring_options_up_to_date(connection, question_id, data):
    wanted = [*({**o, "kind": "choice"} for o in data.get("options", [])), *({**o, "kind": "statement"} for o in data.get("statements", []))]
    if not wanted:
        return  # options the type gives itself (agreement scales, ratings) stay as they are
    existing = {
        row.value: row.id
        for row in connection.execute(sa.select(option.c.id, option.c.value).where(option.c.question_id == question_id))
    }
    kinds = dict(connection.execute(sa.select(option.c.id, option.c.kind).where(option.c.question_id == question_id)).all())
    for position, o in enumerate(wanted, start=1):
        values = {
            "position": position,
            "label": str(o["label"]),
            "hint": o.get("hint", ""),
            "exclusive": o.get("exclusive", False),
            "scale_weight": o.get("scale_weight"),
            "kind": o["kind"],
        }
        value = str(o["value"])
        if value in existing:
            connection.execute(option.update().where(option.c.id == existing.pop(value)).values(**values))
        else:
            connection.execute(option.insert().values(question_id=question_id, value=value, **values))
    for position, option_id in enumerate(existing.values(), start=len(wanted) + 1):
        chosen = connection.scalar(
            sa.select(sa.func.count()).select_from(answer).where(
                sa.or_(answer.c.option_id == option_id, answer.c.statement_id == option_id)
            )
        )
        if chosen and kinds[option_id] == "statement":
            # A grid's row someone answered stays a row: there is no retired row, and no
            # seeded grid drops one.
            connection.execute(option.update().where(option.c.id == option_id).values(position=position))
        elif chosen:  # kept for the answers that chose it, no longer offered
            connection.execute(option.update().where(option.c.id == option_id).values(kind="retired", position=position))
        else:
            connection.execute(option.delete().where(option.c.id == option_id))


def _link(connection, table, column, question_id, wanted, ids):
    connection.execute(table.delete().where(table.c.question_id == question_id))
    for code in wanted:
        connection.execute(table.insert().values(question_id=question_id, **{column: ids[code]}))


def _add_conditions(connection, consultation_id, question_ids, data, page_id=None, question_id=None):
    for rule in data.get("show_if", []):
        source_id = question_ids[rule["question"]]
        option_id = connection.scalar(
            sa.select(option.c.id).where(option.c.question_id == source_id, option.c.value == str(rule["value"]))
        )
        connection.execute(
            condition.insert().values(
                consultation_id=consultation_id,
                page_id=page_id,
                question_id=question_id,
                source_question_id=source_id,
                operator=rule.get("operator", "equals"),
                option_id=option_id,
            )
        )


def downgrade():
    # The older schema knows neither retired options nor postcode questions. Retired options
    # become choices again (offered, as before this revision). A postcode question becomes a
    # block of information, which asks nothing: as short text it would collect full postcodes
    # under a hint promising not to. Upgrading again makes it a postcode question once more.
    # The consultations keep their newer wording.
    op.execute(option.update().where(option.c.kind == "retired").values(kind="choice"))
    # The question's own hint follows the note, for an upgrade to give back.
    op.execute(
        question.update()
        .where(question.c.type == "postcode_sector")
        .values(
            type="information",
            required=False,
            hint=sa.literal(DOWNGRADED_HINT + "\n\n") + sa.func.coalesce(question.c.hint, ""),
        )
    )
    with op.batch_alter_table('option', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_option_optionkind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_option_optionkind'), _in("kind", OLD_KINDS))
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_question_questiontype'), type_='check')
        batch_op.create_check_constraint(op.f('ck_question_questiontype'), _in("type", OLD_TYPES))
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.drop_column('timing_note')

    with op.batch_alter_table('area_deprivation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_deprivation_decile'))
    op.drop_table('area_deprivation')
