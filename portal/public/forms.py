from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length, Regexp


class StartForm(FlaskForm):
    """Starting a response creates a draft on the server, so it is a POST with a CSRF token."""


class SubmitForm(FlaskForm):
    """The check-answers page's "Accept and send" button."""


class ResumeForm(FlaskForm):
    code = StringField(
        "Resume code",
        description="The 12 letters and numbers you were given, like BCDF-GHJK-MNPQ",
        validators=[InputRequired("Enter your resume code"), Length(max=40)],
    )


class EmailLinkForm(FlaskForm):
    email = StringField(
        "Email address",
        description="We use it only to send this link, then delete it",
        validators=[
            InputRequired("Enter your email address"),
            Length(max=254),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message="Enter an email address in the correct format, like name@example.com",
            ),
        ],
    )
