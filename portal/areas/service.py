"""Loading the council's lookup of postcode sectors to deprivation deciles, and reading it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TextIO

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.areas.models import DECILES, AreaDeprivation
from portal.areas.sectors import sector_of
from portal.csv_import import ImportReport, checked_rows
from portal.extensions import db
from portal.url_values import whole_number

REQUIRED_COLUMNS = ("postcode_sector", "decile")


def _area_values(row: dict[str, Any]) -> dict[str, Any]:
    """One row's sector and decile, or every reason it cannot be used."""
    problems = []
    raw_sector = (row.get("postcode_sector") or "").strip()
    sector = sector_of(raw_sector)
    if sector is None or sector != " ".join(raw_sector.upper().split()):
        problems.append(
            _(
                "postcode sector %(value)s is not a sector: give the first part of the "
                "postcode, a space and the next number, like CV34 4",
                value=repr(raw_sector),
            )
        )
    raw_decile = (row.get("decile") or "").strip()
    decile = whole_number(raw_decile)
    if decile not in DECILES:
        problems.append(
            _("decile %(value)s must be a whole number from 1 to 10", value=repr(raw_decile))
        )
    if problems:
        raise ValueError("; ".join(problems))
    return {"sector": sector, "decile": decile}


def import_areas(handle: TextIO, skip_invalid: bool = False, source: str = "") -> ImportReport:
    """Check every row; then add new sectors and update known ones, in one transaction. Any
    bad row stops the whole import unless `skip_invalid`. Responses keep their sectors, so a
    new lookup re-reads every earlier response by its decile at once."""
    rows, report = checked_rows(
        handle,
        REQUIRED_COLUMNS,
        _area_values,
        "sector",
        _l("postcode sector %(value)s appears twice in the file"),
    )
    if report.problems and not skip_invalid:
        return report
    now = datetime.now(UTC).replace(tzinfo=None)
    existing = {
        area.sector: area
        for area in db.session.scalars(
            sa.select(AreaDeprivation).where(AreaDeprivation.sector.in_(list(rows)))
        )
    }
    for sector, values in rows.items():
        area = existing.get(sector)
        if area is None:
            db.session.add(
                AreaDeprivation(
                    sector=sector, decile=values["decile"], source=source, imported_at=now
                )
            )
            report.created += 1
        else:
            area.decile, area.source, area.imported_at = values["decile"], source, now
            report.updated += 1
    db.session.commit()
    report.imported = True
    return report


def areas_loaded() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AreaDeprivation)) or 0
