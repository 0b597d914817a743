"""Forms of the consultation builder. Each is plain HTML first; HTMX only posts them in place."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.consultations.models import ConditionOperator
from portal.consultations.question_types import REGISTRY
from portal.consultations.question_types.structured import MAX_DECIMAL_PLACES, NUMBER_LIMIT
from portal.forms import CONTROL_CHARACTERS, MISSING_DATE_PARTS, MaxLength, PortalForm
from portal.officer.forms import NumberField

DATE_PARTS = ("day", "month", "year")


class GovukDateField(Field):
    """The GOV.UK date input: three boxes named NAME-day, NAME-month and NAME-year."""

    data: date | None

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        self.process_errors = []
        self.parts = {part: "" for part in DATE_PARTS}
        if formdata is None or not any(f"{self.name}-{p}" in formdata for p in DATE_PARTS):
            self.data = data if isinstance(data, date) else None
            if self.data:
                self.parts = {
                    "day": str(self.data.day),
                    "month": str(self.data.month),
                    "year": str(self.data.year),
                }
            return
        self.parts = {part: formdata.get(f"{self.name}-{part}", "").strip() for part in DATE_PARTS}
        self.data = None
        if not any(self.parts.values()):
            return
        missing = tuple(part for part in DATE_PARTS if not self.parts[part])
        if missing:
            self.process_errors.append(
                str(MISSING_DATE_PARTS[missing]) % {"field": self.label.text}
            )
            return
        try:
            if len(self.parts["year"]) != 4:
                raise ValueError
            self.data = date(*(int(self.parts[p]) for p in ("year", "month", "day")))
        except (ValueError, OverflowError):  # not a number, or a day of 2147483648
            self.process_errors.append(_("%(field)s must be a real date", field=self.label.text))


def _storable_number(form: Any, field: Field) -> None:
    """Answers are stored as NUMERIC(18, 4): up to 14 digits, then up to 4 decimal places."""
    value = field.data
    if value is None:
        return
    if not value.is_finite() or abs(value) >= NUMBER_LIMIT:
        raise ValidationError(
            _("%(field)s must be less than 100,000,000,000,000", field=field.label.text)
        )
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise ValidationError(
            _("%(field)s can have up to 4 decimal places", field=field.label.text)
        )


class DetailsForm(PortalForm):
    title = StringField(
        _l("Title"),
        validators=[InputRequired(_l("Enter a title")), MaxLength(200)],
        description=_l("What the consultation is about, in plain words"),
    )
    summary = TextAreaField(
        _l("Summary"),
        validators=[InputRequired(_l("Enter a summary")), MaxLength(2000)],
        description=_l("One or two sentences shown on the list of consultations"),
    )
    audience = StringField(
        _l("Who it is for"),
        validators=[InputRequired(_l("Enter who the consultation is for")), MaxLength(300)],
        description=_l("For example: Parents and carers of children at Warwickshire schools"),
    )
    who_for = TextAreaField(
        _l("More about who should take part"), validators=[Optional(), MaxLength(2000)]
    )
    what_happens = TextAreaField(
        _l("What happens to the answers"), validators=[Optional(), MaxLength(2000)]
    )
    privacy_notice = TextAreaField(
        _l("Privacy notice"),
        validators=[InputRequired(_l("Enter the privacy notice")), MaxLength(5000)],
        description=_l("Who holds the answers, why, for how long, and who to contact"),
    )
    help_text = TextAreaField(
        _l("Where to get help"),
        description=_l(
            "Optional. Shown after someone sends their response, under \u201cIf you need help "
            "now\u201d: for consultations on subjects such as bullying or crime"
        ),
        validators=[Optional(), MaxLength(2000)],
    )
    safeguarding_terms = TextAreaField(
        _l("Safeguarding words"),
        description=_l(
            "Optional. One word or phrase per line. A comment containing any of them is put on "
            "the safeguarding queue for an officer to read; nothing else happens automatically"
        ),
        validators=[Optional(), MaxLength(5000)],
    )
    estimated_minutes = IntegerField(
        _l("Minutes it takes"),
        default=10,
        validators=[
            InputRequired(_l("Enter how many minutes it takes, like 10")),
            NumberRange(1, 120, _l("Enter a number of minutes from 1 to 120")),
        ],
    )
    retention_months = IntegerField(
        _l("Months to keep personal details after closing"),
        description=_l(
            "Then links to panel members, answers to questions marked as personal and unsent "
            "saved answers are erased. The anonymous answers are kept"
        ),
        default=24,
        validators=[
            InputRequired(_l("Enter how many months to keep personal details, like 24")),
            NumberRange(1, 120, _l("Enter a number of months from 1 to 120")),
        ],
    )
    panel_link = RadioField(
        _l("Panel members' responses"),
        choices=[
            SelectChoice(
                "cells", _l("Keep only their district and age band with their answers (anonymous)")
            ),
            SelectChoice("member", _l("Keep their answers linked to their panel record")),
        ],
        default="cells",
    )
    opens_on = GovukDateField(_l("Opening date"), description=_l("Optional. For example, 1 9 2026"))
    closes_on = GovukDateField(
        _l("Closing date"), description=_l("Optional. For example, 30 11 2026")
    )
    timing_note = TextAreaField(
        _l("Why it runs when it does"),
        description=_l(
            "Optional. Ends the start page's sentence \u201cIt runs from 16 November to 28 "
            "December 2026, \u2026\u201d, for example: to coincide with Anti-Bullying Week"
        ),
        validators=[Optional(), MaxLength(1000)],
    )


class PageTitleForm(PortalForm):
    title = StringField(
        _l("Page title"),
        validators=[Optional(), MaxLength(200)],
        description=_l("Needed when a page has more than one question"),
    )


class NewQuestionForm(PortalForm):
    type = SelectField(
        _l("Type of question"),
        choices=[SelectChoice(kind.type.value, kind.label) for kind in REGISTRY.values()],
        validators=[InputRequired(_l("Select a type of question"))],
    )
    text = StringField(
        _l("Question"),
        validators=[InputRequired(_l("Enter the question")), MaxLength(500)],
    )


class QuestionForm(PortalForm):
    """Every setting a question can have; the view shows only those its type uses."""

    text = StringField(
        _l("Question"), validators=[InputRequired(_l("Enter the question")), MaxLength(500)]
    )
    hint = TextAreaField(
        _l("Hint"),
        description=_l("Optional help shown under the question"),
        validators=[MaxLength(2000)],
    )
    required = BooleanField(_l("Respondents must answer this question"))
    personal = BooleanField(
        _l("Answers may hold personal details, such as a name or an email address"),
        description=_l("They are erased when the consultation's retention period ends"),
    )
    error_required = StringField(
        _l("Message when it is not answered"),
        description=_l("Optional. For example: Select the type of school your child goes to"),
        validators=[MaxLength(300)],
    )
    max_length = IntegerField(
        _l("Most characters allowed"),
        validators=[Optional(), NumberRange(1, 20000, _l("Enter a number from 1 to 20,000"))],
    )
    other_label = StringField(
        _l("\u201cOther\u201d choice"),
        description=_l(
            "Optional. For example: Somewhere else. Respondents who choose it type their answer"
        ),
        validators=[MaxLength(200)],
    )
    max_selections = IntegerField(
        _l("Most options a respondent can choose or rank"),
        validators=[Optional(), NumberRange(1, 50, _l("Enter a number from 1 to 50"))],
    )
    min_value = NumberField(
        _l("Smallest number allowed"), places=None, validators=[Optional(), _storable_number]
    )
    max_value = NumberField(
        _l("Largest number allowed"), places=None, validators=[Optional(), _storable_number]
    )
    decimal_places = IntegerField(
        _l("Decimal places allowed"),
        description=_l("0 for whole numbers only"),
        validators=[Optional(), NumberRange(0, 4, _l("Enter a number from 0 to 4"))],
    )
    outcomes = SelectMultipleField(_l("Strategy outcomes this question informs"), coerce=int)
    indicators = SelectMultipleField(
        _l("Measured indicators this question informs"),
        description=_l("Its results are shown beside the indicator's figures"),
        coerce=int,
    )

    def validate_max_value(self, field: Field) -> None:
        low = self.min_value.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(
                _("The largest number must be the same as or more than the smallest")
            )


def _one_line(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class OptionRowForm(Form):
    """One row of a question's option list: an option already saved (its value, hidden) or a
    new one (no value). Checked as a whole by OptionsForm, which knows each row's number."""

    value = HiddenField()
    label = StringField(_l("Option"), filters=[_one_line])
    exclusive = BooleanField(_l("Cannot be chosen with other options"))


