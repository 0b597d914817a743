"""Running a consultation again as the next wave of its series (portal/consultations/copies)."""

from __future__ import annotations

from flask import flash
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import Action, allows
from portal.audit import add_audit_entry
from portal.consultations import copies
from portal.consultations.builder import ChangeRefused
from portal.consultations.models import ConsultationStatus
from portal.extensions import db
from portal.officer import bp
from portal.officer.builder_forms import NewWaveForm
from portal.officer.builder_support import consultation_to_build, to_builder
from portal.rendering import render_page
from portal.schools.service import channels_of, copy_links


@bp.route("/consultations/<slug>/new-wave", methods=["GET", "POST"])
@allows(Action.BUILD_CONSULTATION)
def new_wave(slug: str) -> WerkzeugResponse:
    consultation = consultation_to_build(slug)
    form = NewWaveForm(data={"title": consultation.title})
    if consultation.status != ConsultationStatus.DRAFT and form.validate_on_submit():
        try:
            wave = copies.new_wave(
                consultation, form.title.data or "", form.opens_on.data, form.closes_on.data
            )
        except ChangeRefused as refusal:
            db.session.rollback()
            form.closes_on.errors = [str(refusal)]
        else:
            links = copy_links(consultation, wave)
            db.session.flush()
            add_audit_entry(
                current_user,
                "ran again as a new wave",
                f"consultation:{consultation.slug}",
                f"wave {wave.wave_number}: {wave.slug}",
            )
            db.session.commit()  # the wave, its links and the audit entry together
            flash(
                f"This is wave {wave.wave_number}, a new draft copied from wave "
                f"{consultation.wave_number}, with {links} "
                f"{'link' if links == 1 else 'links'} for schools and outlets",
                "success",
            )
            return to_builder(wave)
    switched_on = [c for c in channels_of(consultation) if c.active]
    return render_page(
        "officer/builder/new-wave.html",
        status=422 if form.errors else 200,
        form=form,
        consultation=consultation,
        next_number=copies.next_wave_number(consultation),
        links_kept=sum(1 for c in switched_on if c.school is None or c.school.is_open),
        links_left_out=sum(1 for c in switched_on if c.school is not None and not c.school.is_open),
    )
