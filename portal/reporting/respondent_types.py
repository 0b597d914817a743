"""How a respondent came to answer (website, a school's link, the panel, paper...), as a
results filter reads it from what their response records."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.responses.models import Response, ResponseChannel
from portal.schools.models import DistributionChannel


class RespondentType(enum.StrEnum):
    """How a respondent came to answer, from what their response records."""

    WEBSITE = "website"
    SCHOOL = "school"
    OUTLET = "outlet"
    PANEL = "panel"
    PAPER = "paper"
    PHONE = "phone"

    @property
    def label(self) -> str:
        return str(RESPONDENT_TYPE_LABELS[self])


RESPONDENT_TYPE_LABELS = {
    RespondentType.WEBSITE: _l("Online, straight to the website"),
    RespondentType.SCHOOL: _l("Online, through a school's link"),
    RespondentType.OUTLET: _l("Online, through another outlet's link"),
    # Paper and telephone answers keyed in with a panel code are panel members' too, so
    # such a response is also under "Paper copy" or "By telephone".
    RespondentType.PANEL: _l("Panel members (online, or keyed in with their code)"),
    RespondentType.PAPER: _l("Paper copy, keyed in"),
    RespondentType.PHONE: _l("By telephone, keyed in"),
}


def type_condition(kind: RespondentType) -> sa.ColumnElement[bool]:
    linked = DistributionChannel.school_id.is_not(None)
    if kind == RespondentType.PAPER:
        return Response.channel == ResponseChannel.PAPER
    if kind == RespondentType.PHONE:
        return Response.channel == ResponseChannel.PHONE
    if kind == RespondentType.PANEL:
        return Response.panel_invited.is_(True)
    if kind == RespondentType.SCHOOL:
        return Response.distribution_channel_id.in_(sa.select(DistributionChannel.id).where(linked))
    if kind == RespondentType.OUTLET:
        return Response.distribution_channel_id.in_(
            sa.select(DistributionChannel.id).where(sa.not_(linked))
        )
    return sa.and_(
        Response.channel == ResponseChannel.ONLINE,
        Response.panel_invited.is_(False),
        Response.distribution_channel_id.is_(None),
    )