def _row_problem(name: str, problem: str, number: int) -> str:
    """What is wrong with row `number` of the list `name` ("choices" or "statements"), said
    whole for options and for statements: its label is "missing", "too_long" or holds
    "control" characters."""
    options = name == "choices"
    if problem == "missing":
        if options:
            return _("Enter option %(number)s", number=number)
        return _("Enter statement %(number)s", number=number)
    if problem == "too_long":
        if options:
            return _("Option %(number)s must be 300 characters or fewer", number=number)
        return _("Statement %(number)s must be 300 characters or fewer", number=number)
    if options:
        return _("Option %(number)s must not contain unusual control characters", number=number)
    return _("Statement %(number)s must not contain unusual control characters", number=number)


class OptionsForm(PortalForm):
    """A question's options (and a matrix's statements), edited in the question's own form: one
    row each plus empty rows for new ones. Add another, Remove and Move buttons submit the whole
    form, so what was typed in every row is saved with them."""

    choices = FieldList(FormField(OptionRowForm))
    statements = FieldList(FormField(OptionRowForm))
    add_another = HiddenField()  # the list a button asked for another empty row in
    remove = HiddenField()  # the value of the option a Remove button is for
    move_up = HiddenField()
    move_down = HiddenField()

    def check_rows(self, lists: list[str], needs_one: set[str]) -> bool:
        """Each saved row needs its label (unless it is being removed); new rows left empty
        are ignored, unless the list would have none. Errors go on the row's label field,
        named by the row's number."""
        valid = True
        for name in lists:
            rows = list(self[name])
            for number, row in enumerate(rows, start=1):
                label = row.form.label
                if row.form.value.data and row.form.value.data == self.remove.data:
                    continue
                if row.form.value.data and not label.data:
                    label.errors = [_row_problem(name, "missing", number)]
                elif len(label.data or "") > 300:
                    label.errors = [_row_problem(name, "too_long", number)]
                elif CONTROL_CHARACTERS.search(label.data or ""):
                    label.errors = [_row_problem(name, "control", number)]
                valid = valid and not label.errors
            new_rows = [row for row in rows if not row.form.value.data]
            if name in needs_one and new_rows and not any(row.form.label.data for row in rows):
                first = new_rows[0]
                number = rows.index(first) + 1
                first.form.label.errors = [_row_problem(name, "missing", number)]
                valid = False
        return valid


class ConditionForm(PortalForm):
    operator = SelectField(
        _l("Show only if the answer"),
        choices=[
            SelectChoice(ConditionOperator.EQUALS.value, _l("is")),
            SelectChoice(ConditionOperator.INCLUDES.value, _l("includes")),
            SelectChoice(ConditionOperator.NOT.value, _l("is not")),
        ],
    )
    option = SelectField(
        _l("Answer"), coerce=int, validators=[InputRequired(_l("Select an answer"))]
    )


class ReopenForm(PortalForm):
    closes_on = GovukDateField(
        _l("New closing date"), description=_l("Optional. For example, 31 1 2027")
    )


class NewWaveForm(PortalForm):
    title = StringField(
        _l("Title of the new wave"),
        filters=[lambda value: value.strip() if value else value],
        validators=[DataRequired(_l("Enter a title for the new wave")), MaxLength(200)],
        description=_l(
            "Residents see this title. Keeping the same title is usual; the portal numbers the "
            "waves for officers."
        ),
    )
    opens_on = GovukDateField(_l("Opening date"), description=_l("Optional. For example, 1 3 2027"))
    closes_on = GovukDateField(
        _l("Closing date"), description=_l("Optional. For example, 31 3 2027")
    )
