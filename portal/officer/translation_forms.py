"""Forms for a consultation's languages: adding one, uploading its PO file, marking it
checked. The editor beside the English reads its many boxes straight from the request
(translation_views.py), as their number depends on the consultation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired, InputRequired

from portal.forms import PortalForm


class AddLanguageForm(PortalForm):
    language = SelectField(
        _l("Language"),
        description=_l(
            "Languages the portal's own words (buttons, errors, the page furniture) are ready in"
        ),
        validators=[InputRequired(_l("Select a language"))],
    )


class PoUploadForm(PortalForm):
    po_file = FileField(
        _l("Upload the translated PO file"),
        description=_l(
            "The file downloaded from this page, translated. Translations you upload replace "
            "those held for the same texts; texts the file leaves untranslated are kept."
        ),
        validators=[FileRequired(_l("Select the translated PO file"))],
    )


class MarkCheckedForm(PortalForm):
    confirmed = BooleanField(
        _l("A qualified translator has checked every text against the English"),
        validators=[DataRequired(_l("Confirm that a qualified translator has checked every text"))],
    )
