import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.forms import MaxLength, PortalForm
from portal.strategy.figures import UNIT_LABELS


def strip_whitespace(value: str | None) -> str | None:
    """A WTForms filter: what was typed, without the spaces around it (so "  " is empty)."""
    return value.strip() if value else value


# A number as people write one: digits, perhaps a minus sign, a decimal point and thousands
# separators. Not "1e3", "nan" or "inf", which Python's Decimal would otherwise take.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


class NumberField(DecimalField):
    """A decimal with GOV.UK wording when what was typed is not a number."""

    def process_formdata(self, valuelist: list[str]) -> None:
        typed = [v.replace(",", "").strip() for v in valuelist]
        try:
            if any(text and not _PLAIN_NUMBER.fullmatch(text) for text in typed):
                raise ValueError
            super().process_formdata(typed)
        except ValueError:
            self.data = None
            raise ValueError(
                _("%(field)s must be a number, like 1150 or 5.6", field=self.label.text)
            ) from None


class IndicatorValueForm(PortalForm):
    # Only asked where the indicator has several measures (longest and average wait, say); the
    # view sets the choices.
    measure = RadioField(
        _l("Which measure is the figure for?"),
        coerce=int,
        description=_l("Figures are compared only with earlier figures of the same measure"),
        validators=[InputRequired(_l("Select which measure the figure is for"))],
    )
    period = StringField(
        _l("Period"),
        description=_l(
            "As the report writes periods, for example 2006/7, 2006/7 Q1 or October 2006. "
            "Add figures in time order: the direction of change compares the latest two"
        ),
        validators=[InputRequired(_l("Enter the period the figure is for")), MaxLength(60)],
    )
    value = NumberField(
        _l("Value"),
        places=None,
        description=_l("Leave empty if only a target is known"),
        validators=[Optional()],
    )
    target = NumberField(
        _l("Target"), places=None, description=_l("Optional"), validators=[Optional()]
    )
    unit = SelectField(
        _l("Unit"), choices=[SelectChoice(u, label) for u, label in UNIT_LABELS.items()]
    )
    source = StringField(
        _l("Source"),
        validators=[InputRequired(_l("Enter where the figure comes from")), MaxLength(300)],
    )
    note = TextAreaField(
        _l("Note"), description=_l("Optional"), validators=[Optional(), MaxLength(2000)]
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)
        if valid and self.value.data is None and self.target.data is None:
            self.value.errors.append(_("Enter a value, a target or both"))
            return False
        for field in (self.value, self.target):
            figure = field.data
            if figure is None or field.errors:
                continue
            # Figures are kept to two decimal places, up to 999,999,999,999.99: refuse what
            # would be rounded or cannot be kept, rather than change it quietly.
            if figure.as_tuple().exponent < -2:
                field.errors.append(
                    _(
                        "%(field)s must have no more than 2 decimal places",
                        field=field.label.text,
                    )
                )
                valid = False
            elif abs(figure) >= 10**12:
                field.errors.append(
                    _("%(field)s must be less than 1,000,000,000,000", field=field.label.text)
                )
                valid = False
        return valid


class ReviewForm(PortalForm):
    """What an officer did about a comment on the safeguarding queue."""

    note = TextAreaField(
        _l("What you did"),
        description=_l(
            "For example: passed to the designated safeguarding lead; or read, no concern. "
            "Do not copy the comment or anyone's details here."
        ),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Enter what you did about this comment")),
            Length(max=2000, message=_l("What you did must be 2,000 characters or fewer")),
        ],
    )
