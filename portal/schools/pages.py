"""What the school and officer views of a channel share: its link, QR code, letter and
figures. Each audience's blueprint decides who may see which channel; these only render."""

from __future__ import annotations

from datetime import datetime

from flask import Response as FlaskResponse
from flask import make_response
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug import Response as WerkzeugResponse

from portal import i18n
from portal.clock import uk_today
from portal.consultations.in_language import in_language, offered_languages
from portal.rendering import render_page
from portal.schools import service
from portal.schools.models import DISTRICT_LABELS, DistributionChannel
from portal.schools.qr import qr_png, qr_svg
from portal.site_links import site_url_for
from portal.suppression import Figure, suppress, suppress_count

WEEKS_SHOWN = 8

# Names an audience may begin with ("Warwickshire residents", "Rugby parents"): they keep their
# capital in the middle of a sentence.
_NAMES = {"Warwickshire", "Coventry"} | {
    word for label in DISTRICT_LABELS.values() for word in label.split() if word[:1].isupper()
}


def in_sentence(audience: str) -> str:
    """An audience as written ("Parents and carers of children at Warwickshire schools") put
    after "is asking": only an ordinary first word loses its capital, never a name or an
    abbreviation, and nothing after it changes."""
    first, space, rest = audience.strip().partition(" ")
    if first in _NAMES or first == "I" or not (first[1:].islower() or len(first) == 1):
        return audience.strip()
    return first[:1].lower() + first[1:] + space + rest


def channel_url(channel: DistributionChannel, language: str = i18n.ENGLISH) -> str:
    """The channel's link; in another language, one that opens the consultation in it."""
    return site_url_for(
        "public.channel_link",
        code=channel.code,
        language=None if language == i18n.ENGLISH else language,
    )


def letter_language(channel: DistributionChannel, asked: str | None) -> str:
    """The language a letter or QR code is asked for, if the consultation is offered in it
    now; otherwise English."""
    if asked and asked != i18n.ENGLISH and asked in offered_languages(channel.consultation):
        return asked
    return i18n.ENGLISH


def text_message(channel: DistributionChannel) -> str:
    consultation = channel.consultation
    return _(
        "%(outlet)s: Warwickshire County Council would like your views in \u201c%(title)s\u201d. "
        "It takes about %(minutes)s minutes and is anonymous: %(link)s",
        outlet=channel.name,
        title=consultation.title,
        minutes=consultation.estimated_minutes,
        link=channel_url(channel),
    )


def qr_response(
    channel: DistributionChannel, kind: str, language: str = i18n.ENGLISH
) -> FlaskResponse:
    url = channel_url(channel, language)
    if kind == "svg":
        # In the letter's language, like the letter it is printed on.
        with force_locale(language):
            title = _("QR code for %(link)s", link=url)
        response = make_response(qr_svg(url, title))
        response.mimetype = "image/svg+xml"
    else:
        response = make_response(qr_png(url))
        response.mimetype = "image/png"
    suffix = "" if language == i18n.ENGLISH else f"-{language}"
    filename = f"qr-{channel.consultation.slug}-{channel.code}{suffix}.{kind}"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def render_channel(
    channel: DistributionChannel, exact: bool, now: datetime, audience: str
) -> WerkzeugResponse:
    """The channel's page. `exact` is for officers; everyone else sees suppressed figures."""
    weeks = service.weekly_counts(channel, now, WEEKS_SHOWN)
    made_on = uk_today(channel.created_at)
    total = service.responses_by_channel([channel.id]).get(channel.id, 0)
    if exact:
        figures = [Figure(count) for _, count in weeks]
        total_figure: Figure | None = Figure(total)
    else:
        figures, total_figure = suppress([count for _, count in weeks], total)
    return render_page(
        "channels/channel.html",
        channel=channel,
        link=channel_url(channel),
        message=text_message(channel),
        weeks=list(zip([start for start, _ in weeks], figures, strict=True)),
        total=total_figure or suppress_count(total),
        made_on=made_on,
        every_week=weeks[0][0] <= made_on,
        audience=audience,
        letter_languages=[
            i18n.LANGUAGES[code] for code in offered_languages(channel.consultation)[1:]
        ],
    )


def render_letter(
    channel: DistributionChannel, audience: str, asked_language: str | None
) -> WerkzeugResponse:
    """The letter for parents, in a language the consultation is offered in (its link and QR
    code open the consultation in that language), else in English."""
    language = letter_language(channel, asked_language)
    i18n.use_language(language)
    consultation = in_language(channel.consultation, language)
    return render_page(
        "channels/letter.html",
        channel=channel,
        consultation=consultation,
        language=language,
        link=channel_url(channel, language),
        asking=in_sentence(consultation.audience),
        audience=audience,
    )
