"""The crime and disorder reduction strategy: priorities, outcomes, key tasks and indicators.

Each item carries the section number of the committee report it comes from, so officers can go
from a figure on screen back to the paragraph that reported it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db

outcome_key_task = sa.Table(
    "outcome_key_task",
    db.metadata,
    sa.Column("outcome_id", sa.ForeignKey("outcome.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("key_task_id", sa.ForeignKey("key_task.id", ondelete="CASCADE"), primary_key=True),
)


class Priority(db.Model):  # type: ignore[name-defined]
    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # None for the three priorities reported to an earlier committee and only named in this report.
    section: Mapped[str | None] = mapped_column(sa.String(20))
    objective: Mapped[str] = mapped_column(sa.Text, default="")
    reported_in: Mapped[str] = mapped_column(sa.String(300), default="")

    outcomes: Mapped[list[Outcome]] = relationship(
        back_populates="priority", order_by="Outcome.position", cascade="all, delete-orphan"
    )
    key_tasks: Mapped[list[KeyTask]] = relationship(
        back_populates="priority", order_by="KeyTask.position", cascade="all, delete-orphan"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="priority", order_by="Indicator.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Priority {self.position} {self.title!r}>"


class Outcome(db.Model):  # type: ignore[name-defined]
    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = mapped_column(sa.ForeignKey("priority.id"), index=True)
    # Unique reference used by seed data and question links, e.g. "2.2.1" or "3.3b".
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    section: Mapped[str] = mapped_column(sa.String(20))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")

    priority: Mapped[Priority] = relationship(back_populates="outcomes")
    key_tasks: Mapped[list[KeyTask]] = relationship(
        secondary=outcome_key_task, back_populates="outcomes", order_by="KeyTask.position"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="outcome", order_by="Indicator.position"
    )

    def __repr__(self) -> str:
        return f"<Outcome {self.code}>"


class KeyTask(db.Model):  # type: ignore[name-defined]
    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = mapped_column(sa.ForeignKey("priority.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    section: Mapped[str] = mapped_column(sa.String(20))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    progress: Mapped[str] = mapped_column(sa.Text, default="")
    lead_responsibility: Mapped[str | None] = mapped_column(sa.String(200))

    priority: Mapped[Priority] = relationship(back_populates="key_tasks")
    outcomes: Mapped[list[Outcome]] = relationship(
        secondary=outcome_key_task, back_populates="key_tasks", order_by="Outcome.position"
    )

    def __repr__(self) -> str:
        return f"<KeyTask {self.code}>"


class Indicator(db.Model):  # type: ignore[name-defined]
    """A measured quantity the report tracks; its figures over time are IndicatorValues."""

    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = mapped_column(sa.ForeignKey("priority.id"), index=True)
    outcome_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outcome.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    section: Mapped[str] = mapped_column(sa.String(20))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # "higher" or "lower" is better; None where the report sets no direction.
    better_when: Mapped[str | None] = mapped_column(sa.String(10))

    priority: Mapped[Priority] = relationship(back_populates="indicators")
    outcome: Mapped[Outcome | None] = relationship(back_populates="indicators")
    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="indicator", order_by="IndicatorValue.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Indicator {self.code}>"


class IndicatorValue(db.Model):  # type: ignore[name-defined]
    """One reported figure: a value for a period, with the target where the report gives one."""

    __table_args__ = (sa.UniqueConstraint("indicator_id", "period", name="indicator_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicator.id"), index=True)
    position: Mapped[int]
    period: Mapped[str] = mapped_column(sa.String(60))
    # None where the report says "not known" or "to be confirmed" (the note says which).
    value: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    target: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    unit: Mapped[str] = mapped_column(sa.String(30))
    source: Mapped[str] = mapped_column(sa.String(300))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    recorded_by: Mapped[str] = mapped_column(sa.String(200), default="seed data")

    indicator: Mapped[Indicator] = relationship(back_populates="values")

    def __repr__(self) -> str:
        return f"<IndicatorValue {self.period} {self.value}>"
