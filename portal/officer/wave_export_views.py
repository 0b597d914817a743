"""Downloads of a survey series, from the results of any of its waves: every wave's responses
in one file, and the change between waves. Neither follows the results filters: each covers
every response of every wave that is not a draft. Like the single consultation's downloads,
they are for those who may download responses (EXPORT_RESPONSES), which today are the same
roles as may read results, and are written to the audit log."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from flask import abort
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import Action, allows
from portal.audit import audit
from portal.clock import uk_today
from portal.consultations.builder import slugify
from portal.consultations.service import consultation_with_questions
from portal.officer import bp
from portal.officer.results_views import streamed_download
from portal.reporting import wave_export
from portal.reporting.spreadsheets import Sheet
from portal.reporting.waves import compare_waves, published_waves


def _numbers(waves: Sequence[int | None]) -> str:
    return ", ".join(str(number) for number in waves)


def _send(
    export_format: str,
    what: str,
    series_name: str,
    csv_body: Callable[[], Iterator[str]],
    sheets: Callable[[], list[Sheet]],
) -> WerkzeugResponse:
    """The file, streamed as it is written, named for the series and the day."""
    filename = f"series-{what}-{slugify(series_name)}-{uk_today().isoformat()}"
    return streamed_download(export_format, filename, csv_body, sheets)


@bp.get("/consultations/<slug>/series/responses.<any(csv, xlsx, ods):export_format>")
@allows(Action.EXPORT_RESPONSES)
def export_series_responses(slug: str, export_format: str) -> WerkzeugResponse:
    """Every wave's responses, one row each with its wave, columns lined up by question."""
    consultation = consultation_with_questions(slug) or abort(404)
    waves = published_waves(consultation)
    if not waves:
        abort(404)  # in no series, or none of its waves published yet
    name = wave_export.series_name(waves)
    audit(
        current_user,
        "exported responses of every wave",
        f"consultation:{slug}",
        f"{export_format.upper()}, {name}, waves {_numbers([w.wave_number for w in waves])}",
    )
    return _send(
        export_format,
        "responses",
        name,
        lambda: wave_export.stream_responses_csv(waves),
        lambda: wave_export.responses_sheets(waves),
    )


@bp.get("/consultations/<slug>/series/change.<any(csv, xlsx, ods):export_format>")
@allows(Action.EXPORT_RESPONSES)
def export_series_change(slug: str, export_format: str) -> WerkzeugResponse:
    """The change in each answer between consecutive waves, with its interval and test."""
    consultation = consultation_with_questions(slug) or abort(404)
    comparison = compare_waves(consultation, weighted=True)
    if comparison is None:
        abort(404)  # in no series, or fewer than two waves with responses
    audit(
        current_user,
        "exported the change between waves",
        f"consultation:{slug}",
        f"{export_format.upper()}, {comparison.name}, "
        f"waves {_numbers([w.number for w in comparison.waves])}",
    )
    return _send(
        export_format,
        "change",
        comparison.name,
        lambda: wave_export.stream_change_csv(comparison),
        lambda: wave_export.change_sheets(comparison),
    )
