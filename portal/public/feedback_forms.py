"""The form for "What did you think of this service?"."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from portal.feedback.models import SATISFACTION_LABELS, Satisfaction
from portal.feedback.service import COMMENT_MAX_LENGTH
from portal.i18n import format_number
from portal.public.forms import HoneypotForm

_LINE_BREAK = re.compile(r"\r\n?")


def _as_counted(value: str | None) -> str | None:
    """The comment as the character count on the page counts it: a browser sends each line
    break as two characters (CR LF) where the count saw one, and spaces around it are not
    kept."""
    return _LINE_BREAK.sub("\n", value).strip() if value else value


class FeedbackForm(HoneypotForm):
    """Both questions are optional, but not both at once."""

    rating = RadioField(
        _l("Overall, how did you feel about the service you received today?"),
        choices=[
            SelectChoice(rating.value, SATISFACTION_LABELS[rating]) for rating in Satisfaction
        ],
        validators=[Optional()],
        invalid_choice_message=_l("Select a rating from the list"),
    )
    comment = TextAreaField(
        _l("How could we improve this service?"),
        description=_l(
            "Do not include personal information, like your name, address or reference number."
        ),
        filters=[_as_counted],
        validators=[
            Length(
                max=COMMENT_MAX_LENGTH,
                # One number, always the same: one form of the sentence for it, the number
                # written as the page's language writes it (1,200; in Polish 1 200).
                message=LazyString(
                    lambda: _(
                        "Your comment must be %(count)s characters or fewer",
                        count=format_number(Decimal(COMMENT_MAX_LENGTH)),
                    )
                ),
            )
        ],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not self.rating.data and not self.comment.data:
            self.rating.errors = [_("Select a rating or write a comment")]
            return False
        return valid

    @property
    def satisfaction(self) -> Satisfaction | None:
        return Satisfaction(self.rating.data) if self.rating.data else None
