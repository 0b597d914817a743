"""Outgoing email through the configured SMTP server.

Addresses are used to send and then forgotten: nothing here stores them.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app


class MailUnavailable(Exception):
    """No SMTP server is configured, or it refused the message."""


def mail_configured() -> bool:
    return bool(current_app.config["SMTP_HOST"])


def send_email(to: str, subject: str, body: str) -> None:
    config = current_app.config
    if not mail_configured():
        raise MailUnavailable("no SMTP server is configured")
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    # Without these, relays and spam filters count against the message.
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
    message.set_content(body)
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("Email could not be sent: %s", type(error).__name__)
        raise MailUnavailable(str(error)) from error
