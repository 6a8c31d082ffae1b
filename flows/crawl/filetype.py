"""What a downloaded body is, when its URL does not say: the bytes first, then the name in
Content-Disposition (filename*, or a raw UTF-8/GBK filename), then Content-Type."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import unquote

import httpx

from flows.crawl.attachments import file_extension
from flows.documents.model import ExtractError
from flows.documents.sniff import sniff_format

_EXT_FORMAT = {
    "pdf": "pdf",
    "doc": "doc",
    "wps": "doc",
    "docx": "docx",
    "xls": "xls",
    "et": "xls",
    "xlsx": "xlsx",
    "txt": "txt",
    "htm": "html",
    "html": "html",
    "shtml": "html",
    "jhtml": "html",
}
_TYPE_FORMAT = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "txt",
}
_FILENAME_STAR = re.compile(r"filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)", re.IGNORECASE)
_FILENAME = re.compile(rb"filename\s*=\s*(\"([^\"]*)\"|[^;]+)", re.IGNORECASE)


def _decode_name(raw: bytes) -> str:
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def disposition_filename(headers: httpx.Headers) -> str | None:
    """The file name a Content-Disposition gives, decoded whatever the server wrote:
    RFC 5987 `filename*=UTF-8''…`, a percent-encoded name, or raw UTF-8/GBK bytes."""
    raw = next((v for k, v in headers.raw if k.lower() == b"content-disposition"), None)
    if raw is None:
        return None
    text = raw.decode("latin-1")
    star = _FILENAME_STAR.search(text)
    if star:
        charset = star.group(1).lower()
        try:
            return unquote(star.group(2).strip(), encoding=charset, errors="strict")
        except (LookupError, UnicodeDecodeError):
            pass
    plain = _FILENAME.search(raw)
    if not plain:
        return None
    value = plain.group(2) if plain.group(2) is not None else plain.group(1).strip()
    name = _decode_name(value)
    if "%" in name:
        for enc in ("utf-8", "gb18030"):
            try:
                return unquote(name, encoding=enc, errors="strict")
            except UnicodeDecodeError:
                continue
    return name or None


def name_format(name: str) -> str | None:
    return _EXT_FORMAT.get(PurePosixPath(name).suffix.lower().lstrip("."))


def guess_format(url: str, content_type: str | None, default: str = "html") -> str:
    """From the URL's extension, else the content type. The extractor re-sniffs the bytes."""
    fmt = _EXT_FORMAT.get(file_extension(url))
    if fmt:
        return fmt
    ct = (content_type or "").split(";")[0].strip().lower()
    return _TYPE_FORMAT.get(ct, default)


def body_format(url: str, content_type: str | None, filename: str | None, data: bytes) -> str:
    """The format of a downloaded body: its bytes when they tell, else its name, else its type."""
    name = filename or url.rsplit("/", 1)[-1]
    by_name = name_format(name) if filename else None
    try:
        return sniff_format(data, name if by_name else "", content_type)
    except ExtractError:
        pass
    return by_name or guess_format(url, content_type, default="pdf")
