"""Raw floors for extract_bench: the least a plain script pays to get a document's text out,
with the library each reader is built on and nothing else (no layout, no tables, no parsing).

A floor is not a goal to reach: it prices what the readers add (reading order, merged cells,
tables from ruling lines, running headers, the contract's fields).
"""

from __future__ import annotations

import io
import resource
import time
import zipfile
from collections.abc import Callable


def cpu_seconds() -> float:
    """CPU time of this process and the converters it waited for (antiword, catdoc)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def pdf_text(data: bytes) -> None:
    """pypdfium2: open, and every page's text in one call."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(data)
    try:
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            textpage.get_text_range(0, textpage.count_chars())
            textpage.close()
            page.close()
    finally:
        doc.close()


def html_text(data: bytes) -> None:
    """selectolax (lexbor, as the reader): parse, and the body's text."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(data)
    (tree.body or tree.root).text(separator="\n")


def docx_text(data: bytes) -> None:
    """The document part's XML parsed, and its text runs."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    "".join(root.itertext())


def xlsx_values(data: bytes) -> None:
    """openpyxl in read-only mode: every cell's value."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    for sheet in book.worksheets:
        for _ in sheet.iter_rows(values_only=True):
            pass
    book.close()


def xls_values(data: bytes) -> None:
    """xlrd: every cell's value."""
    import xlrd

    book = xlrd.open_workbook(file_contents=data)
    for sheet in book.sheets():
        for r in range(sheet.nrows):
            sheet.row_values(r)


def txt_text(data: bytes) -> None:
    data.decode("utf-8", "replace")


FLOORS: dict[str, Callable[[bytes], None]] = {
    "pdf": pdf_text,
    "html": html_text,
    "docx": docx_text,
    "xlsx": xlsx_values,
    "xls": xls_values,
    "txt": txt_text,
}
