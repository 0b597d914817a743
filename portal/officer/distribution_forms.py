"""Forms for handing out consultations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from portal.forms import PortalForm
from portal.schools.models import DISTRICT_LABELS, OutletKind


class DistrictChannelsForm(PortalForm):
    district = SelectField(
        _l("District"),
        choices=[SelectChoice(d.value, label) for d, label in DISTRICT_LABELS.items()],
        validators=[InputRequired(_l("Select a district"))],
    )


class OutletForm(PortalForm):
    kind = SelectField(
        _l("Kind of outlet"),
        choices=[SelectChoice(k.value, k.label) for k in OutletKind if k != OutletKind.SCHOOL],
    )
    name = StringField(
        _l("Name"),
        description=_l("For example: Rugby Library, or Bedworth Older People's Forum"),
        validators=[InputRequired(_l("Enter the outlet's name")), Length(max=200)],
    )


class SchoolAccountForm(PortalForm):
    email = StringField(
        _l("Email address of the member of staff"),
        validators=[InputRequired(_l("Enter their email address")), Length(max=254)],
    )
