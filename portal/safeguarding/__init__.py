"""Safeguarding: comments that suggest a child may be at risk, flagged for an officer."""
