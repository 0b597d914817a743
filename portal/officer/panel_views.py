"""The panel register. Personal details are for officers only, and every view of a member's
record, and every change to it, is written to the audit log."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal import audit
from portal.accounts.permissions import Action, allows
from portal.clock import utcnow
from portal.consultations.service import consultation_with_questions
from portal.extensions import db
from portal.forms import ConfirmForm
from portal.mail import mail_configured
from portal.officer import bp, page_number
from portal.officer.panel_forms import MemberForm
from portal.panel import invitations, service
from portal.panel.models import MemberStatus, PanelGroup, PanelMember
from portal.privacy.service import erase_member, member_erasure_counts
from portal.rendering import render_page
from portal.reporting import panel_report
from portal.url_values import whole_number


def _member(reference: str) -> PanelMember:
    member = service.find_member(reference) if len(reference) <= 30 else None
    return member or abort(404)


@bp.get("/panel")
@allows(Action.MANAGE_PANEL)
def panel() -> WerkzeugResponse:
    raw_group = request.args.get("group", "")
    group_id = whole_number(raw_group) if raw_group else None
    if raw_group and group_id is None:
        abort(404)
    status = request.args.get("status", "active")
    chosen = MemberStatus(status) if status in MemberStatus._value2member_map_ else None
    page = page_number()
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
        form.consent_date.errors = [_("Enter the date consent was given")]
    if not form.validate_on_submit() or form.consent_date.errors:
        return None
    try:
        values = service.clean_member(_form_values(form))
        return service.save_member(member, values, by=current_user)
    except service.MemberError as problem:
        field = form[problem.field] if problem.field and problem.field in form else form.reference
        field.errors = [*field.errors, str(problem)[:1].upper() + str(problem)[1:]]
        return None


@bp.route("/panel/members/new", methods=["GET", "POST"])
@allows(Action.MANAGE_PANEL)
def new_member() -> WerkzeugResponse:
    form = MemberForm()
    if request.method == "POST":
        member = _save(form, None)
        if member is not None:
            flash(_("Added %(reference)s", reference=member.reference), "success")
            return redirect(url_for(".member", member_reference=member.reference), code=303)
    return render_page(
        "officer/panel/form.html", status=422 if form.errors else 200, form=form, member=None
    )


@bp.get("/panel/members/<member_reference>")
@allows(Action.MANAGE_PANEL)
def member(member_reference: str) -> WerkzeugResponse:
    found = _member(member_reference)
    audit.audit(current_user, "viewed", service.audit_subject(found))
    return render_page(
        "officer/panel/member.html",
        member=found,
        action=ConfirmForm(),
        trail=audit.audit_trail(service.audit_subject(found)),
    )


@bp.route("/panel/members/<member_reference>/edit", methods=["GET", "POST"])
@allows(Action.MANAGE_PANEL)
def edit_member(member_reference: str) -> WerkzeugResponse:
    found = _member(member_reference)
    if request.method == "GET":
        form = MemberForm(obj=found, formdata=None)
        form.consent_date.process(None, found.consent_given_on)
        form.district.data = found.district.value if found.district else ""
        form.age_band.data = found.age_band.value if found.age_band else ""
        form.disability.data = {True: "yes", False: "no", None: ""}[found.disability]
        form.groups.data = "; ".join(g.name for g in found.groups)
        audit.audit(current_user, "viewed", service.audit_subject(found), "to change")
    else:
        form = MemberForm()
        saved = _save(form, found)
        if saved is not None:
            flash(_("Saved"), "success")
            return redirect(url_for(".member", member_reference=saved.reference), code=303)
    return render_page(
        "officer/panel/form.html", status=422 if form.errors else 200, form=form, member=found
    )


@bp.get("/panel/members/<member_reference>/remove")
@allows(Action.MANAGE_PANEL)
def confirm_remove_member(member_reference: str) -> WerkzeugResponse:
    """Are you sure? What removal erases and what it keeps, with the member's own counts."""
    found = _member(member_reference)
    audit.audit(current_user, "viewed", service.audit_subject(found), "to remove")
    return render_page(
        "officer/confirm/remove-member.html",
        member=found,
        counts=member_erasure_counts(found),
        form=ConfirmForm(),
    )


