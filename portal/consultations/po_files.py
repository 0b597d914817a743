"""A consultation's texts as a PO file, the format translators and their tools (Poedit,
Weblate, memoQ, Trados) read and write, through Babel's own reader and writer.

Each text is one entry: its key as the context (msgctxt), its English as msgid, the
translation as msgstr, and where it appears as a comment for the translator. Reading one back
keeps the English each translation was made from, so a file translated before the English
changed is taken, and those texts read as needing a check.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po
from flask_babel import gettext as _

from portal.clock import utcnow
from portal.consultations.models import Consultation
from portal.consultations.translations import LONGEST_TRANSLATION, TextStatus, normalised
from portal.i18n import LANGUAGES


class UnreadablePoFile(Exception):
    """Not a PO file this consultation can take; the message says why, for the officer."""


@dataclass
class ReadPoFile:
    # key -> (translation, the English it was made from)
    translations: dict[str, tuple[str, str]] = field(default_factory=dict)
    untranslated: int = 0
    fuzzy: int = 0  # marked by the translator as unsure: not taken
    unknown: int = 0  # no such text in the consultation (since removed, or another's file)


def po_file(consultation: Consultation, language: str, texts: list[TextStatus]) -> bytes:
    """Every text of the consultation, with its translation where there is one."""
    catalog = Catalog(
        locale=language,
        # Project-Id-Version names the consultation, so another's file is refused on upload.
        project=consultation.slug,
        version=str(consultation.structure_version),
        charset="utf-8",
        creation_date=utcnow(),
        fuzzy=False,
    )
    catalog.header_comment = (
        f"# {consultation.title}: the consultation's texts in {LANGUAGES[language].english_name}.\n"
        "# Translate each msgstr; leave msgctxt and msgid as they are.\n"
        "# Upload the file on the consultation's Languages page."
    )
    for text in texts:
        catalog.add(
            text.source.english,
            text.translation or "",
            context=text.source.key,
            auto_comments=[text.source.where],
        )
    for message in catalog:
        # Babel flags any text with a % in it as a Python format string, which translators'
        # tools then check: a consultation's texts are plain text.
        message.flags.discard("python-format")
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False, include_previous=False)
    return buffer.getvalue()


def read_po_file(
    data: bytes, consultation: Consultation, language: str, keys: set[str]
) -> ReadPoFile:
    """The translations in an uploaded PO file for this consultation, whose texts are `keys`."""
    data = data.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark, as Windows editors write
    try:
        catalog = read_po(io.BytesIO(data), locale=None, abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError) as error:
        raise UnreadablePoFile(
            _(
                "The file is not a PO file that can be read. Upload the file downloaded from "
                "this page, translated (%(problem)s)",
                problem=str(error),
            )
        ) from None
    if catalog.project not in (None, "", "PROJECT", consultation.slug):
        raise UnreadablePoFile(
            _(
                "The file is for another consultation (%(project)s). Upload the file downloaded "
                "from this page, translated",
                project=catalog.project,
            )
        )
    # pl, pl_PL and pl-PL (as memoQ and Trados write it) are all Polish.
    if catalog.locale is not None and catalog.locale.language != language:
        raise UnreadablePoFile(
            _(
                "The file is for another language (%(locale)s). Upload the %(language)s file",
                locale=str(catalog.locale),
                language=LANGUAGES[language].english_name,
            )
        )
    read = ReadPoFile()
    for message in catalog:
        english, translation = message.id, message.string
        if not english or not isinstance(english, str):
            continue  # the header, or a plural form (a consultation has none)
        key = message.context or ""
        if key not in keys:
            read.unknown += 1
        elif message.fuzzy:
            read.fuzzy += 1
        elif not isinstance(translation, str) or not translation.strip():
            read.untranslated += 1
        elif len(translation) > LONGEST_TRANSLATION:
            raise UnreadablePoFile(
                _(
                    "The translation of “%(text)s” is longer than %(count)s characters",
                    text=english[:60],
                    count=f"{LONGEST_TRANSLATION:,}",
                )
            )
        else:
            read.translations[key] = (normalised(translation), normalised(english))
    if not read.translations and not read.untranslated and not read.fuzzy:
        raise UnreadablePoFile(
            _(
                "The file holds none of this consultation's texts. Upload the file downloaded "
                "from this page, translated"
            )
        )
    return read
