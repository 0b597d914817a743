"""Pages of a consultation: added, renamed, moved and deleted."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.consultations.builder.routing import check_conditions_still_read_earlier_pages
from portal.consultations.builder.rules import ChangeRefused
from portal.consultations.models import Consultation, Page
from portal.extensions import db


def add_page(consultation: Consultation, title: str | None = None) -> Page:
    page = Page(position=len(consultation.pages) + 1, title=title or None)
    consultation.pages.append(page)
    db.session.commit()
    return page


def rename_page(page: Page, title: str | None) -> None:
    page.title = title or None
    db.session.commit()


def _renumber_pages(consultation: Consultation, order: list[Page]) -> None:
    """Give pages the positions 1..n in this order, without ever repeating a position."""
    for page in order:
        page.position = -page.position - 1000  # clear of every real position
    db.session.flush()
    for position, page in enumerate(order, start=1):
        page.position = position
    db.session.flush()
    consultation.pages.sort(key=lambda p: p.position)


def move_page(page: Page, step: int) -> None:
    consultation = page.consultation
    order = list(consultation.pages)
    index = order.index(page)
    target = index + step
    if not 0 <= target < len(order):
        return
    order[index], order[target] = order[target], order[index]
    check_conditions_still_read_earlier_pages(order)
    _renumber_pages(consultation, order)
    db.session.commit()


def delete_page(page: Page) -> None:
    consultation = page.consultation
    if page.questions:
        raise ChangeRefused(_("Move or delete this page's questions before deleting the page"))
    if len(consultation.pages) == 1:
        raise ChangeRefused(_("A consultation needs at least one page"))
    order = [p for p in consultation.pages if p is not page]
    consultation.pages.remove(page)  # delete-orphan: the page row goes at the flush
    db.session.flush()
    _renumber_pages(consultation, order)
    db.session.commit()
