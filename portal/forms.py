"""The base of every form in the portal."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import RadioField
from wtforms.csrf.core import CSRFTokenField
from wtforms.validators import InputRequired, Length, ValidationError

from portal.i18n import format_number

# What a date left partly empty is missing, each said whole, as GOV.UK says it; %(field)s
# names the date (a field's label, or "The 'sent on or after' date" of a results filter).
MISSING_DATE_PARTS = {
    ("day",): _l("%(field)s must include a day"),
    ("month",): _l("%(field)s must include a month"),
    ("year",): _l("%(field)s must include a year"),
    ("day", "month"): _l("%(field)s must include a day and month"),
    ("day", "year"): _l("%(field)s must include a day and year"),
    ("month", "year"): _l("%(field)s must include a month and year"),
}

# Control characters other than tab and line breaks never come from a keyboard, and PostgreSQL
# cannot store NUL: refuse them with an error rather than store or strip them silently.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What an HTML page cannot carry at all: those controls and Unicode's non-characters. A form
# refused for holding them shows what was typed without them, so the page stays valid HTML.
_NOT_IN_HTML = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef"
    + "".join(chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF) for plane in range(17))
    + "]"
)
_LINE_BREAKS = re.compile(r"\r\n?|\n")


def as_shown(text: Any, one_line: bool = True) -> str:
    """Text typed into a form, ready to show in it again: without characters HTML cannot carry,
    and, for a one-line input, with its line breaks (pasted in) as spaces."""
    shown = _NOT_IN_HTML.sub("", "" if text is None else str(text))
    return _LINE_BREAKS.sub(" ", shown) if one_line else shown


class CsrfForm(FlaskForm):
    """A Flask-WTF form whose CSRF token field is written as plain HTML, the same as WTForms'
    hidden-input widget writes it: the widget's generic attribute handling was 4% of a question
    page's CPU (bench/results.md)."""

    class Meta:
        def render_field(self, field: Any, render_kw: dict[str, Any]) -> Markup:
            if isinstance(field, CSRFTokenField) and set(render_kw) <= {"id"}:
                element_id = render_kw.get("id", field.id)
                # The widget leaves out an attribute set to False.
                id_attribute = "" if element_id is False else Markup(' id="{}"').format(element_id)
                return Markup('<input{} name="{}" type="hidden" value="{}">').format(
                    id_attribute, field.name, field.current_token
                )
            return super().render_field(field, render_kw)  # type: ignore[misc]


class PortalForm(CsrfForm):
    """A Flask-WTF form (so CSRF-protected) that refuses invisible control characters in any
    field, with the field's own error, whatever validators the field names."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            values = field.data if isinstance(field.data, list) else [field.data]
            if any(isinstance(v, str) and CONTROL_CHARACTERS.search(v) for v in values):
                field.errors = [
                    *field.errors,
                    _(
                        "%(field)s must not contain unusual control characters",
                        field=field.label.text,
                    ),
                ]
                valid = False
        return valid


class ConfirmForm(PortalForm):
    """A button that changes something (publish, close, disable, withdraw): nothing to fill in
    but the CSRF token."""


class ChoiceField(RadioField):
    """Radios whose answer must be one of the choices, saying what to do (GOV.UK's "Select
    ...") when a posted value is not one, rather than WTForms' "Not a valid choice." The
    message is the field's InputRequired message."""

    def pre_validate(self, form: Any) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            required = next((v for v in self.validators if isinstance(v, InputRequired)), None)
            if required is None or not required.message:
                raise
            raise ValidationError(required.message) from None


class MaxLength(Length):
    """At most `max` characters, said as GOV.UK says it ("Title must be 200 characters or
    fewer") and in the page's language, rather than WTForms' "Field cannot be longer than 200
    characters." (its own catalogues are off, WTF_I18N_ENABLED)."""

    def __init__(self, max: int) -> None:
        super().__init__(max=max)

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is not None and len(field.data) > self.max:
            raise ValidationError(
                ngettext(
                    "%(field)s must be %(count)s character or fewer",
                    "%(field)s must be %(count)s characters or fewer",
                    self.max,
                    field=field.label.text,
                    count=format_number(Decimal(self.max)),
                )
            )
