"""Thin views: each reads through a service and renders."""

from __future__ import annotations

import re

from flask import abort, redirect, request, stream_with_context, url_for
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import requires_role
from portal.consultations.service import all_consultations, consultation_with_questions
from portal.officer import OFFICERS, bp, page_number
from portal.officer.forms import IndicatorValueForm
from portal.panel.service import audit
from portal.rendering import render_page
from portal.reporting import export, panel_report, timeline
from portal.reporting import service as reporting
from portal.responses.service import uk_today
from portal.strategy import service as strategy

SCOPE_PATTERN = re.compile(r"[A-Za-z0-9.]{1,20}")


@bp.get("/")
@requires_role(*OFFICERS)
def dashboard() -> WerkzeugResponse:
    return render_page(
        "officer/dashboard.html",
        consultations=all_consultations(),
        counts=reporting.response_counts(),
        empty=reporting.ResponseCounts(),
        today=uk_today(),
    )


@bp.get("/consultations/<slug>/results")
@requires_role(*OFFICERS)
def results(slug: str) -> WerkzeugResponse:
    consultation = consultation_with_questions(slug) or abort(404)
    results = reporting.consultation_results(consultation)
    first_comments = {
        r.question.id: reporting.comment_page(r.question, 1)
        for section in [*(s.questions for s in results.by_outcome), results.other_questions]
        for r in section
        if r.comment_count or r.other_count
    }
    return render_page(
        "officer/results.html",
        results=results,
        comments=first_comments,
        trend=strategy.indicator_trend,
        weighted=panel_report.weighted_results(consultation),
        days=timeline.daily_counts(consultation),
    )


@bp.get("/consultations/<slug>/questions/<key>/comments")
@requires_role(*OFFICERS)
def comments(slug: str, key: str) -> WerkzeugResponse:
    consultation = consultation_with_questions(slug) or abort(404)
    question = next((q for q in consultation.questions if q.key == key), None) or abort(404)
    page = reporting.comment_page(question, page_number())
    # Which appearance of the question on the results page asked (it can sit under two
    # outcomes), so the list swapped in by HTMX keeps that appearance's id.
    within = request.args.get("within", "other")
    scope = within if SCOPE_PATTERN.fullmatch(within) else "other"
    return render_page(
        "officer/comments.html",
        block="comments_page",
        consultation=consultation,
        page=page,
        scope=scope,
    )


@bp.get("/strategy")
@requires_role(*OFFICERS)
def strategy_index() -> WerkzeugResponse:
    return render_page("officer/strategy.html", priorities=strategy.priorities())


@bp.get("/strategy/priorities/<int:position>")
@requires_role(*OFFICERS)
def priority(position: int) -> WerkzeugResponse:
    found = strategy.priority_with_everything(position) or abort(404)
    return render_page(
        "officer/priority.html",
        priority=found,
        informing=strategy.questions_informing(found.outcomes),
        trend=strategy.indicator_trend,
    )


@bp.route("/strategy/indicators/<code>/values/new", methods=["GET", "POST"])
@requires_role(*OFFICERS)
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


@bp.get("/consultations/<slug>/responses.csv")
@requires_role(*OFFICERS)
def export_csv(slug: str) -> WerkzeugResponse:
    """Every response as CSV, streamed; who exported what, and when, goes in the audit log."""
    consultation = consultation_with_questions(slug) or abort(404)
    audit(current_user, "exported responses", f"consultation:{slug}", "CSV, all responses")
    response = WerkzeugResponse(
        stream_with_context(export.stream_csv(consultation)), mimetype="text/csv"
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="responses-{slug}-{uk_today().isoformat()}.csv"'
    )
    return response
