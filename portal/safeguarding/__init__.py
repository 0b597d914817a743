"""Safeguarding: comments that suggest a child may be at risk, flagged for an officer."""

from portal.safeguarding import flagging  # noqa: F401  (flags answers as responses are stored)
