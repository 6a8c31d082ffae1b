"""Size checks made while reading, before a library builds the whole thing in memory.

A 1 MB XLSX can declare a million rows of sixteen cells and a 154 KB DOCX seventeen million
empty paragraphs: the bytes are small, what openpyxl or python-docx would build from them
is gigabytes. Each XML part is inflated here a megabyte at a time and its elements counted;
counting stops, and the file is refused, as soon as a limit is passed. XML that declares a
DTD (entities: billion laughs, XXE) is refused too: Office files never carry one.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable

from flows.documents.model import ExtractError

# a report form is a few hundred rows; a sheet past these is an export, or an attack
MAX_SHEET_ROWS = 50_000
MAX_SHEET_CELLS = 300_000
# a report is a few thousand paragraphs; elements include every run, text and property
MAX_WORD_PARAGRAPHS = 200_000
MAX_XML_ELEMENTS = 5_000_000
MAX_HTML_BYTES = 10 * 1024 * 1024

_CHUNK = 1 << 20
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ELEMENT = re.compile(rb"<[A-Za-z_]")
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")
_PARAGRAPH = re.compile(rb"<w:p[\s>/]")


def _chunks(zf: zipfile.ZipFile, member: str) -> Iterable[bytes]:
    # 64 bytes of overlap: a tag cut between two chunks is still seen (and never counted twice,
    # since a counted tag starts in the earlier chunk's body, not its overlap)
    tail = b""
    with zf.open(member) as f:
        while chunk := f.read(_CHUNK):
            yield tail + chunk
            tail = chunk[-64:]


def _count(
    chunks: Iterable[bytes], limits: dict[str, tuple[re.Pattern[bytes], int]], what: str, name: str
) -> None:
    counts = dict.fromkeys(limits, 0)
    first = True
    for chunk in chunks:
        if (first and _DTD.search(chunk)) or (not first and _DTD.search(chunk, 64)):
            raise ExtractError("corrupt", f"{what} declares a DTD (entities are refused)", name)
        for label, (rx, limit) in limits.items():
            # skip the overlap with the previous chunk: those tags were counted there
            counts[label] += len(rx.findall(chunk, 0 if first else 64))
            if counts[label] > limit:
                raise ExtractError("too_large", f"{what} has over {limit:,} {label}", name)
        first = False


def check_xml_parts(zf: zipfile.ZipFile, name: str) -> None:
    """Every XML part of an Office (OOXML) file: no DTD, sheets and the body within limits."""
    for info in zf.infolist():
        member = info.filename
        if not member.endswith((".xml", ".rels")):
            continue
        limits: dict[str, tuple[re.Pattern[bytes], int]] = {"XML elements": (_ELEMENT, MAX_XML_ELEMENTS)}
        if member.startswith("xl/worksheets/"):
            limits |= {"rows": (_ROW, MAX_SHEET_ROWS), "cells": (_CELL, MAX_SHEET_CELLS)}
        elif member == "word/document.xml":
            limits |= {"paragraphs": (_PARAGRAPH, MAX_WORD_PARAGRAPHS)}
        _count(_chunks(zf, member), limits, member, name)


def check_xml_bytes(data: bytes, name: str) -> None:
    """A single-file XML document (Word 2003 XML, Excel 2003 XML): no DTD, elements within limits."""
    limits = {"XML elements": (_ELEMENT, MAX_XML_ELEMENTS)}
    chunks = (data[max(0, i - 64) : i + _CHUNK] for i in range(0, max(len(data), 1), _CHUNK))
    _count(chunks, limits, "XML", name)


def check_html_size(data: bytes, name: str) -> None:
    if len(data) > MAX_HTML_BYTES:
        raise ExtractError("too_large", f"HTML page of {len(data):,} bytes (limit {MAX_HTML_BYTES:,})", name)


# An Office file is a ZIP: refuse one that inflates past this many times the size limit (a zip
# bomb). Here, not in docx.py, so the XLSX reader checks it without importing python-docx.
_MAX_INFLATION = 20


def check_zip_size(data: bytes, name: str, max_bytes: int) -> None:
    """Raise too_large when the archive's members inflate beyond reason."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        total = sum(info.file_size for info in z.infolist())
        if total > _MAX_INFLATION * max_bytes:
            raise ExtractError("too_large", f"archive inflates to {total} bytes", name)
        check_xml_parts(z, name)  # what the parts would build, counted before building it
