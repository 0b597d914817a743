"""A postcode sector's deprivation decile, from the council's own lookup.

Section 3.3 of the report aims at safer streets "especially for pedestrians in the more
economically deprived communities". Responses keep only a postcode sector ("CV34 4"), and this
lookup, loaded from the council's CSV (`flask areas import`), says how deprived each sector is,
so results can be read by decile. The portal ships no figures of its own.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db

DECILES = range(1, 11)


class AreaDeprivation(db.Model):  # type: ignore[name-defined]
    __tablename__ = "area_deprivation"
    __table_args__ = (sa.CheckConstraint("decile BETWEEN 1 AND 10", name="decile_range"),)

    # "CV34 4": the outward code, a space, and the first digit of the inward code.
    sector: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    # 1 is the most deprived tenth of areas, 10 the least (the Index of Multiple Deprivation's
    # convention).
    decile: Mapped[int] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(sa.String(300))
    imported_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<AreaDeprivation {self.sector} {self.decile}>"
