"""The results index's tables (portal/reporting/results_index.py explains the index).

A chunk holds, for one consultation and one range of response ids, a bitmap per answer and per
trait a filter can ask for. Its bitmaps are one blob (the bytes of each, in the order of
`keys`), so a results page reads one row per 16,384 response ids rather than a row per bitmap.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class ResultsIndexState(db.Model):  # type: ignore[name-defined]
    """One row per indexed consultation, locked by whoever changes its chunks: the builder
    while it builds one, and a correction or deletion before it marks one stale, so neither
    can overwrite what the other has just done."""

    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    )
    changes: Mapped[int] = mapped_column(default=0, server_default="0")


class ResultsIndexChunk(db.Model):  # type: ignore[name-defined]
    __table_args__ = (sa.UniqueConstraint("consultation_id", "base", name="results_index_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE")
    )
    # Response ids from `base` (a multiple of the chunk size; bit 0 is this id) up to, not
    # including, `end`: every response of the consultation in that range is in the bitmaps.
    base: Mapped[int]
    end: Mapped[int]
    # Set in the same transaction as a response in the range is corrected or deleted; a stale
    # chunk is not read (its responses are counted from the tables) until it is built again.
    stale: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    built_at: Mapped[datetime]
    # [[key, length in bytes], ...] in the order the bitmaps are laid end to end in `bitmaps`.
    keys: Mapped[list[Any]] = mapped_column(sa.JSON)
    bitmaps: Mapped[bytes] = mapped_column(sa.LargeBinary)
