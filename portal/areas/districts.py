"""Warwickshire's five districts and boroughs: where a school stands, where a panel member
lives, and how results are broken down. Low in the domain so schools, the panel and reporting
can all name a district without importing one another."""

from __future__ import annotations

import enum


class District(enum.StrEnum):
    """Warwickshire's five districts and boroughs."""

    NORTH_WARWICKSHIRE = "north_warwickshire"
    NUNEATON_BEDWORTH = "nuneaton_bedworth"
    RUGBY = "rugby"
    STRATFORD_ON_AVON = "stratford_on_avon"
    WARWICK = "warwick"

    @property
    def label(self) -> str:
        return DISTRICT_LABELS[self]


DISTRICT_LABELS = {
    District.NORTH_WARWICKSHIRE: "North Warwickshire",
    District.NUNEATON_BEDWORTH: "Nuneaton and Bedworth",
    District.RUGBY: "Rugby",
    District.STRATFORD_ON_AVON: "Stratford-on-Avon",
    District.WARWICK: "Warwick",
}
