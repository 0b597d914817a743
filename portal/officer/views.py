"""Thin views: the officer's dashboard and the strategy pages."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse
from wtforms.fields.choices import SelectChoice

from portal.accounts.permissions import Action, allows, may
from portal.clock import uk_today
from portal.consultations.service import all_consultations
from portal.csv_export import csv_text
from portal.officer import bp
from portal.officer.forms import IndicatorValueForm
from portal.officer.results_views import EXPORT_TYPES
from portal.publications import committee
from portal.rendering import render_page
from portal.reporting import indicator_export, informing, spreadsheets, waves
from portal.reporting import service as reporting
from portal.strategy import service as strategy

SCOPE_PATTERN = re.compile(r"[A-Za-z0-9.]{1,20}")


@bp.get("/")
@allows(Action.SEE_DASHBOARD)
def dashboard() -> WerkzeugResponse:
    return render_page(
        "officer/dashboard.html",
        consultations=all_consultations(),
        counts=reporting.response_counts(),
        empty=reporting.ResponseCounts(),
        today=uk_today(),
    )


@bp.get("/strategy")
@allows(Action.READ_STRATEGY)
def strategy_index() -> WerkzeugResponse:
    return render_page("officer/strategy.html", priorities=strategy.priorities())


@bp.get("/strategy/priorities/<int:position>")
@allows(Action.READ_STRATEGY)
def priority(position: int) -> WerkzeugResponse:
    found = strategy.priority_with_everything(position) or abort(404)
    informing_outcomes = informing.questions_informing(found.outcomes)
    return render_page(
        "officer/priority.html",
        priority=found,
        informing=informing_outcomes,
        # Residents' answers are results: shown to those who may read results.
        wave_changes=(
            waves.changes_by_outcome(informing_outcomes)
            if may(current_user.role, Action.READ_RESULTS)
            else {}
        ),
        informing_indicators=informing.questions_informing_indicators(found.indicators),
    )


@bp.route("/strategy/indicators/<code>/values/new", methods=["GET", "POST"])
@allows(Action.RECORD_INDICATOR)
def add_indicator_value(code: str) -> WerkzeugResponse:
    indicator = strategy.find_indicator(code) or abort(404)
    form = IndicatorValueForm()
    measures = {measure.id: measure for measure in indicator.measures}
    form.measure.choices = [SelectChoice(m.id, m.name) for m in indicator.measures]
    figures = [value for measure in indicator.measures for value in measure.values]
    if request.method == "GET" and figures:
        form.unit.data = figures[-1].unit
        targets = {value.target for value in figures}
        if len(targets) == 1:  # one standing target, as for each waiting time
            target = targets.pop()
            form.target.process_data(None if target is None else Decimal(f"{target.normalize():f}"))
    if form.validate_on_submit():
        try:
            strategy.add_indicator_value(
                measures[form.measure.data],
                period=(form.period.data or "").strip(),
                value=form.value.data,
                target=form.target.data,
                unit=form.unit.data or "count",
                source=(form.source.data or "").strip(),
                note=(form.note.data or "").strip(),
                recorded_by=current_user.email,
            )
        except strategy.IndicatorUnitError as error:
            form.unit.errors.append(str(error))
        except strategy.IndicatorValueError as error:
            form.period.errors.append(str(error))
        else:
            flash(
                _("Value added to \u201c%(indicator)s\u201d", indicator=indicator.name), "success"
            )
            return redirect(
                url_for(
                    ".priority", position=indicator.priority.position, _anchor=f"indicator-{code}"
                ),
                code=303,
            )
    return render_page(
        "officer/indicator-value.html",
        status=422 if form.errors else 200,
        indicator=indicator,
        form=form,
    )


@bp.get("/strategy/indicators.<any(csv, xlsx, ods):export_format>")
@allows(Action.READ_STRATEGY)
def export_indicators(export_format: str) -> WerkzeugResponse:
    """Every indicator figure, written as the pages write it."""
    body: Any
    if export_format == "csv":
        body = csv_text(indicator_export.HEADER, indicator_export.indicator_rows())
    else:
        writer = spreadsheets.stream_xlsx if export_format == "xlsx" else spreadsheets.stream_ods
        body = writer(indicator_export.indicator_sheets())
    response = WerkzeugResponse(stream_with_context(body), content_type=EXPORT_TYPES[export_format])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="strategy-indicators-{uk_today().isoformat()}.{export_format}"'
    )
    return response


@bp.get("/report")
@allows(Action.READ_RESULTS)
def committee_report() -> WerkzeugResponse:
    """Printable: the strategy progress report's shape with the consultation evidence."""
    today = uk_today()
    return render_page(
        "officer/report.html",
        report=committee.committee_report(today),
        today=today,
    )
