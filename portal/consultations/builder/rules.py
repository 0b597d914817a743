"""What every part of the builder refuses, and how it names new keys and values."""

from __future__ import annotations

import re
import unicodedata

MAX_KEY_LENGTH = 60


class ChangeRefused(Exception):
    """A change that would break the consultation or the meaning of stored answers."""


class OptionRefused(ChangeRefused):
    """An option cannot be removed; `option_value` says which, so the form can say it there."""

    def __init__(self, message: str, option_value: str) -> None:
        super().__init__(message)
        self.option_value = option_value


def slugify(text: str, separator: str = "-", limit: int = MAX_KEY_LENGTH) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", separator, ascii_text.lower()).strip(separator)
    return slug[:limit].strip(separator) or "item"


def unique_name(base: str, taken: set[str], separator: str) -> str:
    candidate, number = base, 2
    while candidate in taken:
        suffix = f"{separator}{number}"
        candidate = base[: MAX_KEY_LENGTH - len(suffix)] + suffix
        number += 1
    return candidate


def refuse_if_answered(answered: bool, refusal: str) -> None:
    """`answered`: whether anyone has responded, which the caller asks of the responses
    (portal.officer.builder_support.has_responses): responses sit above consultations.
    `refusal`: the whole sentence saying what cannot be done, and why (each is its own message
    in the catalogue: "You cannot delete a question because people have already responded...").
    """
    if answered:
        raise ChangeRefused(refusal)
