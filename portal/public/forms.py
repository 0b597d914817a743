from flask_wtf import FlaskForm


class StartForm(FlaskForm):
    """Starting a response creates a draft on the server, so it is a POST with a CSRF token."""


class SubmitForm(FlaskForm):
    """The check-answers page's "Accept and send" button."""
