"""Codes people read out or type: response references, school and panel links' codes."""

from __future__ import annotations

import secrets

# No vowels (so no words), no 0/O, 1/I/L or U/V look-alikes: easy to read out over the phone.
REFERENCE_ALPHABET = "BCDFGHJKMNPQRSTWXZ23456789"


def random_code(length: int) -> str:
    """`length` characters of REFERENCE_ALPHABET, every code equally likely. Drawn as one
    number from the system's random source and written in base 26: one call instead of one
    per character, which on a busy server was a system call each (bench/results.md)."""
    number = secrets.randbelow(len(REFERENCE_ALPHABET) ** length)
    characters = []
    for _ in range(length):
        number, digit = divmod(number, len(REFERENCE_ALPHABET))
        characters.append(REFERENCE_ALPHABET[digit])
    return "".join(characters)
