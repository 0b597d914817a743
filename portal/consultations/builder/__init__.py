"""Officers build consultations: details, pages, questions, options, routing, publishing.

Rules held here, whatever the view:
- every change to a page, question, option or condition moves the consultation's
  `structure_version` in the same transaction (a before_flush listener in
  consultations/structure.py, so no function here can forget it): every app server asks the
  new wording from its next request, and the next response gets a new snapshot of it;
- once a consultation has responses, nothing that would change what stored answers mean is
  allowed: questions and options cannot be removed, and a question's type never changes (there
  is no way to retype one). Wording can still be corrected; each response keeps pointing at the
  snapshot of the wording its respondent saw, and the results say when wording changed.
  Whether anyone has responded is the caller's to ask of the responses, which sit above
  consultations: the functions that need it take `answered`;
- a display condition only reads a choice question on an earlier page.

One module by area; this package names what the views use.
"""

from portal.consultations.builder.details import (
    DETAIL_FIELDS,
    check_dates,
    close,
    create_consultation,
    problems_before_publishing,
    publish,
    reopen,
    update_details,
)
from portal.consultations.builder.options import OptionEdits
from portal.consultations.builder.pages import add_page, delete_page, move_page, rename_page
from portal.consultations.builder.questions import (
    QUESTION_FIELDS,
    add_question,
    delete_question,
    linked_ids,
    move_question,
    move_question_to_page,
    save_question,
)
from portal.consultations.builder.routing import add_condition, condition_sources, delete_condition
from portal.consultations.builder.rules import (
    MAX_KEY_LENGTH,
    ChangeRefused,
    OptionRefused,
    slugify,
    unique_name,
)

__all__ = [
    "DETAIL_FIELDS",
    "MAX_KEY_LENGTH",
    "QUESTION_FIELDS",
    "ChangeRefused",
    "OptionEdits",
    "OptionRefused",
    "add_condition",
    "add_page",
    "add_question",
    "check_dates",
    "close",
    "condition_sources",
    "create_consultation",
    "delete_condition",
    "delete_page",
    "delete_question",
    "linked_ids",
    "move_page",
    "move_question",
    "move_question_to_page",
    "problems_before_publishing",
    "publish",
    "rename_page",
    "reopen",
    "save_question",
    "slugify",
    "unique_name",
    "update_details",
]
