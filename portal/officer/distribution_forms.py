"""Forms for handing out consultations."""

from __future__ import annotations

from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from portal.forms import PortalForm
from portal.schools.models import DISTRICT_LABELS, OutletKind


class DistrictChannelsForm(PortalForm):
    district = SelectField(
        "District",
        choices=[SelectChoice(d.value, label) for d, label in DISTRICT_LABELS.items()],
        validators=[InputRequired("Select a district")],
    )


class OutletForm(PortalForm):
    kind = SelectField(
        "Kind of outlet",
        choices=[SelectChoice(k.value, k.label) for k in OutletKind if k != OutletKind.SCHOOL],
    )
    name = StringField(
        "Name",
        description="For example: Rugby Library, or Bedworth Older People's Forum",
        validators=[InputRequired("Enter the outlet's name"), Length(max=200)],
    )


class SchoolAccountForm(PortalForm):
    email = StringField(
        "Email address of the member of staff",
        validators=[InputRequired("Enter their email address"), Length(max=254)],
    )
