"""Forms for coding and quoting comments."""

from __future__ import annotations

from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.comments.service import QUOTE_MAX_LENGTH
from portal.forms import PortalForm
from portal.officer.forms import strip_whitespace


class ThemeForm(PortalForm):
    name = StringField(
        "Theme",
        description=(
            "A short name, such as \u201cOnline bullying\u201d or \u201cStreet lighting\u201d"
        ),
        validators=[InputRequired("Enter a name for the theme"), Length(max=80)],
    )
    description = StringField("What it covers (optional)", validators=[Optional(), Length(max=300)])


class TagForm(PortalForm):
    """The comment's themes, all at once: what is ticked is what it will have."""

    themes = SelectMultipleField("Themes", coerce=int, validate_choice=False)


class QuoteForm(PortalForm):
    text = TextAreaField(
        "Words to publish",
        description=(
            "Take out names, schools, places and anything else that could identify the "
            "respondent or a child, for example by writing [name removed]."
        ),
        filters=[strip_whitespace],
        validators=[
            DataRequired("Enter the words to publish"),
            Length(
                max=QUOTE_MAX_LENGTH,
                message="The words to publish must be 5,000 characters or fewer",
            ),
        ],
    )
