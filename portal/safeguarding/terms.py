"""Finding a consultation's safeguarding words in a comment.

Matching is whole words and phrases, any capitals, any spacing ("Self  Harm" matches
"self harm"), so "abuse" does not match "disabused". It is a prompt for a person to read the
comment, never a judgement: see docs/safeguarding.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@lru_cache(maxsize=64)
def _pattern(terms: str) -> re.Pattern[str] | None:
    """One regular expression for a consultation's list (cached by the list's text)."""
    words = [" ".join(line.split()) for line in terms.splitlines() if line.strip()]
    if not words:
        return None
    alternatives = sorted((r"\s+".join(map(re.escape, w.split(" "))) for w in words), key=len)
    return re.compile(r"(?<!\w)(" + "|".join(reversed(alternatives)) + r")(?!\w)", re.IGNORECASE)


def matches(terms: str, text: str) -> list[str]:
    """The safeguarding words found in `text`, lower-cased, each once, in order."""
    pattern = _pattern(terms)
    if pattern is None or not text:
        return []
    found = [" ".join(m.group(1).lower().split()) for m in pattern.finditer(text)]
    return list(dict.fromkeys(found))


@dataclass
class Segment:
    text: str
    matched: bool


def segments(terms: str, text: str) -> list[Segment]:
    """The comment split around its safeguarding words, so the page can mark them while
    escaping everything."""
    pattern = _pattern(terms)
    if pattern is None:
        return [Segment(text, False)]
    found, position = [], 0
    for match in pattern.finditer(text):
        if match.start() > position:
            found.append(Segment(text[position : match.start()], False))
        found.append(Segment(match.group(0), True))
        position = match.end()
    if position < len(text):
        found.append(Segment(text[position:], False))
    return found
