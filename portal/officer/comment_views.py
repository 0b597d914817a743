"""Comments: search, themes (officer-defined codes) and quotes approved for publication."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug import Response as WerkzeugResponse

from portal.accounts.permissions import Action, allows
from portal.comments import service as comment_service
from portal.consultations.models import Consultation, Question
from portal.consultations.service import consultation_with_questions
from portal.forms import ConfirmForm
from portal.officer import bp, page_number
from portal.officer.comment_forms import QuoteForm, TagForm, ThemeForm
from portal.rendering import render_page
from portal.reporting import comments as comment_figures
from portal.reporting.filter_form import filter_choices, parse_filter
from portal.reporting.response_set import ResponseSet
from portal.responses.models import Answer

SEARCH_MAX_LENGTH = 100


def _question(slug: str, key: str) -> tuple[Consultation, Question]:
    consultation = consultation_with_questions(slug) or abort(404)
    question = next((q for q in consultation.questions if q.key == key), None) or abort(404)
    return consultation, question


def _comment(question: Question, answer_id: int) -> Answer:
    return comment_service.find_comment(question, answer_id) or abort(404)


def _back_to_comments(slug: str, key: str, answer_id: int | None = None) -> WerkzeugResponse:
    """Back to the comments page the form was on: its search, theme, page and filters travel
    in the form's action URL."""
    args: dict[str, Any] = request.args.to_dict(flat=False)
    anchor = f"comment-{answer_id}" if answer_id else None
    return redirect(url_for(".comments", slug=slug, key=key, _anchor=anchor, **args), code=303)


@bp.get("/consultations/<slug>/questions/<key>/comments")
@allows(Action.READ_RESULTS)
def comments(slug: str, key: str) -> WerkzeugResponse:
    """Search, theme and quote one question's comments. With `within` (an outcome code) it is
    the results page's own list asking for another page: the same list without the tools."""
    consultation, question = _question(slug, key)
    only = parse_filter(request.args, filter_choices(consultation))
    available = comment_service.themes(consultation.id)
    search = request.args.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    theme_id = request.args.get("theme", "")
    theme = next((t for t in available if str(t.id) == theme_id), None)
    responses = ResponseSet(consultation.id, only)
    page = comment_figures.comment_page(question, page_number(), responses, search, theme)
    within = request.args.get("within", "")
    return render_page(
        "officer/comments.html",
        block="comments_page" if within else "main_content",
        consultation=consultation,
        page=page,
        scope=within if comment_service.SCOPE_PATTERN.fullmatch(within) else "all",
        tools=not within,
        only=only,
        themes=available,
        theme_counts=comment_figures.theme_counts(consultation, responses).get(question.id, []),
        theme_form=ThemeForm(),
        tag_form=TagForm(),
        bad_theme=bool(theme_id) and theme is None,
    )


@bp.post("/consultations/<slug>/questions/<key>/themes")
@allows(Action.ANALYSE_COMMENTS)
def add_theme(slug: str, key: str) -> WerkzeugResponse:
    consultation = _question(slug, key)[0]
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            theme = comment_service.add_theme(
                consultation, form.name.data or "", form.description.data or "", current_user
            )
        except comment_service.ThemeError as error:
            flash(str(error), "error")
        else:
            flash(_("Theme \u201c%(name)s\u201d added", name=theme.name), "success")
    else:
        flash(str(next(iter(form.errors.values()))[0]), "error")
    return _back_to_comments(slug, key)


@bp.post("/consultations/<slug>/questions/<key>/comments/<int:answer_id>/themes")
@allows(Action.ANALYSE_COMMENTS)
def tag_comment(slug: str, key: str, answer_id: int) -> WerkzeugResponse:
    consultation, question = _question(slug, key)
    answer = _comment(question, answer_id)
    form = TagForm()
    if not form.validate_on_submit():
        abort(400)
    comment_service.set_themes(
        answer, set(form.themes.data or []), comment_service.themes(consultation.id), current_user
    )
    return _back_to_comments(slug, key, answer_id)


@bp.route(
    "/consultations/<slug>/questions/<key>/comments/<int:answer_id>/quote",
    methods=["GET", "POST"],
)
@allows(Action.ANALYSE_COMMENTS)
def quote_comment(slug: str, key: str, answer_id: int) -> WerkzeugResponse:
    """Approve a comment for the published results, with personal details taken out."""
    consultation, question = _question(slug, key)
    answer = _comment(question, answer_id)
    existing = comment_service.quote_of(answer)
    form = QuoteForm()
    if request.method == "GET":
        form.text.data = existing.text if existing else answer.text
    if form.validate_on_submit():
        comment_service.mark_quotable(answer, form.text.data or "", current_user)
        flash(_("The comment will be shown in the published results as approved"), "success")
        return _back_to_comments(slug, key, answer_id)
    return render_page(
        "officer/quote.html",
        status=422 if form.errors else 200,
        consultation=consultation,
        question=question,
        answer=answer,
        existing=existing,
        form=form,
        withdraw_form=ConfirmForm(),
    )


@bp.post("/consultations/<slug>/questions/<key>/comments/<int:answer_id>/quote/withdraw")
@allows(Action.ANALYSE_COMMENTS)
def withdraw_quote(slug: str, key: str, answer_id: int) -> WerkzeugResponse:
    question = _question(slug, key)[1]
    answer = _comment(question, answer_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    comment_service.unmark_quotable(answer, current_user)
    flash(_("The comment will no longer be published"), "success")
    return _back_to_comments(slug, key, answer_id)
