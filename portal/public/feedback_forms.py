"""The form for "What did you think of this service?"."""

from __future__ import annotations

import re
from typing import Any

from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from portal.feedback.models import Satisfaction
from portal.feedback.service import COMMENT_MAX_LENGTH
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
        "Overall, how did you feel about the service you received today?",
        choices=[SelectChoice(rating.value, rating.label) for rating in Satisfaction],
        validators=[Optional()],
        invalid_choice_message="Select a rating from the list",
    )
    comment = TextAreaField(
        "How could we improve this service?",
        description="Do not include personal information, like your name, address or "
        "reference number.",
        filters=[_as_counted],
        validators=[
            Length(
                max=COMMENT_MAX_LENGTH,
                message=f"Your comment must be {COMMENT_MAX_LENGTH:,} characters or fewer",
            )
        ],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not self.rating.data and not self.comment.data:
            self.rating.errors = ["Select a rating or write a comment"]
            return False
        return valid

    @property
    def satisfaction(self) -> Satisfaction | None:
        return Satisfaction(self.rating.data) if self.rating.data else None
