"""Forms for administrators' pages."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Regexp

from portal.accounts.models import Role
from portal.accounts.service import EMAIL_PATTERN
from portal.forms import ChoiceField, PortalForm

# The roles as pages name them (the stored values are data: Role).
ROLE_NAMES = {
    Role.OFFICER: _l("Officer"),
    Role.ADMIN: _l("Administrator"),
    Role.SCHOOL: _l("School"),
}
# An account of each role, as a caption names it.
ROLE_ACCOUNTS = {
    Role.OFFICER: _l("Officer account"),
    Role.ADMIN: _l("Administrator account"),
    Role.SCHOOL: _l("School account"),
}
ROLE_HINTS = {
    Role.OFFICER.value: _l("Builds and runs consultations, reads results, manages the panel."),
    Role.ADMIN.value: _l(
        "Everything an officer does, and manages accounts and reads the audit "
        "log. Must use two-factor authentication."
    ),
    Role.SCHOOL.value: _l(
        "A member of a school's staff: sees that school's links and how many "
        "responded through them, never any answers."
    ),
}
ROLE_CHOICES = [SelectChoice(role.value, name) for role, name in ROLE_NAMES.items()]


class NewAccountForm(PortalForm):
    email = EmailField(
        _l("Email address"),
        description=_l("Their work email address. The link to choose a password is sent to it."),
        validators=[
            InputRequired(_l("Enter their email address")),
            Length(max=254, message=_l("The email address must be 254 characters or fewer")),
            # Checked here as well as when the account is made, so a form with a second
            # problem (no school chosen) reports both at once.
            Regexp(
                EMAIL_PATTERN,
                message=_l("Enter an email address in the correct format, like name@example.com"),
            ),
        ],
    )
    role = ChoiceField(
        _l("What is the account for?"),
        choices=ROLE_CHOICES,
        validators=[InputRequired(_l("Select what the account is for"))],
    )
    school = SelectField(
        _l("School"),
        description=_l("For a school account only: the school whose links they will see."),
        choices=[],
        validate_choice=False,
    )

    def __init__(self, schools: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.school.choices = [
            SelectChoice("", _l("Choose the school")),
            *(SelectChoice(value, label) for value, label in schools),
        ]
        self._school_ids = {value for value, _ in schools}

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.role.data == Role.SCHOOL.value and self.school.data not in self._school_ids:
            self.school.errors = [*self.school.errors, _("Choose the school the account is for")]
            valid = False
        return valid

    @property
    def school_id(self) -> int | None:
        """The chosen school, for a school account only (the list is there for any role
        without JavaScript)."""
        if self.role.data != Role.SCHOOL.value:
            return None
        return int(self.school.data)
