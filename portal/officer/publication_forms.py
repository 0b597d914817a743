"""Forms for drafting and publishing a consultation's results."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import MaxLength, PortalForm
from portal.officer.forms import strip_whitespace
from portal.publications.service import TEXT_MAX_LENGTH


class PublicationForm(PortalForm):
    introduction = TextAreaField(
        _l("Introduction (optional)"),
        description=_l("Who took part, how the results are being used, and what happens next."),
        filters=[strip_whitespace],
        validators=[Optional(), MaxLength(TEXT_MAX_LENGTH)],
    )
    questions = SelectMultipleField(
        _l("Questions to publish"),
        description=_l(
            "Choice questions show their counts and percentages, with small numbers hidden; "
            "comment questions show only the comments approved for quoting."
        ),
        coerce=int,
        validate_choice=False,
    )


class ActionForm(PortalForm):
    outcome = SelectField(_l("Strategy outcome it serves"), validate_choice=False)
    you_said = TextAreaField(
        _l("You said"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Enter what respondents said")),
            Length(max=TEXT_MAX_LENGTH, message=_l("You said must be 2,000 characters or fewer")),
        ],
    )
    we_did = TextAreaField(
        _l("We did"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Enter what the council did, or will do")),
            Length(max=TEXT_MAX_LENGTH, message=_l("We did must be 2,000 characters or fewer")),
        ],
    )
