from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import InputRequired, Length

from portal.forms import PortalForm


class SignInForm(PortalForm):
    email = EmailField(
        "Email address",
        validators=[InputRequired("Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password", validators=[InputRequired("Enter your password"), Length(max=200)]
    )


class SignOutForm(PortalForm):
    """Signing out changes state, so it is a POST with a CSRF token."""


class CodeForm(PortalForm):
    """A six-digit code from the authenticator app, or a recovery code."""

    code = StringField(
        "Code",
        validators=[InputRequired("Enter the code"), Length(max=20, message="Enter the code")],
    )
