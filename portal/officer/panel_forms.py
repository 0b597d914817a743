"""The form for one panel member's details."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from portal.forms import MaxLength, PortalForm
from portal.officer.builder_forms import GovukDateField
from portal.panel.models import AGE_BAND_LABELS
from portal.schools.models import DISTRICT_LABELS

NOT_KNOWN = SelectChoice("", _l("Not known"))


class MemberForm(PortalForm):
    reference = StringField(
        _l("Reference"),
        description=_l("The council's panel reference, for example WP-00123"),
        validators=[InputRequired(_l("Enter the reference")), MaxLength(30)],
    )
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter the name")), MaxLength(200)])
    email = StringField(
        _l("Email address"), description=_l("Optional if there is a postal address")
    )
    address = TextAreaField(
        _l("Postal address"), description=_l("Optional if there is an email address")
    )
    postcode = StringField(_l("Postcode"), description=_l("Optional"))
    district = SelectField(
        _l("District"),
        choices=[
            NOT_KNOWN,
            *(SelectChoice(d.value, label) for d, label in DISTRICT_LABELS.items()),
        ],
    )
    age_band = SelectField(
        _l("Age band"),
        choices=[
            NOT_KNOWN,
            *(SelectChoice(b.value, label) for b, label in AGE_BAND_LABELS.items()),
        ],
    )
    gender = StringField(_l("Gender"), description=_l("Optional, in the member's own words"))
    ethnicity = StringField(_l("Ethnic group"), description=_l("Optional"))
    disability = SelectField(
        _l("Disability"),
        choices=[NOT_KNOWN, SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
    )
    groups = StringField(
        _l("Groups"),
        description=_l(
            "Separate names with semicolons, for example: Warwickshire Panel; Rugby Bus User Group"
        ),
    )
    consent_date = GovukDateField(
        _l("Date consent was given"), description=_l("For example, 31 1 2006")
    )
    consent_wording = TextAreaField(
        _l("What the member consented to"),
        description=_l("The wording they agreed to, as it was shown to them"),
        validators=[InputRequired(_l("Enter the consent wording")), MaxLength(5000)],
    )
