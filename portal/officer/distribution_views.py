"""Officers hand out consultations: channels for schools and other outlets, and exact
response counts by school and district."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal.accounts import passwords
from portal.accounts import service as accounts
from portal.accounts.models import Role
from portal.accounts.permissions import Action, allows
from portal.clock import uk_today, utcnow
from portal.consultations.service import consultation_with_questions
from portal.csv_export import CSV_TYPE, csv_text
from portal.forms import ConfirmForm
from portal.mail import MailUnavailable
from portal.officer import bp
from portal.officer.distribution_forms import DistrictChannelsForm, OutletForm, SchoolAccountForm
from portal.rendering import render_page
from portal.reporting import distribution as by_school
from portal.schools import pages, register, service
from portal.schools.models import DistributionChannel, District, OutletKind


def _channel(code: str) -> DistributionChannel:
    channel = service.channel_by_code(code) if len(code) <= 16 else None
    return channel or abort(404)


@bp.get("/consultations/<slug>/distribution")
@allows(Action.DISTRIBUTE)
def distribution(slug: str) -> WerkzeugResponse:
    consultation = consultation_with_questions(slug) or abort(404)
    sort = request.args.get("sort", "school")
    report = by_school.distribution(consultation, sort if sort in by_school.SORTS else "school")
    district_form = DistrictChannelsForm(formdata=None)
    outlet_form = OutletForm(formdata=None)
    return render_page(
        "officer/distribution.html",
        consultation=consultation,
        report=report,
        sort=report.sort,
        district_form=district_form,
        outlet_form=outlet_form,
        action=ConfirmForm(),
    )


@bp.get("/consultations/<slug>/distribution.csv")
@allows(Action.DISTRIBUTE)
def distribution_csv(slug: str) -> WerkzeugResponse:
    consultation = consultation_with_questions(slug) or abort(404)
    report = by_school.distribution(consultation, "school")
    head = [
        "School",
        "Number",
        "District",
        "Phase",
        "Pupils",
        "Responses",
        "Per 100 pupils",
        "Link",
    ]
    rows = (
        [
            row.school.name,
            row.school.number,
            row.school.district.label,
            row.school.phase.label,
            row.school.pupils,
            row.responses,
            f"{row.rate:.1f}" if row.rate is not None else "",
            pages.channel_url(row.channel) if row.channel else "",
        ]
        for row in report.schools
    )
    response = make_response("".join(csv_text(head, rows)))
    response.content_type = CSV_TYPE
    response.headers["Content-Disposition"] = (
        f'attachment; filename="responses-by-school-{consultation.slug}.csv"'
    )
    return response


@bp.post("/consultations/<slug>/distribution/district")
@allows(Action.DISTRIBUTE)
def create_district_channels(slug: str) -> WerkzeugResponse:
    consultation = consultation_with_questions(slug) or abort(404)
    form = DistrictChannelsForm()
    if not form.validate_on_submit():
        flash(_("Select a district"), "error")
    else:
        district = District(form.district.data)
        created = service.create_district_channels(consultation, district)
        flash(
            ngettext(
                "Created links for %(num)d school in %(district)s",
                "Created links for %(num)d schools in %(district)s",
                created,
                district=district.label,
            ),
            "success",
        )
    return redirect(url_for(".distribution", slug=slug), code=303)


@bp.post("/consultations/<slug>/distribution/outlets")
@allows(Action.DISTRIBUTE)
def create_outlet_channel(slug: str) -> WerkzeugResponse:
    consultation = consultation_with_questions(slug) or abort(404)
    form = OutletForm()
    if not form.validate_on_submit():
        flash(
            _("Enter the outlet's name, in 200 characters or fewer, and choose its kind"), "error"
        )
        return redirect(url_for(".distribution", slug=slug), code=303)
    channel = service.create_channel(
        consultation, kind=OutletKind(form.kind.data), name=form.name.data
    )
    flash(_("Created a link for %(name)s", name=channel.name), "success")
    return redirect(url_for(".channel", channel_code=channel.code), code=303)


@bp.get("/channels/<channel_code>")
@allows(Action.DISTRIBUTE)
def channel(channel_code: str) -> WerkzeugResponse:
    return pages.render_channel(
        _channel(channel_code), exact=True, now=utcnow(), audience="officer"
    )


@bp.get("/channels/<channel_code>/letter")
@allows(Action.DISTRIBUTE)
def letter(channel_code: str) -> WerkzeugResponse:
    return pages.render_letter(
        _channel(channel_code),
        audience="officer",
        asked_language=request.args.get("language"),
    )


@bp.get("/channels/<channel_code>/qr.<file_type>")
@allows(Action.DISTRIBUTE)
def qr(channel_code: str, file_type: str) -> WerkzeugResponse:
    if file_type not in ("svg", "png"):
        abort(404)
    channel = _channel(channel_code)
    language = pages.letter_language(channel, request.args.get("language"))
    return pages.qr_response(channel, file_type, language)


@bp.post("/channels/<channel_code>/switch")
@allows(Action.DISTRIBUTE)
def switch_channel(channel_code: str) -> WerkzeugResponse:
    channel = _channel(channel_code)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.set_channel_active(channel, not channel.active)
    except service.ClosedSchoolLink as refused:
        flash(str(refused), "error")
    else:
        flash(
            _("The link for %(name)s is on", name=channel.name)
            if channel.active
            else _("The link for %(name)s is switched off", name=channel.name),
            "success",
        )
    return redirect(url_for(".distribution", slug=channel.consultation.slug), code=303)


@bp.route("/schools/<school_number>", methods=["GET", "POST"])
@allows(Action.DISTRIBUTE)
def school(school_number: str) -> WerkzeugResponse:
    """A school, its links and its staff accounts; officers create the accounts here."""
    found = register.find_school(school_number) if len(school_number) <= 20 else None
    if found is None:
        abort(404)
    form = SchoolAccountForm()
    sent_to = None
    if request.method == "POST" and not found.is_open:
        flash(_("A closed school cannot be given new accounts"), "error")
        return redirect(url_for(".school", school_number=found.number), code=303)
    if form.validate_on_submit():
        # The member of staff chooses their own password through an emailed link.
        try:
            _user, message = passwords.invite(
                form.email.data, Role.SCHOOL, school_id=found.id, by=current_user
            )
        except accounts.AccountError as error:
            form.email.errors = [str(error)]
        else:
            try:
                message.send()
            except MailUnavailable:
                form.email.errors = [
                    _(
                        "The account for %(email)s is made, but the email with its link could "
                        "not be sent: an administrator can send it again from Users",
                        email=message.to,
                    )
                ]
            else:
                sent_to = message.to
    return render_page(
        "officer/school.html",
        status=422 if form.errors else 200,
        school=found,
        form=form,
        sent_to=sent_to,
        users=accounts.users_of_school(found.id),
        channels=service.school_channels(found.id),
        closed_on=uk_today(found.closed_at) if found.closed_at else None,
        action=ConfirmForm(),
    )
