"""Forms for handing out consultations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from portal.forms import MaxLength, PortalForm
from portal.schools.models import DISTRICT_LABELS, OUTLET_KIND_LABELS, OutletKind


class DistrictChannelsForm(PortalForm):
    district = SelectField(
        _l("District"),
        choices=[SelectChoice(d.value, label) for d, label in DISTRICT_LABELS.items()],
        validators=[InputRequired(_l("Select a district"))],
    )


class OutletForm(PortalForm):
    kind = SelectField(
        _l("Kind of outlet"),
        choices=[
            SelectChoice(k.value, OUTLET_KIND_LABELS[k])
            for k in OutletKind
            if k != OutletKind.SCHOOL
        ],
    )
    name = StringField(
        _l("Name"),
        description=_l("For example: Rugby Library, or Bedworth Older People's Forum"),
        validators=[InputRequired(_l("Enter the outlet's name")), MaxLength(200)],
    )


class SchoolAccountForm(PortalForm):
    email = StringField(
        _l("Email address of the member of staff"),
        validators=[InputRequired(_l("Enter their email address")), MaxLength(254)],
    )
