"""A question's options (and a matrix's statements): relabelled, added, moved and removed in one
save of the question's form."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.consultations.builder.rules import (
    ChangeRefused,
    OptionRefused,
    refuse_if_answered,
    slugify,
    unique_name,
)
from portal.consultations.models import DisplayCondition, Option, OptionKind, Question
from portal.consultations.question_types import kind_of
from portal.extensions import db


@dataclass
class OptionEdits:
    """One save of a question's options and statements: every label as typed, the new ones,
    and at most one option removed or moved, applied together so nothing typed is lost."""

    labels: dict[Option, tuple[str, bool | None]] = field(default_factory=dict)
    added: list[tuple[OptionKind, str, bool]] = field(default_factory=list)
    remove: Option | None = None
    move: tuple[Option, int] | None = None


def apply_option_edits(question: Question, edits: OptionEdits, *, answered: bool) -> list[Option]:
    """Apply the edits to the session (the caller commits); returns the options added."""
    for option, (label, exclusive) in edits.labels.items():
        option.label = label
        if exclusive is not None:
            option.exclusive = exclusive
    added = [
        _add_option(question, label, kind, exclusive) for kind, label, exclusive in edits.added
    ]
    # One press is one button: a form posting both (only a crafted one can) removes, and the
    # option it removed has nothing left to move among.
    if edits.remove is not None:
        _remove_option(edits.remove, answered=answered)
    elif edits.move is not None:
        _move_option(*edits.move)
    return added


def _add_option(question: Question, label: str, kind: OptionKind, exclusive: bool) -> Option:
    taken = {o.value for o in question.options}
    option = Option(
        value=unique_name(slugify(label, "_", 40), taken, "_"),
        label=label,
        position=max((o.position for o in question.options), default=0) + 1,
        kind=kind,
        exclusive=exclusive,
    )
    question.options.append(option)
    return option


def _move_option(option: Option, step: int) -> None:
    question = option.question
    same_kind = [o for o in question.options if o.kind == option.kind]
    index = same_kind.index(option)
    target = index + step
    if not 0 <= target < len(same_kind):
        return
    other = same_kind[target]
    option.position, other.position = other.position, option.position
    question.options.sort(key=lambda o: o.position)


def _remove_option(option: Option, *, answered: bool) -> None:
    question = option.question
    try:
        refuse_if_answered(
            answered,
            _(
                "You cannot delete an option because people have already responded: their "
                "answers would lose their meaning. Change the wording instead, or close this "
                "consultation and duplicate it to make a new version."
            ),
        )
    except ChangeRefused as refusal:
        raise OptionRefused(str(refusal), option.value) from None
    if db.session.scalar(sa.select(sa.exists().where(DisplayCondition.option_id == option.id))):
        raise OptionRefused(
            _("A page or question is shown depending on this option. Remove that condition first."),
            option.value,
        )
    same_kind = [o for o in question.options if o.kind == option.kind]
    if len(same_kind) <= 1 and kind_of(question).uses_choices:
        raise OptionRefused(_("A question needs at least one option"), option.value)
    question.options.remove(option)  # delete-orphan: the option row goes at the flush
