"""Jinja set-up: filters, globals, and the values every page needs."""

from __future__ import annotations

import weakref
from typing import Any

from flask import Flask, g, has_request_context, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup, escape

from portal.accounts.permissions import may_open
from portal.areas.service import areas_loaded
from portal.clock import in_uk_time
from portal.consultations.models import Page
from portal.consultations.question_types import OTHER, kind_of
from portal.forms import ConfirmForm, as_shown
from portal.i18n import format_and_list, format_number, long_date, short_date
from portal.rendering import SWAP_TARGET_ID
from portal.responses.service import format_reference
from portal.site_links import site_url_for
from portal.strategy.figures import (
    figure_sources,
    format_figure,
    interval_end,
    p_value,
    report_source,
    signed_points,
)
from portal.strategy.service import against_target, measure_trend, meets_target
from portal.suppression import THRESHOLD, Figure

# The default names (portal/config.py), here so that the catalogue holds them: pages show the
# configured names through the catalogue, so a council that configures others adds those to it.
DEFAULT_NAMES = (_l("Warwickshire County Council"), _l("Have your say"))
# The default description of the service (SERVICE_DESCRIPTION) and the default help after
# sending (DEFAULT_HELP_TEXT), for the same reason.
DEFAULT_DESCRIPTION = _l(
    "Answer Warwickshire County Council's consultations on keeping people safe, and see what "
    "the council did with the results."
)
DEFAULT_HELP = _l(
    "If you or someone else is in danger now, call 999. To report a crime or a concern that is "
    "not an emergency, call the police on 101."
)


def configured_name(app: Flask, key: str) -> str:
    """COUNCIL_NAME or SERVICE_NAME in the page's language (an empty string stays empty: the
    catalogue's entry for it is its header)."""
    name: str = app.config[key]
    return _(name) if name else name


