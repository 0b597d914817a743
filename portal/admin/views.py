from __future__ import annotations

from flask import request, stream_with_context
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal import audit, clock
from portal.accounts.permissions import Action, allows
from portal.admin import bp
from portal.csv_export import CSV_TYPE, csv_text
from portal.officer import page_number
from portal.rendering import render_page


@bp.get("/audit")
@allows(Action.READ_AUDIT_LOG)
def audit_log() -> WerkzeugResponse:
    search = request.args.get("q", "").strip()[:100]
    found, total = audit.entries(search, page_number())
    return render_page(
        "admin/audit.html",
        entries=found,
        total=total,
        search=search,
        page=page_number(),
        pages=max(1, -(-total // audit.PER_PAGE)),
    )


@bp.get("/audit.csv")
@allows(Action.READ_AUDIT_LOG)
def export_audit_log() -> WerkzeugResponse:
    """The whole log (or the entries matching the search) as CSV, streamed; the export is
    itself recorded first, so it appears in the file."""
    search = request.args.get("q", "").strip()[:100]
    audit.audit(current_user, "exported the audit log", "audit", search or "every entry")

    rows = (
        [
            f"{clock.in_uk_time(entry.at):%Y-%m-%d %H:%M:%S}",
            entry.user_email,
            entry.action,
            entry.subject,
            entry.detail,
        ]
        for entry in audit.all_entries(search)
    )
    head = ["When (UK time)", "Who", "Action", "Subject", "Detail"]
    response = WerkzeugResponse(stream_with_context(csv_text(head, rows)), content_type=CSV_TYPE)
    response.headers["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response
