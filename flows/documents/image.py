"""Scanned pages posted as pictures (JPEG, PNG, TIFF; a TIFF may hold several pages), read by OCR."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageSequence, UnidentifiedImageError

from flows.documents.model import Document, ExtractError
from flows.documents.ocr import OCR_DPI, scan_page, unavailable_reason
from flows.documents.pdf import assemble
from flows.documents.pdf_layout import Char, PageContent
from flows.documents.pdf_tables import grids_from_edges, segment_edges

# a page picture larger than this is a poster or a bomb, not a scanned A3 sheet at 600 dpi
MAX_PIXELS = 80_000_000
# without a stated resolution a picture is taken to be a page this many inches wide (A4)
_ASSUMED_WIDTH_INCHES = 8.27


def _resolution(frame: Image.Image) -> float:
    dpi = frame.info.get("dpi")
    if isinstance(dpi, tuple) and dpi and 72 <= float(dpi[0]) <= 1200:
        return float(dpi[0])
    return max(frame.width / _ASSUMED_WIDTH_INCHES, 50.0)


def _frames(data: bytes, name: str, max_pages: int) -> list[tuple[Image.Image, float]]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise ExtractError(
                    "too_large", f"{image.width}x{image.height} pixels (limit {MAX_PIXELS})", name
                )
            frames: list[tuple[Image.Image, float]] = []
            for frame in ImageSequence.Iterator(image):
                if len(frames) >= max_pages:
                    raise ExtractError("too_large", f"more than {max_pages} pages", name)
                page = frame.convert("RGB")
                dpi = _resolution(frame)
                if dpi < 0.9 * OCR_DPI:  # the engine reads small print better enlarged
                    factor = OCR_DPI / dpi
                    page = page.resize(
                        (round(page.width * factor), round(page.height * factor)), Image.BICUBIC
                    )
                    dpi = OCR_DPI
                frames.append((page, dpi))
            return frames
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ExtractError("corrupt", f"not a readable image ({e})", name) from e
    except (OSError, SyntaxError, ValueError) as e:  # truncated or damaged picture data
        raise ExtractError("corrupt", f"damaged image ({e})", name) from e


def read_image(data: bytes, name: str, max_pages: int = 500) -> Document:
    why = unavailable_reason()
    if why is not None:
        raise ExtractError("no_text_layer", f"a picture of a page has no text layer; {why}", name)
    pages: list[PageContent] = []
    chars: list[list[Char]] = []
    grids = {}
    unreadable = 0
    for i, (frame, dpi) in enumerate(_frames(data, name, max_pages)):
        scanned = scan_page(frame, dpi)
        pages.append(PageContent(number=i + 1, width=scanned.width, height=scanned.height))
        chars.append(scanned.chars)
        page_grids = grids_from_edges(segment_edges(scanned.segments))
        if page_grids:
            grids[i] = page_grids
        unreadable += scanned.unreadable
    if not any(chars):
        raise ExtractError(
            "not_a_report", f"OCR found no text on the {len(pages)} page(s) of the picture", name
        )
    blocks = assemble(pages, chars, grids, set(range(len(pages))))
    meta = {
        "pages": str(len(pages)),
        "ocr_pages": ",".join(str(p.number) for p in pages),
        "ocr_unreadable_numbers": str(unreadable),
    }
    return Document(name=name, format="image", blocks=blocks, meta=meta)