@bp.post("/panel/members/<member_reference>/remove")
@allows(Action.MANAGE_PANEL)
def remove_member(member_reference: str) -> WerkzeugResponse:
    found = _member(member_reference)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    # The same erasure as a member's request by the command line: their record and
    # invitations go, responses linked to them stay anonymously (audited in one transaction).
    erase_member(found, by=current_user)
    flash(
        _("Removed %(reference)s and everything held about them", reference=member_reference),
        "success",
    )
    return redirect(url_for(".panel"), code=303)


@bp.route("/consultations/<slug>/invitations", methods=["GET", "POST"])
@allows(Action.MANAGE_PANEL)
def invitations_page(slug: str) -> WerkzeugResponse:
    """Invite a group, send the emails, send reminders: each a button, each safe to repeat."""
    consultation = consultation_with_questions(slug) or abort(404)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        action = request.form.get("action")
        now = utcnow()
        if action == "invite":
            raw = request.form.get("group", "")
            group_id = whole_number(raw)
            group = db.session.get(PanelGroup, group_id) if group_id is not None else None
            if raw and group is None:
                abort(400)
            created = invitations.invite(consultation, group, now)
            flash(
                ngettext("Invited %(num)d more member", "Invited %(num)d more members", created),
                "success",
            )
        elif action in ("send", "remind"):
            if action == "send":
                report = invitations.send_invitations(consultation, now)
            else:
                report = invitations.send_reminders(
                    consultation, now, current_app.config["PANEL_MAX_REMINDERS"]
                )
            _flash_send(report, action == "remind")
        else:
            flash(_("Choose what to do: invite, send or remind"), "error")
        return redirect(url_for(".invitations_page", slug=slug), code=303)
    return render_page(
        "officer/panel/invitations.html",
        consultation=consultation,
        counts=invitations.counts(consultation),
        groups=service.groups(),
        action=ConfirmForm(),
        can_email=mail_configured(),
        max_reminders=current_app.config["PANEL_MAX_REMINDERS"],
    )


def _flash_send(report: invitations.SendReport, reminders: bool) -> None:
    if reminders:
        sent = ngettext("Sent %(num)d reminder", "Sent %(num)d reminders", report.sent)
    else:
        sent = ngettext("Sent %(num)d invitation", "Sent %(num)d invitations", report.sent)
    flash(sent, "success")
    if report.failed:
        flash(
            _(
                "The mail server refused %(num)d; they will be tried again next time: %(list)s",
                num=len(report.failed),
                list=", ".join(report.failed),
            ),
            "error",
        )
    if report.uncertain:
        flash(
            _(
                "%(num)d may have been sent by an earlier run that stopped; they are not sent "
                "again: %(list)s",
                num=len(report.uncertain),
                list=", ".join(report.uncertain),
            ),
            "error",
        )


@bp.get("/consultations/<slug>/invitations/letters")
@allows(Action.MANAGE_PANEL)
def invitation_letters(slug: str) -> WerkzeugResponse:
    consultation = consultation_with_questions(slug) or abort(404)
    found = invitations.letters(consultation)
    audit.audit(current_user, "printed letters", f"consultation:{slug}", f"{len(found)} members")
    return render_page(
        "officer/panel/letters.html",
        consultation=consultation,
        letters=[(i, invitations.invitation_link(i)) for i in found],
    )


@bp.get("/consultations/<slug>/panel-results")
@allows(Action.READ_RESULTS)
def panel_results(slug: str) -> WerkzeugResponse:
    """Response rates, how respondents compare with the panel and the county, and why the
    weighted results differ."""
    consultation = consultation_with_questions(slug) or abort(404)
    return render_page(
        "officer/panel/results.html",
        consultation=consultation,
        report=panel_report.panel_report(consultation),
    )
