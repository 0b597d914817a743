"""Forms for the register of schools. A school's details are checked by the same rules as a
row of the import (portal/schools/register.clean_school); these say only what must be given."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from portal.forms import PortalForm
from portal.schools.models import DISTRICT_LABELS, Phase


class SchoolForm(PortalForm):
    name = StringField("Name", validators=[InputRequired("Enter the school's name")])
    number = StringField(
        "School number",
        description="The DfE establishment number, for example 937/2031",
        validators=[InputRequired("Enter the school number")],
    )
    town = StringField("Town or village", description="Optional. Officers can search by it")
    phase = RadioField(
        "Phase",
        choices=[SelectChoice(phase.value, phase.label) for phase in Phase],
        validators=[InputRequired("Select the school's phase")],
    )
    district = RadioField(
        "District",
        choices=[SelectChoice(d.value, label) for d, label in DISTRICT_LABELS.items()],
        validators=[InputRequired("Select the school's district")],
    )
    pupils = StringField(
        "Number of pupils",
        description="Used to show responses per 100 pupils",
        validators=[InputRequired("Enter the number of pupils")],
    )


class SchoolImportForm(PortalForm):
    csv_file = FileField("Upload a CSV file", validators=[FileRequired("Select a CSV file")])
