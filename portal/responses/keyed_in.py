"""What an officer keying in a panel member's paper or telephone response can do when the
member's code was used while they typed (the member answered online, or another officer keyed
in the same form): store it without the code, or discard it. Nothing is lost or stored twice
without the officer choosing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.audit import add_audit_entry, audit
from portal.extensions import db
from portal.i18n import ENGLISH
from portal.responses.journey import Journey
from portal.responses.models import ResponseDraft
from portal.responses.service import format_reference, submit_response


def store_without_code(journey: Journey[ResponseDraft], now: datetime, by: Any) -> str:
    """Store the keyed-in draft as a response not linked to the panel invitation whose code was
    already used, and audit it: the member may now be counted twice, and the officer chose so.
    Returns the response's reference.

    The draft forgets the code first, in its own transaction: if the submission then fails,
    the draft is still there, without the code, to send again.
    """
    # The code is forgotten and the choice audited together, so a draft never loses its code
    # without a trace, even if the submission below fails and it is sent later.
    journey.draft.invitation_id = None
    add_audit_entry(
        by,
        "dropped panel code from keyed-in response",
        f"consultation:{journey.consultation.slug}",
        "The code had already been used by another response; the officer chose to store the "
        "keyed-in answers without it",
    )
    db.session.commit()
    reference = submit_response(journey, now, language=ENGLISH)  # the paper form's
    audit(
        by,
        "stored response without panel code",
        f"response:{format_reference(reference)}",
        "Keyed in with a panel member's code that another response had already used: stored "
        "without the code, so the member may be counted twice",
    )
    return reference


def discard(draft: ResponseDraft) -> None:
    """Delete a keyed-in draft the officer chose not to store."""
    db.session.delete(draft)
    db.session.commit()
