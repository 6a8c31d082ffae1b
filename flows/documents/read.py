"""The extract step's entry point: bytes in, Document out, or an ExtractError naming the reason."""

from __future__ import annotations

import zipfile

from flows.documents.model import Document, ExtractError, Format
from flows.documents.sniff import Container, sniff

MAX_BYTES = 50 * 1024 * 1024
MAX_PAGES = 500


def _dispatch(
    fmt: Format,
    container: Container,
    data: bytes,
    name: str,
    content_type: str | None,
    max_bytes: int,
    max_pages: int,
) -> Document:
    # Readers are imported when first needed: their libraries take ~0.4 s to import together.
    if container == "spreadsheetml":
        from flows.documents.spreadsheetml import read_spreadsheetml

        return read_spreadsheetml(data, name)
    if container == "wordml":
        from flows.documents.wordml import read_wordml

        return read_wordml(data, name)
    if fmt == "pdf":
        from flows.documents.pdf import read_pdf

        return read_pdf(data, name, max_pages)
    if fmt == "docx":
        from flows.documents.docx import read_docx

        return read_docx(data, name, max_bytes)
    if fmt == "xlsx":
        from flows.documents.xlsx import read_xlsx

        return read_xlsx(data, name, max_bytes)
    if fmt == "xls":
        from flows.documents.xls import read_xls

        return read_xls(data, name)
    if fmt == "doc":
        from flows.documents.doc import read_doc

        return read_doc(data, name)
    if fmt == "image":
        from flows.documents.image import read_image

        return read_image(data, name, max_pages)
    if fmt == "html":
        from flows.documents.html import read_html

        return read_html(data, name, content_type, container)
    from flows.documents.txt import read_txt

    return read_txt(data, name)


def read_document(
    data: bytes,
    name: str,
    content_type: str | None = None,
    *,
    max_bytes: int = MAX_BYTES,
    max_pages: int = MAX_PAGES,
) -> Document:
    """Read any supported document. Bad input raises ExtractError, never another exception.

    The format is sniffed from the bytes first, then the name's extension, then `content_type`
    (whose charset parameter, if any, decodes HTML). Over `max_bytes`, or a PDF over `max_pages`
    pages, is too_large.
    """
    if len(data) > max_bytes:
        raise ExtractError("too_large", f"{len(data)} bytes (limit {max_bytes})", name)
    if not data.strip():
        raise ExtractError("corrupt", "empty file", name)
    try:
        fmt, container = sniff(data, name, content_type)
        return _dispatch(fmt, container, data, name, content_type, max_bytes, max_pages)
    except ExtractError as e:
        if not e.name:
            raise ExtractError(e.kind, e.message, name) from e
        raise
    except MemoryError as e:
        raise ExtractError("too_large", "out of memory while reading", name) from e
    except RecursionError as e:
        raise ExtractError("corrupt", "structure nested too deeply", name) from e
    except zipfile.BadZipFile as e:
        raise ExtractError("corrupt", f"broken ZIP container ({e})", name) from e
    except Exception as e:  # a reader library choked on malformed input: name it, keep the file
        raise ExtractError("corrupt", f"unreadable ({type(e).__name__}: {e})", name) from e
