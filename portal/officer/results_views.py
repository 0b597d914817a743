"""A consultation's results: filtered, broken down, cross-tabulated and exported.

Every view here reads the same filter from the query string (reporting.filters), so a filtered
page, its comments, its cross-tab and its download all count the same responses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from flask import abort, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import Action, allows
from portal.audit import audit
from portal.clock import uk_today
from portal.consultations.models import Consultation
from portal.consultations.service import consultation_for_journey
from portal.csv_export import CSV_TYPE
from portal.officer import bp
from portal.rendering import render_page
from portal.reporting import (
    comments,
    crosstab,
    export,
    informing,
    panel_report,
    spreadsheets,
    timeline,
    waves,
)
from portal.reporting import service as reporting
from portal.reporting.filter_form import (
    FilterChoices,
    choice_questions,
    filter_choices,
    parse_filter,
)
from portal.reporting.filters import ResponseFilter
from portal.reporting.response_set import ResponseSet

# Fewer matching responses than this and the page warns that answers may identify people.
SMALL_BASE = 10


def _consultation_and_filter(slug: str) -> tuple[Consultation, FilterChoices, ResponseFilter]:
    consultation = consultation_for_journey(slug) or abort(404)
    choices = filter_choices(consultation)
    return consultation, choices, parse_filter(request.args, choices)


@bp.get("/consultations/<slug>/results")
@allows(Action.READ_RESULTS)
def results(slug: str) -> WerkzeugResponse:
    consultation, choices, only = _consultation_and_filter(slug)
    # One set for every part of the page: the filter is matched, and each figure counted, once.
    responses = ResponseSet(consultation.id, only)
    results = reporting.consultation_results(consultation, responses)
    # Weights are raked for the whole panel sample; a filtered slice is shown unweighted, and
    # says so only where the whole sample has weights to show.
    weighted = {} if only.active else panel_report.weighted_results(consultation)
    weights_withheld = only.active and bool(panel_report.cell_counts(consultation))
    # Waves are compared over all their responses: a filter's choices are one wave's.
    comparison = (
        None
        if only.active
        else waves.compare_waves(
            consultation,
            weighted=True,
            counted=(results.total_responses, results.by_question),
            counted_weighted=weighted,
        )
    )
    first_comments = {
        r.question.id: comments.comment_page(r.question, 1, responses)
        for section in [*(s.questions for s in results.by_outcome), results.other_questions]
        for r in section
        if r.comment_count or r.other_count
    }
    return render_page(
        "officer/results.html",
        results=results,
        all_responses=reporting.matching_responses(consultation) if only.active else None,
        comments=first_comments,
        theme_counts=comments.theme_counts(consultation, responses),
        informing_indicators=informing.questions_informing_indicators(
            [i for section in results.by_outcome for i in section.outcome.indicators], consultation
        ),
        weighted=weighted,
        weights_withheld=weights_withheld,
        comparison=comparison,
        series_compared=comparison is not None or waves.answered_waves(consultation) >= 2,
        choices=choices,
        only=only,
        small_base=SMALL_BASE,
        export_seconds=export.seconds_to_export(results.total_responses),
    )


@bp.get("/consultations/<slug>/results/over-time")
@allows(Action.READ_RESULTS)
def responses_over_time(slug: str) -> WerkzeugResponse:
    """Responses day by day (UK days), in total and by how they arrived, under the results
    page's filters. A page of its own, linked from the results page: counting and writing a row
    for every day took about a sixth of the results page's time at 1,000 responses (4.2 of
    25.5 ms in one process, 2026-12-06), for a table most visits never opened."""
    consultation, _choices, only = _consultation_and_filter(slug)
    days = timeline.daily_counts(consultation, only)
    summed = timeline.totals(days)
    return render_page(
        "officer/responses-over-time.html",
        consultation=consultation,
        days=days,
        summed=summed,
        scale=timeline.chart_scale(days),
        today=uk_today(),
        only=only,
        small_base=SMALL_BASE,
        matching=summed.total,
        everything=reporting.matching_responses(consultation) if only.active else None,
    )


@bp.get("/consultations/<slug>/cross-tab")
@allows(Action.READ_RESULTS)
def cross_tab(slug: str) -> WerkzeugResponse:
    """Two choice questions against each other. Asking for the same question twice, or one
    that is not a choice question, is answered with an error and the form again."""
    consultation, choices, only = _consultation_and_filter(slug)
    questions = {q.key: q for q in choice_questions(consultation)}
    rows_key, columns_key = request.args.get("rows", ""), request.args.get("columns", "")
    breakdowns = _row_breakdowns(choices)
    errors: dict[str, str] = {}
    table = None
    if rows_key or columns_key:
        if rows_key not in questions and rows_key not in breakdowns:
            errors["rows"] = _("Select the question for the rows")
        if columns_key not in questions:
            errors["columns"] = _("Select the question for the columns")
        elif columns_key == rows_key:
            errors["columns"] = _("Select a different question for the columns than for the rows")
        if not errors and rows_key == BY_DECILE:
            table = crosstab.cross_tab_by_decile(questions[columns_key], only)
        elif not errors and rows_key == BY_LANGUAGE:
            table = crosstab.cross_tab_by_language(questions[columns_key], choices.languages, only)
        elif not errors:
            table = crosstab.cross_tab(questions[rows_key], questions[columns_key], only)
    return render_page(
        "officer/cross-tab.html",
        status=422 if errors else 200,
        consultation=consultation,
        questions=list(questions.values()),
        rows_key=rows_key,
        columns_key=columns_key,
        errors=errors,
        table=table,
        choices=choices,
        only=only,
        small_base=SMALL_BASE,
        row_breakdowns=breakdowns,
        # Kept by the links that remove or clear filters, as by the form.
        chosen_questions={
            name: key for name, key in (("rows", rows_key), ("columns", columns_key)) if key
        },
        matching=reporting.matching_responses(consultation, only) if only.active else None,
        everything=reporting.matching_responses(consultation) if only.active else None,
    )


# The rows choices that read respondents by the deprivation decile of their area, and by the
# language they answered in: named so that no question's key is likely to take them.
BY_DECILE = "deprivation_decile"
BY_LANGUAGE = "language_answered_in"


def _row_breakdowns(choices: FilterChoices) -> dict[str, str]:
    """The rows offered besides questions (key -> label), where the responses can be read so:
    deciles when the consultation asks for an area, languages when some answered in another."""
    found: dict[str, str] = {}
    if choices.by_area:
        found[BY_DECILE] = str(crosstab.DECILE_ROWS)
    if choices.by_language:
        found[BY_LANGUAGE] = str(crosstab.LANGUAGE_ROWS)
    return found


# Each format: its Content-Type, whole (passed as content_type, so nothing is added to it).
EXPORT_TYPES = {
    "csv": CSV_TYPE,
    "xlsx": spreadsheets.XLSX_TYPE,
    "ods": spreadsheets.ODS_TYPE,
}


def _download(slug: str, export_format: str, summary: bool) -> WerkzeugResponse:
    """Stream an export of the responses the filter matches (all without one), and write who
    took it, which filters and when to the audit log."""
    consultation, _choices, only = _consultation_and_filter(slug)
    if only.errors:
        abort(400)  # never export a different set from the one the officer asked for
    what = "summary tables" if summary else "responses"
    audit(
        current_user,
        f"exported {what}",
        f"consultation:{slug}",
        f"{export_format.upper()}, {only.describe()}",
    )
    suffix = "-filtered" if only.active else ""
    return streamed_download(
        export_format,
        f"{what.split()[0]}-{slug}{suffix}-{uk_today().isoformat()}",
        lambda: (
            export.stream_summary_csv(consultation, only)
            if summary
            else export.stream_csv(consultation, only)
        ),
        lambda: export.spreadsheet_sheets(consultation, only, summary),
    )


def streamed_download(
    export_format: str,
    filename: str,
    csv_body: Callable[[], Iterator[str]],
    sheets: Callable[[], list[spreadsheets.Sheet]],
) -> WerkzeugResponse:
    """A CSV, XLSX or ODS file streamed as it is written; `filename` without its extension.
    Only the chosen format's body is built."""
    body: Iterator[Any]
    if export_format == "csv":
        body = csv_body()
    else:
        writer = spreadsheets.stream_xlsx if export_format == "xlsx" else spreadsheets.stream_ods
        body = writer(sheets())
    response = WerkzeugResponse(stream_with_context(body), content_type=EXPORT_TYPES[export_format])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{export_format}"'
    return response


@bp.get("/consultations/<slug>/responses.<any(csv, xlsx, ods):export_format>")
@allows(Action.EXPORT_RESPONSES)
def export_responses(slug: str, export_format: str) -> WerkzeugResponse:
    """One row per response, streamed as it is read, so the download starts at once."""
    return _download(slug, export_format, summary=False)


@bp.get("/consultations/<slug>/summary.<any(csv, xlsx, ods):export_format>")
@allows(Action.EXPORT_RESPONSES)
def export_summary(slug: str, export_format: str) -> WerkzeugResponse:
    """Every question's counts and percentages, as the results page shows them."""
    return _download(slug, export_format, summary=True)
