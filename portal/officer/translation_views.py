"""A consultation's languages: add one, download its texts as a PO file, upload the
translation or edit it beside the English, see what is missing or needs a check, mark it
checked. Thin views over portal/consultations/translations.py; every change is a POST that
redirects, so each works without JavaScript."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal import clock
from portal.accounts.permissions import Action, allows
from portal.audit import audit
from portal.consultations import translations
from portal.consultations.models import Consultation
from portal.consultations.po_files import ReadPoFile, UnreadablePoFile, po_file, read_po_file
from portal.consultations.service import consultation_with_questions
from portal.consultations.translation_models import ConsultationLanguage
from portal.consultations.translations import TextState
from portal.forms import ConfirmForm, CsrfForm
from portal.i18n import LANGUAGES
from portal.officer import bp
from portal.officer.translation_forms import AddLanguageForm, MarkCheckedForm, PoUploadForm
from portal.rendering import render_page


def _consultation_and_language(
    slug: str, language: str
) -> tuple[Consultation, ConsultationLanguage]:
    consultation = consultation_with_questions(slug) or abort(404)
    row = translations.language_row(consultation, language) or abort(404)
    return consultation, row


def _subject(consultation: Consultation) -> str:
    return f"consultation:{consultation.slug}"


@bp.route("/consultations/<slug>/languages", methods=["GET", "POST"])
@allows(Action.BUILD_CONSULTATION)
def languages(slug: str) -> WerkzeugResponse:
    consultation = consultation_with_questions(slug) or abort(404)
    form = AddLanguageForm()
    addable = translations.addable_languages(consultation)
    form.language.choices = [(code, LANGUAGES[code].english_name) for code in addable]
    if form.validate_on_submit():
        row = translations.add_language(consultation, form.language.data)
        audit(current_user, "added a language", _subject(consultation), row.language)
        name = LANGUAGES[row.language].english_name
        flash(_("%(language)s added. Download its texts to translate.", language=name))
        return redirect(url_for(".language", slug=slug, language=row.language), code=303)
    return render_page(
        "officer/languages/index.html",
        status=422 if form.errors else 200,
        consultation=consultation,
        statuses=[
            translations.status_of(consultation, row)
            for row in translations.languages_of(consultation)
        ],
        form=form if addable else None,
        states=TextState,
    )


def _language_page(
    consultation: Consultation,
    row: ConsultationLanguage,
    upload_form: PoUploadForm | None = None,
    checked_form: MarkCheckedForm | None = None,
) -> WerkzeugResponse:
    upload_form = upload_form or PoUploadForm(formdata=None)
    checked_form = checked_form or MarkCheckedForm(formdata=None)
    return render_page(
        "officer/languages/language.html",
        status=422 if upload_form.errors or checked_form.errors else 200,
        consultation=consultation,
        status_of_texts=translations.status_of(consultation, row),
        language=LANGUAGES[row.language],
        upload_form=upload_form,
        checked_form=checked_form,
        states=TextState,
    )


@bp.get("/consultations/<slug>/languages/<language>")
@allows(Action.BUILD_CONSULTATION)
def language(slug: str, language: str) -> WerkzeugResponse:
    return _language_page(*_consultation_and_language(slug, language))


@bp.get("/consultations/<slug>/languages/<language>/texts.po")
@allows(Action.BUILD_CONSULTATION)
def language_po_file(slug: str, language: str) -> WerkzeugResponse:
    consultation, row = _consultation_and_language(slug, language)
    status = translations.status_of(consultation, row)
    response = make_response(po_file(consultation, language, status.texts))
    response.headers["Content-Type"] = "text/x-gettext-translation; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}-{language}.po"'
    return response


@bp.post("/consultations/<slug>/languages/<language>/upload")
@allows(Action.BUILD_CONSULTATION)
def upload_translation(slug: str, language: str) -> WerkzeugResponse:
    """A PO file's translations replace those held for its texts, in one transaction; a file
    that cannot be read changes nothing and says why."""
    consultation, row = _consultation_and_language(slug, language)
    form = PoUploadForm()
    if not form.validate_on_submit():
        return _language_page(consultation, row, upload_form=form)
    status = translations.status_of(consultation, row)
    try:
        read = read_po_file(
            form.po_file.data.read(), consultation, language, {t.source.key for t in status.texts}
        )
    except UnreadablePoFile as problem:
        form.po_file.errors = [str(problem)]
        return _language_page(consultation, row, upload_form=form)
    taken, kept = translations.from_upload(status, read.translations)
    changed = translations.save_translations(consultation, row, taken, clock.utcnow())
    audit(current_user, "uploaded a translation", _subject(consultation), f"{language}: {changed}")
    flash(_upload_summary(read, changed, kept))
    return redirect(url_for(".language", slug=slug, language=language), code=303)


def _upload_summary(read: ReadPoFile, changed: int, kept: int) -> str:
    taken = len(read.translations)
    said = [
        ngettext(
            "The file held %(count)s translated text",
            "The file held %(count)s translated texts",
            taken,
            count=f"{taken:,}",
        ),
        ngettext(
            "%(count)s changed what was held",
            "%(count)s changed what was held",
            changed,
            count=f"{changed:,}",
        )
        if changed
        else _("none changed anything"),
    ]
    if kept:
        said.append(
            ngettext(
                "%(count)s translated English that has changed since: the up-to-date "
                "translation kept",
                "%(count)s translated English that has changed since: the up-to-date "
                "translations kept",
                kept,
                count=f"{kept:,}",
            )
        )
    if read.untranslated:
        said.append(
            ngettext(
                "%(count)s left untranslated",
                "%(count)s left untranslated",
                read.untranslated,
                count=f"{read.untranslated:,}",
            )
        )
    if read.fuzzy:
        said.append(
            ngettext(
                "%(count)s marked fuzzy (unsure), not taken",
                "%(count)s marked fuzzy (unsure), not taken",
                read.fuzzy,
                count=f"{read.fuzzy:,}",
            )
        )
    if read.unknown:
        said.append(
            ngettext(
                "%(count)s not in this consultation now, ignored",
                "%(count)s not in this consultation now, ignored",
                read.unknown,
                count=f"{read.unknown:,}",
            )
        )
    return _("%(parts)s.", parts="; ".join(said))


@bp.route("/consultations/<slug>/languages/<language>/edit", methods=["GET", "POST"])
@allows(Action.BUILD_CONSULTATION)
def edit_translation(slug: str, language: str) -> WerkzeugResponse:
    """Each text beside its English. Only what an officer changes is saved, or a translation
    they confirm still says what the changed English says: a text left alone keeps its state."""
    consultation, row = _consultation_and_language(slug, language)
    status = translations.status_of(consultation, row)
    form = CsrfForm()
    errors: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        changes, errors = translations.edited(status, request.form)
        if not errors:
            changed = translations.save_translations(consultation, row, changes, clock.utcnow())
            subject = _subject(consultation)
            audit(current_user, "edited a translation", subject, f"{language}: {changed}")
            flash(
                ngettext(
                    "%(count)s text saved.", "%(count)s texts saved.", changed, count=f"{changed:,}"
                )
            )
            return redirect(url_for(".language", slug=slug, language=language), code=303)
    return render_page(
        "officer/languages/edit.html",
        status=422 if errors or form.errors else 200,
        consultation=consultation,
        status_of_texts=status,
        language=LANGUAGES[language],
        form=form,
        errors=errors,
        problems=[(f"text-{key}", message) for key, message in errors.items()],
        typed=request.form if request.method == "POST" else {},
        states=TextState,
    )


@bp.post("/consultations/<slug>/languages/<language>/checked")
@allows(Action.BUILD_CONSULTATION)
def mark_translation_checked(slug: str, language: str) -> WerkzeugResponse:
    consultation, row = _consultation_and_language(slug, language)
    form = MarkCheckedForm()
    if not form.validate_on_submit():
        return _language_page(consultation, row, checked_form=form)
    try:
        translations.mark_checked(consultation, row, current_user, clock.utcnow())
    except translations.NotReadyToCheck:
        form.confirmed.errors = [
            _(
                "Every text must be translated from the English as it reads now before the "
                "translation can be marked checked"
            )
        ]
        return _language_page(consultation, row, checked_form=form)
    audit(current_user, "marked a translation checked", _subject(consultation), language)
    flash(
        _(
            "%(language)s marked checked: respondents are offered it while every text stays "
            "translated.",
            language=LANGUAGES[language].english_name,
        )
    )
    return redirect(url_for(".language", slug=slug, language=language), code=303)


@bp.get("/consultations/<slug>/languages/<language>/remove")
@allows(Action.BUILD_CONSULTATION)
def confirm_remove_language(slug: str, language: str) -> WerkzeugResponse:
    """Are you sure? What removing a language deletes, and what it keeps."""
    consultation, _row = _consultation_and_language(slug, language)
    return render_page(
        "officer/languages/remove.html",
        consultation=consultation,
        held=len(translations.stored_translations(consultation.id, language)),
        language=LANGUAGES[language],
        form=ConfirmForm(),
    )


@bp.post("/consultations/<slug>/languages/<language>/remove")
@allows(Action.BUILD_CONSULTATION)
def remove_language(slug: str, language: str) -> WerkzeugResponse:
    consultation, row = _consultation_and_language(slug, language)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    removed = translations.remove_language(consultation, row, current_user)
    flash(
        ngettext(
            "%(language)s removed, with its %(count)s translated text.",
            "%(language)s removed, with its %(count)s translated texts.",
            removed,
            language=LANGUAGES[language].english_name,
            count=f"{removed:,}",
        ),
        "success",
    )
    return redirect(url_for(".languages", slug=slug), code=303)
