"""Thin views: the officer's dashboard and the strategy pages."""

from __future__ import annotations

import re

from flask import abort, redirect, request, url_for
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import Action, allows
from portal.consultations.service import all_consultations
from portal.officer import bp
from portal.officer.forms import IndicatorValueForm
from portal.rendering import render_page
from portal.reporting import committee
from portal.reporting import service as reporting
from portal.responses.service import uk_today
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
    return render_page(
        "officer/priority.html",
        priority=found,
        informing=strategy.questions_informing(found.outcomes),
        trend=strategy.indicator_trend,
    )


@bp.route("/strategy/indicators/<code>/values/new", methods=["GET", "POST"])
@allows(Action.RECORD_INDICATOR)
def add_indicator_value(code: str) -> WerkzeugResponse:
    indicator = strategy.find_indicator(code) or abort(404)
    form = IndicatorValueForm()
    if request.method == "GET" and indicator.values:
        form.unit.data = indicator.values[-1].unit
    if form.validate_on_submit():
        try:
            strategy.add_indicator_value(
                indicator,
                period=(form.period.data or "").strip(),
                value=form.value.data,
                target=form.target.data,
                unit=form.unit.data or "count",
                source=(form.source.data or "").strip(),
                note=(form.note.data or "").strip(),
                recorded_by=current_user.email,
            )
        except strategy.IndicatorValueError as error:
            form.period.errors.append(str(error))
        else:
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
        trend=strategy.indicator_trend,
    )


@bp.get("/report")
@allows(Action.READ_RESULTS)
def committee_report() -> WerkzeugResponse:
    """Printable: the strategy progress report's shape with the consultation evidence."""
    return render_page(
        "officer/report.html",
        report=committee.committee_report(),
        trend=strategy.indicator_trend,
        today=uk_today(),
    )
