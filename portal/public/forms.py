from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Regexp, ValidationError

from portal.forms import MaxLength, PortalForm

HONEYPOT_FIELD = "leave_this_empty"


def _left_empty(form: PortalForm, field: StringField) -> None:
    if field.data:
        raise ValidationError(_("Leave this empty"))


def honeypot_filled(formdata: Mapping[str, str]) -> bool:
    """HoneypotForm's rule on posted data, for a POST whose form would hold nothing else:
    sending a response, the busiest POST, where building the form was a thirtieth of its
    CPU (bench/results.md). The CSRF token is checked for every POST by CSRFProtect."""
    return bool(formdata.get(HONEYPOT_FIELD))


class HoneypotForm(PortalForm):
    """A box people never see or reach (moved off screen, hidden from assistive technology and
    out of the tab order) that form-filling bots tend to fill: a form that comes back with it
    filled is refused and nothing is stored."""

    # Named HONEYPOT_FIELD, which honeypot_filled reads.
    leave_this_empty = StringField(_l("Leave this empty"), validators=[_left_empty])


class StartForm(HoneypotForm):
    """Starting a response creates a draft on the server, so it is a POST with a CSRF token."""


class SubmitForm(HoneypotForm):
    """The check-answers page's "Accept and send" button."""


class ResumeForm(PortalForm):
    code = StringField(
        _l("Resume code"),
        description=_l("The 12 letters and numbers you were given, like BCDF-GHJK-MNPQ"),
        validators=[InputRequired(_l("Enter your resume code")), MaxLength(40)],
    )


class EmailLinkForm(PortalForm):
    email = StringField(
        _l("Email address"),
        description=_l("We use it only to send this link, then delete it"),
        validators=[
            InputRequired(_l("Enter your email address")),
            MaxLength(254),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message=_l("Enter an email address in the correct format, like name@example.com"),
            ),
        ],
    )
