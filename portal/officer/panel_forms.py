"""The form for one panel member's details."""

from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from portal.forms import PortalForm
from portal.officer.builder_forms import GovukDateField
from portal.panel.models import AGE_BAND_LABELS
from portal.schools.models import DISTRICT_LABELS

NOT_KNOWN = SelectChoice("", "Not known")


class MemberForm(PortalForm):
    reference = StringField(
        "Reference",
        description="The council's panel reference, for example WP-00123",
        validators=[InputRequired("Enter the reference"), Length(max=30)],
    )
    name = StringField("Name", validators=[InputRequired("Enter the name"), Length(max=200)])
    email = StringField("Email address", description="Optional if there is a postal address")
    address = TextAreaField("Postal address", description="Optional if there is an email address")
    postcode = StringField("Postcode", description="Optional")
    district = SelectField(
        "District",
        choices=[
            NOT_KNOWN,
            *(SelectChoice(d.value, label) for d, label in DISTRICT_LABELS.items()),
        ],
    )
    age_band = SelectField(
        "Age band",
        choices=[
            NOT_KNOWN,
            *(SelectChoice(b.value, label) for b, label in AGE_BAND_LABELS.items()),
        ],
    )
    gender = StringField("Gender", description="Optional, in the member's own words")
    ethnicity = StringField("Ethnic group", description="Optional")
    disability = SelectField(
        "Disability",
        choices=[NOT_KNOWN, SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
    )
    groups = StringField(
        "Groups",
        description="Separate names with semicolons, for example: Warwickshire Panel; "
        "Rugby Bus User Group",
    )
    consent_date = GovukDateField("Date consent was given", description="For example, 31 1 2006")
    consent_wording = TextAreaField(
        "What the member consented to",
        description="The wording they agreed to, as it was shown to them",
        validators=[InputRequired("Enter the consent wording"), Length(max=5000)],
    )
