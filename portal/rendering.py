"""Render a whole page, or for HTMX only the named block that changes, from the same template.

A page and its fragment therefore never drift apart. Boosted and history-restore requests get
the whole page, and every response says it varies by HX-Request so caches keep them apart.
"""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template, request
from jinja2_fragments.flask import render_block

from portal.extensions import htmx
from portal.i18n import current_language

MAIN_BLOCK = "main_content"
# The element every page keeps its changing content in, and that HTMX swaps (templates/base.html).
SWAP_TARGET_ID = "app-swap"


def wants_fragment() -> bool:
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page(
    template: str, status: int = 200, block: str = MAIN_BLOCK, **context: Any
) -> Response:
    if wants_fragment():
        # The title travels with the fragment: htmx sets document.title from it, so screen
        # reader users hear the new page's name and the error prefix when there are errors.
        title = render_block(template, "page_title", **context).strip()
        body = render_block(template, block, **context)
        # The page's language, and the links to its others, go with it (templates/base.html).
        languages = render_template("components/language.html", **context)
        lang = current_language().code
        fragment = (
            f'<title>{title}</title>\n<div id="{SWAP_TARGET_ID}" lang="{lang}">'
            f"{languages}{body}</div>"
        )
        response = make_response(fragment, status)
        if request.method == "GET":
            response.headers["HX-Push-Url"] = request.full_path.rstrip("?")
    else:
        response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
