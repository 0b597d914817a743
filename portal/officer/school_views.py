"""The register of schools in the portal: list and search, add, change, close (after a page
saying what closing does), reopen, and import a CSV file with the same row-by-row report as
`flask schools import`. Every change is audited by the register's service."""

from __future__ import annotations

import io
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import Action, allows
from portal.csv_import import CsvFileError
from portal.forms import ConfirmForm
from portal.officer import bp, page_number
from portal.officer.school_forms import SchoolForm, SchoolImportForm
from portal.rendering import render_page
from portal.schools import register
from portal.schools.models import District, School
from portal.schools.service import REQUIRED_COLUMNS, import_schools

STATUSES = {
    "open": _l("Open schools"),
    "closed": _l("Closed schools"),
    "all": _l("Open and closed"),
}


def _school(number: str) -> School:
    found = register.find_school(number) if len(number) <= 20 else None
    return found or abort(404)


@bp.get("/schools")
@allows(Action.MANAGE_SCHOOLS)
def schools() -> WerkzeugResponse:
    district_value = request.args.get("district", "")
    status = request.args.get("status", "open")
    if status not in STATUSES or (
        district_value and district_value not in District._value2member_map_
    ):
        abort(404)  # only a hand-edited address gets here: the form offers the valid values
    search = register.SchoolSearch(
        text=request.args.get("q", "")[:200],
        district=District(district_value) if district_value else None,
        status=status,
    )
    page = page_number()
    listings, total = register.find_schools(search, page)
    page_count = max(1, -(-total // register.SCHOOLS_PER_PAGE))
    if page > page_count:
        abort(404)
    return render_page(
        "officer/schools/index.html",
        listings=listings,
        total=total,
        search=search,
        statuses=STATUSES,
        districts=list(District),
        page=page,
        page_count=page_count,
    )


def _values(form: SchoolForm) -> dict[str, str]:
    return {name: form[name].data or "" for name in (*REQUIRED_COLUMNS, "town")}


def _show_problems(form: SchoolForm, problems: register.SchoolProblems) -> None:
    """Each problem on its field, unless the field already says what to do."""
    for name, reason in problems.problems:
        if not form[name].errors:
            form[name].errors = [reason[:1].upper() + reason[1:]]


def _checked_values(form: SchoolForm) -> dict[str, Any] | None:
    """The school's values, or None with every problem on the form (all of them at once)."""
    valid = form.validate_on_submit()
    try:
        values = register.clean_school(_values(form))
    except register.SchoolProblems as problems:
        _show_problems(form, problems)
        return None
    return values if valid else None


def _form_page(form: SchoolForm, school: School | None) -> WerkzeugResponse:
    return render_page(
        "officer/schools/form.html", status=422 if form.errors else 200, form=form, school=school
    )


@bp.route("/schools/new", methods=["GET", "POST"])
@allows(Action.MANAGE_SCHOOLS)
def new_school() -> WerkzeugResponse:
    form = SchoolForm()
    values = _checked_values(form) if request.method == "POST" else None
    if values is not None:
        try:
            school = register.add_school(values, current_user)
        except register.SchoolProblems as problems:
            _show_problems(form, problems)
        else:
            flash(_("Added %(name)s", name=school.name), "success")
            return redirect(url_for(".school", school_number=school.number), code=303)
    return _form_page(form, None)


@bp.route("/schools/<school_number>/edit", methods=["GET", "POST"])
@allows(Action.MANAGE_SCHOOLS)
def edit_school(school_number: str) -> WerkzeugResponse:
    school = _school(school_number)
    if request.method == "GET":
        form = SchoolForm(formdata=None, obj=school)
        form.number.data = school.shown_number
        form.pupils.data = str(school.pupils)
        return _form_page(form, school)
    form = SchoolForm()
    values = _checked_values(form)
    if values is not None:
        try:
            changes = register.change_school(school, values, current_user)
        except register.SchoolProblems as problems:
            _show_problems(form, problems)
        else:
            flash(_("Saved") if changes else _("Nothing was changed"), "success")
            return redirect(url_for(".school", school_number=school.number), code=303)
    return _form_page(form, school)


@bp.route("/schools/<school_number>/close", methods=["GET", "POST"])
@allows(Action.MANAGE_SCHOOLS)
def close_school(school_number: str) -> WerkzeugResponse:
    """A confirmation page saying what closing does; its button closes the school."""
    school = _school(school_number)
    if not school.is_open:
        flash(_("%(name)s is already closed", name=school.name), "success")
        return redirect(url_for(".school", school_number=school.number), code=303)
    form = ConfirmForm()
    if form.validate_on_submit():
        effects = register.close_school(school, current_user)
        links, accounts = len(effects.links_on), len(effects.accounts_on)
        flash(
            _(
                "Closed %(name)s: %(links)s switched off, %(accounts)s disabled",
                name=school.name,
                links=ngettext("%(num)d link", "%(num)d links", links),
                accounts=ngettext("%(num)d staff account", "%(num)d staff accounts", accounts),
            ),
            "success",
        )
        return redirect(url_for(".schools"), code=303)
    return render_page(
        "officer/schools/close.html",
        school=school,
        effects=register.closing_effects(school),
        form=form,
    )


@bp.post("/schools/<school_number>/reopen")
@allows(Action.MANAGE_SCHOOLS)
def reopen_school(school_number: str) -> WerkzeugResponse:
    school = _school(school_number)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not school.is_open:
        register.reopen_school(school, current_user)
        flash(
            _("%(name)s is open again. Its links and accounts are still off", name=school.name),
            "success",
        )
    return redirect(url_for(".school", school_number=school.number), code=303)


@bp.route("/schools/import", methods=["GET", "POST"])
@allows(Action.MANAGE_SCHOOLS)
def import_schools_file() -> WerkzeugResponse:
    """Upload a CSV file: every row is checked first and, if any has a problem, each problem
    is listed by line and nothing is imported."""
    form = SchoolImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.csv_file.data
        try:
            text = upload.read().decode("utf-8-sig")
            report = import_schools(
                io.StringIO(text, newline=""), by=current_user, source=upload.filename or ""
            )
        except UnicodeDecodeError:
            form.csv_file.errors = [
                _("The file must be saved as CSV UTF-8 (in Excel: Save as, then CSV UTF-8)")
            ]
        except CsvFileError as error:
            form.csv_file.errors = [
                _("The file is not a schools CSV file: %(problem)s", problem=str(error))
            ]
        else:
            if report.imported:
                flash(
                    ngettext(
                        "Imported the file: %(num)d school added, %(updated)s updated",
                        "Imported the file: %(num)d schools added, %(updated)s updated",
                        report.created,
                        updated=report.updated,
                    ),
                    "success",
                )
                return redirect(url_for(".schools"), code=303)
            form.csv_file.errors = [
                ngettext(
                    "The file has problems on %(num)d row: nothing was imported. Correct every "
                    "row listed below, then upload the file again",
                    "The file has problems on %(num)d rows: nothing was imported. Correct every "
                    "row listed below, then upload the file again",
                    report.bad_rows,
                )
            ]
    return render_page(
        "officer/schools/import.html",
        status=422 if form.errors else 200,
        form=form,
        report=report,
        columns=REQUIRED_COLUMNS,
        phases=register.PHASE_WORDS,
        districts=register.DISTRICT_WORDS,
    )
