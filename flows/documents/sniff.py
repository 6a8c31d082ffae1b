"""Which reader a body needs: magic bytes first, then the file name, then the content type.

Sites mislabel files often (an HTML page saved as .xls, a .doc that is really a .docx), so the
bytes decide whenever they can.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Literal

from flows.documents.model import ExtractError, Format

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|table|div|p|span|style|script|!--)",
    re.IGNORECASE | re.DOTALL,
)
_HTML_ANYWHERE = re.compile(rb"<(?:html|body|table|div|p)[\s>]", re.IGNORECASE)

_EXTENSIONS: dict[str, Format] = {
    "pdf": "pdf",
    "docx": "docx",
    "doc": "doc",
    "wps": "doc",
    "xlsx": "xlsx",
    "xlsm": "xlsx",
    "xls": "xls",
    "et": "xls",
    "htm": "html",
    "html": "html",
    "shtml": "html",
    "xhtml": "html",
    "txt": "txt",
    "text": "txt",
    "jpg": "image",
    "jpeg": "image",
    "png": "image",
    "tif": "image",
    "tiff": "image",
}

_CONTENT_TYPES: dict[str, Format] = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-excel": "xls",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "txt",
    "image/jpeg": "image",
    "image/png": "image",
    "image/tiff": "image",
}
# scans posted as pictures: JPEG, PNG, TIFF (both byte orders)
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")

# Names of OLE2 directory entries, as stored (UTF-16LE): enough to tell the formats apart
# without parsing the compound file's directory.
_OLE_WORD = "WordDocument".encode("utf-16-le")
_OLE_BOOKS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_OLE_ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")


def extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def media_type(content_type: str | None) -> str:
    return content_type.split(";", 1)[0].strip().lower() if content_type else ""


def _zip_format(data: bytes, name: str) -> Format:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, EOFError, ValueError) as e:
        raise ExtractError("corrupt", f"broken ZIP container ({e})", name) from e
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    kind = "an OpenDocument file" if "content.xml" in names else "a ZIP archive"
    raise ExtractError("unsupported_format", f"{kind}, not a DOCX or XLSX", name)


def _first_directory_sector(data: bytes) -> bytes:
    """The compound file's first directory sector: the root's own streams are listed there.

    Looking only there keeps an Excel sheet embedded in a Word file (or the reverse) from deciding.
    """
    if len(data) < 512:
        return b""
    sector_size = 1 << int.from_bytes(data[0x1E:0x20], "little")
    first = int.from_bytes(data[0x30:0x34], "little")
    if sector_size not in (512, 4096) or first >= 0xFFFFFFFA:
        return b""
    start = (first + 1) * sector_size
    return data[start : start + sector_size]


def _ole_format(data: bytes, name: str) -> Format:
    for where in (_first_directory_sector(data), data):
        if _OLE_ENCRYPTED_OOXML in where:
            raise ExtractError("encrypted", "password-protected Office document", name)
        if _OLE_WORD in where:
            return "doc"
        if any(b in where for b in _OLE_BOOKS):
            return "xls"
    ext = extension(name)
    if ext in ("doc", "xls"):
        return _EXTENSIONS[ext]
    raise ExtractError("unsupported_format", "an OLE2 compound file that is neither Word nor Excel", name)


def _looks_like_text(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return False
    for enc in ("utf-8", "gb18030"):
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError as e:
            # a multi-byte character cut by the sample's end is not evidence of binary data
            if e.start < len(sample) - 4:
                continue
            text = sample[: e.start].decode(enc)
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
        return controls <= len(text) // 100
    return False


# Office 2003 XML and Word's single-file web page (MHT): text formats that sites save as .xls/.doc.
Container = Literal["", "mht", "spreadsheetml", "wordml"]
_SPREADSHEETML = (b'progid="Excel.Sheet"', b"urn:schemas-microsoft-com:office:spreadsheet")
_WORDML = (b'progid="Word.Document"', b"schemas.microsoft.com/office/word/2003/wordml")


def _xml_container(head: bytes) -> tuple[Format, Container] | None:
    if any(marker in head for marker in _SPREADSHEETML):
        return "xls", "spreadsheetml"
    if any(marker in head for marker in _WORDML):
        return "doc", "wordml"
    return None


def _is_mht(head: bytes) -> bool:
    lowered = head.lower()
    return b"mime-version:" in lowered and b"multipart/related" in lowered


def sniff(data: bytes, name: str = "", content_type: str | None = None) -> tuple[Format, Container]:
    """(format, container variant) of `data`, or ExtractError (unsupported_format/corrupt/encrypted)."""
    head = data[:1024]
    if b"%PDF" in head:
        return "pdf", ""
    if data.startswith(ZIP_MAGIC):
        return _zip_format(data, name), ""
    if data.startswith(OLE2_MAGIC):
        return _ole_format(data, name), ""
    if data.startswith(_IMAGE_MAGIC):
        return "image", ""
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if stripped.startswith(b"{\\rtf"):
        raise ExtractError("unsupported_format", "an RTF file (often saved as .doc): RTF is not read", name)
    if stripped.startswith(b"<?xml") and (found := _xml_container(data[:4096])):
        return found
    if _is_mht(data[:4096]):
        return "html", "mht"
    if _HTML_START.match(stripped) or (_looks_like_text(data) and _HTML_ANYWHERE.search(data[:4096])):
        return "html", ""
    ext = extension(name)
    by_name = _EXTENSIONS.get(ext)
    by_type = _CONTENT_TYPES.get(media_type(content_type))
    if by_name in ("html", "txt") or (by_name is None and by_type in ("html", "txt")):
        return (by_name or by_type), ""  # type: ignore[return-value]
    if by_name or by_type:
        # A binary format whose magic bytes are missing: cut off or not that format at all.
        fmt = by_name or by_type
        raise ExtractError("corrupt", f"named as {fmt} but the bytes are not a {fmt} file", name)
    if _looks_like_text(data):
        return "txt", ""
    raise ExtractError("unsupported_format", "unrecognised file format", name)


def sniff_format(data: bytes, name: str = "", content_type: str | None = None) -> Format:
    """The document format of `data`, or ExtractError (unsupported_format/corrupt/encrypted)."""
    return sniff(data, name, content_type)[0]
