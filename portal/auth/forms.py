from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from portal.accounts.service import MIN_PASSWORD_LENGTH
from portal.forms import PortalForm


class SignInForm(PortalForm):
    email = EmailField(
        "Email address",
        validators=[InputRequired("Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password", validators=[InputRequired("Enter your password"), Length(max=200)]
    )


class CodeForm(PortalForm):
    """A six-digit code from the authenticator app, or a recovery code."""

    code = StringField(
        "Code",
        validators=[InputRequired("Enter the code"), Length(max=20, message="Enter the code")],
    )


class ForgottenPasswordForm(PortalForm):
    email = EmailField(
        "Email address",
        validators=[InputRequired("Enter your email address"), Length(max=254)],
    )


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    """A new password and the same typed again, under the rule the command line applies."""
    rule = f"Your password must be at least {MIN_PASSWORD_LENGTH} characters"
    return (
        PasswordField(
            "New password",
            description=f"At least {MIN_PASSWORD_LENGTH} characters. A few words you will "
            "remember, strung together, make a strong one.",
            validators=[
                InputRequired("Enter a new password"),
                Length(min=MIN_PASSWORD_LENGTH, message=rule),
                Length(max=200, message="Your password must be 200 characters or fewer"),
            ],
        ),
        PasswordField(
            "Confirm new password",
            validators=[
                InputRequired("Enter the new password again"),
                EqualTo("password", message="The passwords do not match"),
            ],
        ),
    )


class NewPasswordForm(PortalForm):
    """Choosing a password through an emailed link."""

    password, password_again = _new_password_fields()


class ChangePasswordForm(PortalForm):
    """A signed-in user changing their own password."""

    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password"), Length(max=200)],
    )
    password, password_again = _new_password_fields()
