"""Free-text analysis: officers' themes on comments, and comments chosen for publication."""