def init_templating(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["reference"] = format_reference
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["figure"] = format_figure
    app.jinja_env.filters["signed_points"] = signed_points
    app.jinja_env.filters["p_value"] = p_value
    app.jinja_env.filters["interval_end"] = interval_end
    app.jinja_env.filters["as_shown"] = as_shown
    app.jinja_env.globals["site_url_for"] = site_url_for
    app.jinja_env.globals["direction_of_change"] = measure_trend
    app.jinja_env.globals["figure_against_target"] = against_target
    app.jinja_env.globals["meets_target"] = meets_target
    app.jinja_env.globals["figure_sources"] = figure_sources
    app.jinja_env.globals["report_source"] = report_source
    app.jinja_env.globals["areas_loaded"] = areas_loaded
    app.jinja_env.globals["swap_target_id"] = SWAP_TARGET_ID
    app.jinja_env.globals["field_names"] = lambda question: kind_of(question).field_names(question)
    app.jinja_env.globals["other_selected"] = other_selected
    app.jinja_env.globals["question_fields"] = question_fields
    app.jinja_env.filters["uk_date"] = long_date
    app.jinja_env.filters["short_date"] = short_date
    app.jinja_env.filters["and_list"] = format_and_list
    app.jinja_env.filters["uk_time"] = in_uk_time
    app.jinja_env.filters["figure_text"] = figure_text
    app.jinja_env.globals["character_count_i18n"] = character_count_i18n

    def full_title(heading: str, context: str | None = None, has_errors: Any = False) -> str:
        """GOV.UK page titles: what this page is, then where it belongs; errors first.

        Markup parts (a heading from the catalogue, already escaped) are kept as they are;
        the rest are escaped once here."""
        parts = [
            heading,
            context,
            configured_name(app, "SERVICE_NAME"),
            configured_name(app, "COUNCIL_NAME"),
        ]
        title = Markup(" – ").join(part for part in parts if part)
        return escape(_("Error: %(title)s")) % {"title": title} if has_errors else title

    app.jinja_env.globals["full_title"] = full_title

    @app.context_processor
    def service_identity() -> dict[str, Any]:
        # The error page for a lost database must not ask the database who is signed in; an
        # email rendered by a command (flask users reset-password) has no request, so no user.
        signed_in = (
            has_request_context()
            and not g.get("database_unavailable")
            and current_user.is_authenticated
        )
        return {
            "council_name": configured_name(app, "COUNCIL_NAME"),
            "service_name": configured_name(app, "SERVICE_NAME"),
            "staff_navigation": staff_navigation() if signed_in else [],
            "sign_out_form": ConfirmForm() if signed_in else None,
        }


def figure_text(figure: Figure) -> str:
    """A published count as the page's language says it: portal/suppression.py's "fewer than
    10" and "not shown" through the catalogue."""
    if figure.reason == "small":
        return _("fewer than %(threshold)s", threshold=THRESHOLD)
    if figure.reason == "secondary":
        return _("not shown")
    return figure.text


def character_count_i18n() -> Markup:
    """GOV.UK Frontend's character count writes "You have 20 characters remaining" itself as
    people type, in its own English unless the page gives it other words: in a language other
    than English, these data-i18n attributes give them, one per plural category of the language
    (as the script's Intl.PluralRules names them), each the catalogue's form for a whole number
    of that category."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return Markup("")
    categories: dict[str, int] = {}
    for number in range(200):
        categories.setdefault(locale.plural_form(number), number)
    # "other" is the script's fallback; in Polish it is only for fractions, read as "many".
    categories.setdefault("other", categories.get("many", 5))
    attributes = {"characters-at-limit": _("You have 0 characters remaining")}
    for category, number in categories.items():
        attributes[f"characters-under-limit.{category}"] = ngettext(
            "You have %(count)s character remaining",
            "You have %(count)s characters remaining",
            number,
            count="%{count}",
        )
        attributes[f"characters-over-limit.{category}"] = ngettext(
            "You have %(count)s character too many",
            "You have %(count)s characters too many",
            number,
            count="%{count}",
        )
    return Markup("").join(
        Markup(' data-i18n.{}="{}"').format(name, text) for name, text in attributes.items()
    )


def other_selected(question: Any, form: Any) -> bool:
    """Whether "Other, please specify" is chosen, so its text box starts revealed."""
    data = form[question.key].data
    return data == OTHER or (isinstance(data, list) and OTHER in data)


# Page -> (questions shown, asked as the heading) -> their HTML with nothing answered. Pages come
# from the process's structure cache, so a changed consultation's are dropped with its old
# structure, and these with them.
_unanswered_fields: weakref.WeakKeyDictionary[Page, dict[tuple[Any, ...], Markup]] = (
    weakref.WeakKeyDictionary()
)


def question_fields(macros: Any, view: Any, form: Any) -> Markup:
    """A page's questions as HTML, each written by its type's macro in `macros`
    (components/questions.html).

    A page nothing has been entered on yet, with no errors, is the same HTML for every
    respondent, so it is written once per page and process and kept: writing it was nearly a
    third of a question page's CPU (8.33 M instructions to 5.77 M, bench/results.md). Anything
    entered, stored or posted, writes it afresh."""

    def written() -> Markup:
        return Markup("").join(
            getattr(macros, kind_of(question).macro)(question, form, view.question_is_heading)
            for question in view.questions
        )

    if form.errors or not all(_nothing_entered(field) for field in form):
        return written()
    kept = _unanswered_fields.setdefault(view.page, {})
    # The page's own words (hints, "Other") are in the request's language as well.
    key = (
        tuple(question.id for question in view.questions),
        view.question_is_heading,
        str(get_locale()),
    )
    html = kept.get(key)
    if html is None:
        html = kept[key] = written()
    return html


def _nothing_entered(field: Any) -> bool:
    if field.type == "CSRFTokenField":
        return True
    return field.data in (None, "", []) and not any(field.raw_data or ())


# The safeguarding queue's link also says how many comments wait to be read.
SAFEGUARDING_QUEUE = "officer.safeguarding_queue"

# Each navigation link, and the endpoints under it that mark it as the current section. A link
# is shown to the roles the permission table allows its page's action.
STAFF_SECTIONS: list[tuple[str, LazyString, set[str]]] = [
    (
        "officer.dashboard",
        _l("Consultations"),
        {
            "officer.dashboard",
            "officer.results",
            "officer.responses_over_time",
            "officer.comments",
            "officer.cross_tab",
            "officer.quote_comment",
            "officer.publication",
            "officer.preview_results",
            "officer.new_consultation",
            "officer.edit_details",
            "officer.build",
            "officer.edit_question",
            "officer.preview",
            "officer.assisted_start",
            "officer.distribution",
            "officer.channel",
            "officer.letter",
            "officer.service_feedback",
            "officer.consultation_feedback",
            "officer.confirm_publish",
            "officer.confirm_close",
            "officer.preview_start",
            "officer.confirm_publish_results",
            "officer.panel_results",
            "officer.new_wave",
            "officer.languages",
            "officer.language",
            "officer.language_po_file",
            "officer.edit_translation",
            "officer.confirm_remove_language",
        },
    ),
    (
        "officer.strategy_index",
        _l("Strategy"),
        {
            "officer.strategy_index",
            "officer.priority",
            "officer.add_indicator_value",
            "officer.committee_report",
            "officer.export_indicators",
        },
    ),
    (
        "officer.panel",
        _l("Panel"),
        {
            "officer.panel",
            "officer.new_member",
            "officer.member",
            "officer.confirm_remove_member",
            "officer.edit_member",
            "officer.invitations_page",
            "officer.invitation_letters",
        },
    ),
    (
        "officer.schools",
        _l("Schools"),
        {
            "officer.schools",
            "officer.school",
            "officer.new_school",
            "officer.edit_school",
            "officer.close_school",
            "officer.import_schools_file",
        },
    ),
    (
        "officer.find_response",
        _l("Find a response"),
        {
            "officer.find_response",
            "officer.response_page",
            "officer.correct_answer",
            "officer.withdraw_response",
        },
    ),
    (
        SAFEGUARDING_QUEUE,
        _l("Safeguarding"),
        {"officer.safeguarding_queue", "officer.safeguarding_flag"},
    ),
    (
        "school.dashboard",
        _l("Your school"),
        {"school.dashboard", "school.channel", "school.letter"},
    ),
    (
        "admin.users",
        _l("Users"),
        {"admin.users", "admin.new_user", "admin.user", "admin.disable_user"},
    ),
    ("admin.audit_log", _l("Audit log"), {"admin.audit_log"}),
    (
        "auth.two_factor_settings",
        _l("Sign-in security"),
        {
            "auth.two_factor_settings",
            "auth.set_up_two_factor",
            "auth.recovery_codes",
            "auth.change_password",
        },
    ),
]


def staff_navigation() -> list[dict[str, Any]]:
    """Service navigation links for the signed-in user's role; none for the public.

    The labels stay lazy: the menu is written in the staff's language (base.html), which may
    not be the page's (a respondent's page previewed in another)."""
    if not current_user.is_authenticated:
        return []
    items: list[dict[str, Any]] = []
    for endpoint, text, covers in STAFF_SECTIONS:
        if not may_open(current_user.role, endpoint):
            continue
        if endpoint == SAFEGUARDING_QUEUE:
            # Comments waiting for an officer are said on every staff page, so none waits
            # because nobody looked.
            from portal.safeguarding.service import waiting

            count = waiting()
            if count:
                text = _waiting_to_read(count)
        items.append(
            {"href": url_for(endpoint), "text": text, "active": request.endpoint in covers}
        )
    return items


def _waiting_to_read(count: int) -> LazyString:
    """ "Safeguarding (3 to read)", translated when the menu is written."""
    return LazyString(lambda: _("Safeguarding (%(count)s to read)", count=count))
