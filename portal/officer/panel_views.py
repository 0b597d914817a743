"""The panel register. Personal details are for officers only, and every view of a member's
record, and every change to it, is written to the audit log."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal.accounts.models import Role
from portal.accounts.permissions import requires_role
from portal.officer import bp
from portal.officer.builder_forms import ActionForm
from portal.officer.panel_forms import MemberForm
from portal.panel import service
from portal.panel.models import MemberStatus, PanelMember
from portal.rendering import render_page

OFFICERS = (Role.OFFICER, Role.ADMIN)


def _member(reference: str) -> PanelMember:
    member = service.find_member(reference) if len(reference) <= 30 else None
    return member or abort(404)


def _subject(member: PanelMember) -> str:
    return f"panel_member:{member.reference}"


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


@bp.get("/panel")
@requires_role(*OFFICERS)
def panel() -> WerkzeugResponse:
    raw_group = request.args.get("group", "")
    group_id = int(raw_group) if raw_group.isdigit() else None
    status = request.args.get("status", "active")
    chosen = MemberStatus(status) if status in MemberStatus._value2member_map_ else None
    page = _page_number()
    found, total = service.members(group_id, chosen, page)
    return render_page(
        "officer/panel/index.html",
        members=found,
        total=total,
        page=page,
        page_count=max(1, -(-total // service.MEMBERS_PER_PAGE)),
        groups=service.groups(),
        group_id=group_id,
        member_status=status,
    )


def _form_values(form: MemberForm) -> dict[str, Any]:
    return {
        "reference": form.reference.data,
        "name": form.name.data,
        "email": form.email.data,
        "address": form.address.data,
        "postcode": form.postcode.data,
        "district": form.district.data,
        "age_band": form.age_band.data,
        "gender": form.gender.data,
        "ethnicity": form.ethnicity.data,
        "disability": form.disability.data,
        "groups": form.groups.data,
        "consent_date": form.consent_date.data,
        "consent_wording": form.consent_wording.data,
    }


def _save(form: MemberForm, member: PanelMember | None) -> PanelMember | None:
    """The saved member, or None with the problem put on its field."""
    if form.consent_date.data is None and not form.consent_date.errors:
        form.consent_date.errors = ["Enter the date consent was given"]
    if not form.validate_on_submit() or form.consent_date.errors:
        return None
    try:
        values = service.clean_member(_form_values(form))
        return service.save_member(member, values)
    except service.MemberError as problem:
        field = form[problem.field] if problem.field and problem.field in form else form.reference
        field.errors = [*field.errors, str(problem)[:1].upper() + str(problem)[1:]]
        return None


@bp.route("/panel/members/new", methods=["GET", "POST"])
@requires_role(*OFFICERS)
def new_member() -> WerkzeugResponse:
    form = MemberForm()
    if request.method == "POST":
        member = _save(form, None)
        if member is not None:
            service.audit(current_user, "added", _subject(member))
            flash(f"Added {member.reference}", "success")
            return redirect(url_for(".member", member_reference=member.reference), code=303)
    return render_page(
        "officer/panel/form.html", status=422 if form.errors else 200, form=form, member=None
    )


@bp.get("/panel/members/<member_reference>")
@requires_role(*OFFICERS)
def member(member_reference: str) -> WerkzeugResponse:
    found = _member(member_reference)
    service.audit(current_user, "viewed", _subject(found))
    return render_page(
        "officer/panel/member.html",
        member=found,
        action=ActionForm(),
        trail=service.audit_trail(_subject(found)),
    )


@bp.route("/panel/members/<member_reference>/edit", methods=["GET", "POST"])
@requires_role(*OFFICERS)
def edit_member(member_reference: str) -> WerkzeugResponse:
    found = _member(member_reference)
    if request.method == "GET":
        form = MemberForm(obj=found, formdata=None)
        form.consent_date.process(None, found.consent_given_on)
        form.district.data = found.district.value if found.district else ""
        form.age_band.data = found.age_band.value if found.age_band else ""
        form.disability.data = {True: "yes", False: "no", None: ""}[found.disability]
        form.groups.data = "; ".join(g.name for g in found.groups)
        service.audit(current_user, "viewed", _subject(found), "to change")
    else:
        form = MemberForm()
        saved = _save(form, found)
        if saved is not None:
            service.audit(current_user, "changed", _subject(saved))
            flash("Saved", "success")
            return redirect(url_for(".member", member_reference=saved.reference), code=303)
    return render_page(
        "officer/panel/form.html", status=422 if form.errors else 200, form=form, member=found
    )


@bp.post("/panel/members/<member_reference>/remove")
@requires_role(*OFFICERS)
def remove_member(member_reference: str) -> WerkzeugResponse:
    found = _member(member_reference)
    if not ActionForm().validate_on_submit():
        abort(400)
    subject = _subject(found)
    service.remove_member(found)
    service.audit(current_user, "removed", subject)
    flash(f"Removed {member_reference} and everything held about them", "success")
    return redirect(url_for(".panel"), code=303)
