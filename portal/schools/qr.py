"""QR codes for channel links, drawn locally with segno (no web service sees the links)."""

from __future__ import annotations

import io

import segno


def qr_svg(url: str, title: str) -> bytes:
    """`title` makes the SVG's purpose known to assistive technology when it is shown inline."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=8, border=4, title=title, xmldecl=False
    )
    return buffer.getvalue()


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()
