"""Absolute links, for what leaves the site: the resume email, school letters and QR codes,
panel invitations, the published results address.

Built from PORTAL_BASE_URL, never from the request's Host header: otherwise a request sent
with `Host: evil.example` had the council email a link to evil.example carrying a resume code.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, url_for


def site_url_for(endpoint: str, **values: Any) -> str:
    """The full address of `endpoint` on the site, as url_for would build it, on the
    configured site address (the request's own only where none is configured: development
    and tests)."""
    base_url = current_app.config.get("BASE_URL")
    if not base_url:
        return url_for(endpoint, _external=True, **values)
    base = urlsplit(base_url)
    adapter = current_app.url_map.bind(base.netloc, url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
