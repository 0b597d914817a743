"""Running a consultation again as the next wave of its series (portal/consultations/copies)."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import Action, allows
from portal.audit import add_audit_entry
from portal.clock import uk_today
from portal.consultations import copies
from portal.consultations.models import ConsultationStatus
from portal.extensions import db
from portal.officer import bp
from portal.officer.builder_forms import NewWaveForm
from portal.officer.builder_support import consultation_to_build, to_builder
from portal.rendering import render_page
from portal.schools.service import copy_links, links_for_next_wave


@bp.route("/consultations/<slug>/new-wave", methods=["GET", "POST"])
@allows(Action.BUILD_CONSULTATION)
def new_wave(slug: str) -> WerkzeugResponse:
    consultation = consultation_to_build(slug)
    source = copies.latest_wave(consultation)
    is_draft = source.status == ConsultationStatus.DRAFT
    form = NewWaveForm(data={"title": source.title})
    if is_draft and form.is_submitted():
        flash(_("A draft cannot be run again: publish it first"), "error")
        return to_builder(consultation)
    valid = False
    if form.is_submitted():
        # Every problem at once: the form's, and the dates' against the latest wave.
        valid = form.validate_on_submit()
        for name, problem in copies.wave_date_problems(
            consultation, form.opens_on.data, form.closes_on.data, uk_today()
        ).items():
            field = getattr(form, name)
            field.errors = [*field.errors, problem]
            valid = False
    if valid:
        try:
            wave = copies.new_wave(
                consultation,
                form.title.data or "",
                form.opens_on.data,
                form.closes_on.data,
                uk_today(),
            )
            copied = copy_links(source, wave)
            db.session.flush()
        except IntegrityError:
            # Another officer made the next wave at the same moment: its number is taken.
            db.session.rollback()
            flash(_("Another wave was made at the same moment: check the series below"), "error")
            return to_builder(consultation)
        else:
            add_audit_entry(
                current_user,
                "ran again as a new wave",
                f"consultation:{consultation.slug}",
                f"wave {wave.wave_number}: {wave.slug}",
            )
            db.session.commit()  # the wave, its links and the audit entry together
            if copied:
                made = ngettext(
                    "This is wave %(number)s, a new draft copied from wave %(source)s, with "
                    "%(num)d link for schools and outlets",
                    "This is wave %(number)s, a new draft copied from wave %(source)s, with "
                    "%(num)d links for schools and outlets",
                    copied,
                    number=wave.wave_number,
                    source=source.wave_number,
                )
            else:
                made = _(
                    "This is wave %(number)s, a new draft copied from wave %(source)s, with no "
                    "links for schools and outlets (wave %(source)s had none switched on)",
                    number=wave.wave_number,
                    source=source.wave_number,
                )
            flash(made, "success")
            return to_builder(wave)
    to_copy = links_for_next_wave(source)
    return render_page(
        "officer/builder/new-wave.html",
        status=422 if form.errors else 200,
        form=form,
        consultation=consultation,
        source=source,
        next_number=copies.next_wave_number(consultation),
        links_kept=len(to_copy.copied),
        links_left_out=to_copy.closed_schools_left_out,
    )
