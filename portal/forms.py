"""The base of every form in the portal."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm

# Control characters other than tab and line breaks never come from a keyboard, and PostgreSQL
# cannot store NUL: refuse them with an error rather than store or strip them silently.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class PortalForm(FlaskForm):
    """A Flask-WTF form (so CSRF-protected) that refuses invisible control characters in any
    field, with the field's own error, whatever validators the field names."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            values = field.data if isinstance(field.data, list) else [field.data]
            if any(isinstance(v, str) and CONTROL_CHARACTERS.search(v) for v in values):
                field.errors = [
                    *field.errors,
                    f"{field.label.text} must not contain unusual control characters",
                ]
                valid = False
        return valid
