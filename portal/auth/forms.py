from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from portal.accounts.service import MIN_PASSWORD_LENGTH
from portal.forms import MaxLength, PortalForm


class SignInForm(PortalForm):
    email = EmailField(
        _l("Email address"),
        validators=[InputRequired(_l("Enter your email address")), MaxLength(254)],
    )
    password = PasswordField(
        _l("Password"), validators=[InputRequired(_l("Enter your password")), MaxLength(200)]
    )


class CodeForm(PortalForm):
    """A six-digit code from the authenticator app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[
            InputRequired(_l("Enter the code")),
            Length(max=20, message=_l("Enter the code")),
        ],
    )


class ForgottenPasswordForm(PortalForm):
    email = EmailField(
        _l("Email address"),
        validators=[InputRequired(_l("Enter your email address")), MaxLength(254)],
    )


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    """A new password and the same typed again, under the rule the command line applies."""
    rule = _l("Your password must be at least %(count)s characters", count=MIN_PASSWORD_LENGTH)
    return (
        PasswordField(
            _l("New password"),
            description=_l(
                "At least %(count)s characters. A few words you will remember, strung "
                "together, make a strong one.",
                count=MIN_PASSWORD_LENGTH,
            ),
            validators=[
                InputRequired(_l("Enter a new password")),
                Length(min=MIN_PASSWORD_LENGTH, message=rule),
                Length(max=200, message=_l("Your password must be 200 characters or fewer")),
            ],
        ),
        PasswordField(
            _l("Confirm new password"),
            validators=[
                InputRequired(_l("Enter the new password again")),
                EqualTo("password", message=_l("The passwords do not match")),
            ],
        ),
    )


class NewPasswordForm(PortalForm):
    """Choosing a password through an emailed link."""

    password, password_again = _new_password_fields()


class ChangePasswordForm(PortalForm):
    """A signed-in user changing their own password."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password")), MaxLength(200)],
    )
    password, password_again = _new_password_fields()
