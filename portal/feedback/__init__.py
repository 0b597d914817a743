"""What respondents thought of the service: an optional rating and comment, kept apart from
their responses."""
