"""A PDF page's objects in one pass over pdfium's raw handles: text objects pdfium cannot measure,
and the path objects that may draw table rules.

pypdfium2's object iterator wraps every object in a Python helper; a page of text holds
hundreds, so walking them twice (text checks, then paths) cost more than reading the text.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# as deep as pypdfium2's get_objects() descends into form XObjects by default
_MAX_FORM_DEPTH = 15
# a text object narrower or lower than this has no measured glyphs
_NO_EXTENT = 0.01


@dataclass(slots=True)
class PageObjects:
    # a top-level text object with no width: pdfium could not measure its glyphs
    unmeasured_text: bool = False
    # a top-level text object with no width or no height: pdfium leaves its characters out
    collapsed_text: bool = False
    # raw handles of the top-level path objects, in drawing order
    paths: list[object] = field(default_factory=list)
    # a path drawn inside a form XObject (its coordinates are the form's own)
    nested_paths: bool = False


def _form_has_path(form: object, level: int) -> bool:
    for i in range(pdfium_c.FPDFFormObj_CountObjects(form)):
        obj = pdfium_c.FPDFFormObj_GetObject(form, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            return True
        if (
            kind == pdfium_c.FPDF_PAGEOBJ_FORM
            and level < _MAX_FORM_DEPTH - 1
            and _form_has_path(obj, level + 1)
        ):
            return True
    return False


def page_objects(page: pdfium.PdfPage) -> PageObjects:
    out = PageObjects()
    raw_page = page.raw
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    bounds = (ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top))
    count = pdfium_c.FPDFPage_CountObjects(raw_page)
    if count < 0:
        raise pdfium.PdfiumError("Failed to get number of pageobjects.")
    for i in range(count):
        obj = pdfium_c.FPDFPage_GetObject(raw_page, i)
        if not obj:
            raise pdfium.PdfiumError("Failed to get pageobject.")
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            out.paths.append(obj)
        elif kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            if not pdfium_c.FPDFPageObj_GetBounds(obj, *bounds):
                raise pdfium.PdfiumError("Failed to locate pageobject.")
            if right.value - left.value < _NO_EXTENT:
                out.unmeasured_text = out.collapsed_text = True
            elif top.value - bottom.value < _NO_EXTENT:
                out.collapsed_text = True
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and not out.nested_paths:
            out.nested_paths = _form_has_path(obj, 1)
    return out
