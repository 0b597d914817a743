"""Forms for the register of schools. A school's details are checked by the same rules as a
row of the import (portal/schools/register.clean_school); these say only what must be given."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from portal.forms import PortalForm
from portal.schools.models import DISTRICT_LABELS, PHASE_LABELS, Phase


class SchoolForm(PortalForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter the school's name"))])
    number = StringField(
        _l("School number"),
        description=_l("The DfE establishment number, for example 937/2031"),
        validators=[InputRequired(_l("Enter the school number"))],
    )
    town = StringField(_l("Town or village"), description=_l("Optional. Officers can search by it"))
    phase = RadioField(
        _l("Phase"),
        choices=[SelectChoice(phase.value, PHASE_LABELS[phase]) for phase in Phase],
        validators=[InputRequired(_l("Select the school's phase"))],
    )
    district = RadioField(
        _l("District"),
        choices=[SelectChoice(d.value, label) for d, label in DISTRICT_LABELS.items()],
        validators=[InputRequired(_l("Select the school's district"))],
    )
    pupils = StringField(
        _l("Number of pupils"),
        description=_l("Used to show responses per 100 pupils"),
        validators=[InputRequired(_l("Enter the number of pupils"))],
    )


class SchoolImportForm(PortalForm):
    csv_file = FileField(
        _l("Upload a CSV file"), validators=[FileRequired(_l("Select a CSV file"))]
    )
