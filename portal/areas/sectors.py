"""Postcode sectors: the outward code and the first digit of the inward code ("CV34 4").

A sector covers a few thousand addresses, so it places a respondent in an area without placing
them at an address: the portal keeps only the sector of any postcode it is given.
"""

from __future__ import annotations

import re

_OUTWARD = r"([A-Z]{1,2}[0-9][A-Z0-9]?)"
_FULL = re.compile(_OUTWARD + r"([0-9])[A-Z]{2}")
# A sector needs its space: "CV34" is an outward code, never the sector "CV3 4".
_SECTOR = re.compile(_OUTWARD + r" ([0-9])")


def sector_of(text: str) -> str | None:
    """The sector of a full postcode ("cv34 4rl", "CV344RL") or of a sector as given
    ("CV34 4"), in capitals with one space; None when the text is neither."""
    spaced = " ".join(text.split()).upper()
    found = _FULL.fullmatch(spaced.replace(" ", "")) or _SECTOR.fullmatch(spaced)
    return f"{found.group(1)} {found.group(2)}" if found else None
