"""Small hostile files, written for real: Office packages, XML bombs, huge pages.

Each is a valid container a real library would open; what is hostile is what it would build
(a million rows, seventeen million paragraphs, a billion entity expansions, /etc/passwd).
Large repetitive parts are written in blocks so a file of 100+ MB inflated costs seconds.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
)
_REL = '<Relationship Id="{id}" Type="{type}" Target="{target}"/>'
_RELS = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>'
_OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
TITLE = "浦锦街道2023年度部门整体支出绩效自评报告"


def _write_repeated(
    zf: zipfile.ZipFile, member: str, head: bytes, block: bytes, times: int, tail: bytes
) -> None:
    info = zipfile.ZipInfo(member, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zf.open(info, "w", force_zip64=True) as f:
        f.write(head)
        for _ in range(times):
            f.write(block)
        f.write(tail)


def _zip(path: Path) -> zipfile.ZipFile:
    return zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9)


def docx(path: Path, body_head: bytes, block: bytes = b"", times: int = 0, prolog: bytes = b"") -> Path:
    """A DOCX whose body is body_head followed by block × times (prolog: before <w:document>)."""
    with _zip(path) as z:
        z.writestr(
            "[Content_Types].xml",
            _TYPES.format(
                overrides='<Override PartName="/word/document.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            ),
        )
        z.writestr(
            "_rels/.rels",
            _RELS.format(rels=_REL.format(id="rId1", type=_OFFICE_DOC, target="word/document.xml")),
        )
        head = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + prolog
        head += f'<w:document xmlns:w="{W_NS}"><w:body>'.encode() + body_head
        _write_repeated(z, "word/document.xml", head, block, times, b"</w:body></w:document>")
    return path


def paragraph(text: str) -> bytes:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()


def xlsx(path: Path, rows: int, columns: int, prolog: bytes = b"", cell: bytes = b"<c><v>1</v></c>") -> Path:
    """An XLSX of one sheet, rows × columns numbers (written 1000 rows a block)."""
    with _zip(path) as z:
        z.writestr(
            "[Content_Types].xml",
            _TYPES.format(
                overrides='<Override PartName="/xl/workbook.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            ),
        )
        z.writestr(
            "_rels/.rels",
            _RELS.format(rels=_REL.format(id="rId1", type=_OFFICE_DOC, target="xl/workbook.xml")),
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{S_NS}" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="表1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            _RELS.format(
                rels=_REL.format(
                    id="rId1",
                    type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet",
                    target="worksheets/sheet1.xml",
                )
            ),
        )
        row = b"<row>" + cell * columns + b"</row>"
        block_rows = min(rows, 1000)
        head = b'<?xml version="1.0" encoding="UTF-8"?>' + prolog
        head += f'<worksheet xmlns="{S_NS}"><sheetData>'.encode()
        _write_repeated(
            z,
            "xl/worksheets/sheet1.xml",
            head,
            row * block_rows,
            rows // max(block_rows, 1),
            b"</sheetData></worksheet>",
        )
    return path


BILLION_LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>"
)
XXE = b'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def wordml_2003(path: Path, prolog: bytes, text: str) -> Path:
    path.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>' + prolog + b'<?mso-application progid="Word.Document"?>'
        b'<w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml"><w:body>'
        + f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()
        + b"</w:body></w:wordDocument>"
    )
    return path
