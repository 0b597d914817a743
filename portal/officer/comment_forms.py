"""Forms for coding and quoting comments."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.comments.service import QUOTE_MAX_LENGTH
from portal.forms import MaxLength, PortalForm
from portal.officer.forms import strip_whitespace


class ThemeForm(PortalForm):
    name = StringField(
        _l("Theme"),
        description=_l(
            "A short name, such as \u201cOnline bullying\u201d or \u201cStreet lighting\u201d"
        ),
        validators=[InputRequired(_l("Enter a name for the theme")), MaxLength(80)],
    )
    description = StringField(
        _l("What it covers (optional)"), validators=[Optional(), MaxLength(300)]
    )


class TagForm(PortalForm):
    """The comment's themes, all at once: what is ticked is what it will have."""

    themes = SelectMultipleField(_l("Themes"), coerce=int, validate_choice=False)


class QuoteForm(PortalForm):
    text = TextAreaField(
        _l("Words to publish"),
        description=_l(
            "Take out names, schools, places and anything else that could identify the "
            "respondent or a child, for example by writing [name removed]."
        ),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Enter the words to publish")),
            Length(
                max=QUOTE_MAX_LENGTH,
                message=_l("The words to publish must be 5,000 characters or fewer"),
            ),
        ],
    )
