"""A page image → positioned characters and table rules, in PDF points, as the PDF reader uses them.

OCR'd characters carry the engine's confidence. A number read with low confidence is replaced
by UNREADABLE so no parser can store it as a value: a missing amount is better than a wrong one.
Results are cached by the page's pixels (`<home>/cache/ocr/`), like the parse cache.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import hashlib
import io
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from flows.documents import ocr_engine, scan_image
from flows.documents.model import LOW_CONFIDENCE, UNREADABLE
from flows.documents.pdf_layout import Char, PageContent
from flows.documents.pdf_tables import grids_from_edges, segment_edges

# a number is cut from the page for its second reading from this many line heights left of its
# box to this many right of it, then trimmed to its own glyphs (measured on scans: 0.6/0.2 lose
# no digit; 0.6/0.0 cut the last digit of half the numbers)
LEFT_PAD, RIGHT_PAD = 0.6, 0.2
# characters below this are specks, scribbles and signature strokes, not text
NOISE_CONFIDENCE = 30.0
# images are read at this resolution: rendered PDF pages, and image files rescaled to it
# (300: at 200 dpi a 150-dpi scan's "899.52" read as "8999.52"; the engine's cost barely grows)
OCR_DPI = 300
# ... and a giant page at less, so that no side is longer than this many pixels
MAX_OCR_SIDE = 6000
# bump when preparing the image or reading the engine's output changes what a page gives
PIPELINE_VERSION = "14"

Segment = tuple[float, float, float, float]

_NUMBER_CHARS = frozenset("0123456789.,%")
# what follows a number that is a date's month or day, or a list item's number
_NOT_VALUES = frozenset("月日、")
# ASCII punctuation the engine prints where Chinese text has the full-width form
_FULL_WIDTH_AFTER_CJK = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"}
_CONFUSED = {"〈": "（", "〉": "）"}
_OPENING_LOOKALIKES = frozenset("《{〈")


@dataclass(slots=True)
class ScannedPage:
    """One page as OCR read it; coordinates in points from the top-left of the upright page."""

    width: float
    height: float
    chars: list[Char] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    unreadable: int = 0  # numbers left out for low confidence


def unavailable_reason() -> str | None:
    """Why OCR cannot run (switched off, engine missing), or None when it can."""
    from flows.settings import get_settings

    if get_settings().ocr == "off":
        return "OCR is switched off (GOVPERF_OCR=off)"
    try:
        ocr_engine.engine_version()
    except ocr_engine.OcrUnavailable as e:
        return f"OCR unavailable: {e}"
    return None


def _cache_dir() -> Path:
    from flows.settings import get_settings

    return get_settings().ocr_cache_dir


def _png(grey: np.ndarray) -> bytes:
    """The picture handed to the engine: uncompressed greymap (PGM), cheaper to write than PNG."""
    out = io.BytesIO()
    Image.fromarray(grey).save(out, format="PPM")
    return out.getvalue()


def _is_cjk(ch: str) -> bool:
    return ord(ch[0]) >= 0x2E80


def _fix_punctuation(chars: list[ocr_engine.OcrChar]) -> list[ocr_engine.OcrChar]:
    out: list[ocr_engine.OcrChar] = []
    for i, c in enumerate(chars):
        text = _CONFUSED.get(c.text, c.text)
        prev = out[-1].text if out and out[-1].word >= c.word - 1 else ""
        after = chars[i + 1].text if i + 1 < len(chars) else ""
        closing = [n.text for n in chars[i + 1 : i + 4]]
        if text in _OPENING_LOOKALIKES and any(t in "）)" for t in closing) and "》" not in closing:
            text = "（"  # "《一）存在的问题": a heading's bracket read as a title mark
        if text in _FULL_WIDTH_AFTER_CJK and (
            (prev and _is_cjk(prev)) or (text == "(" and after and _is_cjk(after))
        ):
            text = _FULL_WIDTH_AFTER_CJK[text]
        out.append(ocr_engine.OcrChar(text, c.x0, c.top, c.x1, c.bottom, c.conf, c.word))
    return out


def _number_runs(chars: list[ocr_engine.OcrChar]) -> list[tuple[int, int]]:
    """(start, end) of each number: a run of digits, points, commas and % within one word."""
    runs = []
    i = 0
    while i < len(chars):
        if chars[i].text not in _NUMBER_CHARS:
            i += 1
            continue
        j = i
        while j < len(chars) and chars[j].text in _NUMBER_CHARS and chars[j].word == chars[i].word:
            j += 1
        runs.append((i, j))
        i = j
    return runs


def _value(text: str) -> str:
    return text.replace(",", "").replace("%", "").strip(".")


def _trimmed(image: np.ndarray, x0: int, top: int, x1: int, bottom: int) -> tuple[int, int, int, int]:
    """The box without the glyphs its sides cut through (the neighbours of a number), trimmed to
    the ink left, a little margin around it; empty (x0 == x1) when nothing is left."""
    if x1 <= x0:
        return (x0, top, x0, bottom)
    columns = (image[top:bottom, x0:x1] < 160).any(axis=0)
    edges = np.flatnonzero(np.diff(np.concatenate(([False], columns, [False])).astype(np.int8)))
    spans = list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
    if spans and spans[0][0] == 0:
        spans.pop(0)
    if spans and spans[-1][1] == len(columns):
        spans.pop()
    if not spans:
        return (x0, top, x0, bottom)
    margin = max((bottom - top) // 8, 2)
    return (max(x0 + spans[0][0] - margin, 0), top, min(x0 + spans[-1][1] + margin, image.shape[1]), bottom)


def _number_crops(
    image: np.ndarray, chars: list[ocr_engine.OcrChar], runs: list[tuple[int, int]]
) -> list[tuple[int, int, int, int]]:
    """Each number's own line cut from the page, trimmed to its glyphs."""
    crops: list[tuple[int, int, int, int]] = []
    for i, j in runs:
        run = chars[i:j]
        top, bottom = max(min(r.top for r in run) - 2, 0), min(max(r.bottom for r in run) + 2, image.shape[0])
        # the engine's word boxes lie a third of a line's height right of the ink they read
        x0 = max(int(min(r.x0 for r in run) - LEFT_PAD * (bottom - top)), 0)
        x1 = min(int(max(r.x1 for r in run) + RIGHT_PAD * (bottom - top)), image.shape[1])
        crops.append(_trimmed(image, x0, top, x1, bottom))
    return crops


def _read_crops(image: np.ndarray, crops: list[tuple[int, int, int, int]], language: str) -> list[str]:
    """What the engine reads in each crop, the crops stacked in one picture (one engine call)."""
    if not crops:
        return []
    gap = max(max(b - t for _, t, _, b in crops) // 2, 10)
    width = max(x1 - x0 for x0, _, x1, _ in crops) + 2 * gap
    starts = []
    y = gap
    for _, top, _, bottom in crops:
        starts.append(y)
        y += bottom - top + gap
    mosaic = np.full((y, width), 255, dtype=np.uint8)
    for (x0, top, x1, bottom), start in zip(crops, starts, strict=True):
        mosaic[start : start + bottom - top, gap : gap + x1 - x0] = image[top:bottom, x0:x1]
    read = [""] * len(crops)
    last_word = [-1] * len(crops)
    for c in ocr_engine.recognise(_png(mosaic), psm=6, language=language):
        k = max(bisect.bisect_right(starts, (c.top + c.bottom) / 2) - 1, 0)
        read[k] += (" " if last_word[k] not in (-1, c.word) else "") + c.text
        last_word[k] = c.word
    return read


def _numbers_in(text: str) -> set[str]:
    # "568.24." at a sentence's end is 568.24; "344,18" is 344.18 (a thousands comma has three
    # digits after it), the Latin model reads a low decimal point as a comma
    return {
        re.sub(r",(\d{1,2}%?)$", r".\1", m) if "." not in m else m
        for m in re.findall(r"\d(?:[\d.,]*\d)?%?", text)
    }


def _well_formed(number: str) -> bool:
    """One decimal point at most, and no leading zero but before it."""
    return (
        number.count(".") <= 1
        and ",." not in number
        and not (len(number) > 1 and number[0] == "0" and number[1] != ".")
    )


def _second_reading(
    image: np.ndarray, chars: list[ocr_engine.OcrChar], runs: list[tuple[int, int]]
) -> list[str | None]:
    """Each number as two different models read it alike, or None: the Chinese model misreads a
    digit now and then with full confidence ("15" as "18"), the two models rarely make the same
    mistake. The Latin model reads each number on its own line cut from the page; where it reads
    otherwise, the Chinese model reads the same cut-out line again, and a number both models now
    read alike, as long as the first reading, is taken ("968.24" read "568.24" twice); else None."""
    crops = _number_crops(image, chars, runs)
    latin = _read_crops(image, crops, ocr_engine.DIGITS_LANGUAGE)
    mines = ["".join(c.text for c in chars[i:j]) for i, j in runs]
    out: list[str | None] = []
    again: list[int] = []
    for k, (mine, text) in enumerate(zip(mines, latin, strict=True)):
        agreed = _value(mine) in {_value(m) for m in _numbers_in(text)}
        out.append(mine if agreed else None)
        if not agreed and _numbers_in(text):
            again.append(k)
    chinese = _read_crops(image, [crops[k] for k in again], ocr_engine.LANGUAGE)
    for k, text in zip(again, chinese, strict=True):
        (i, j), mine = runs[k], mines[k]
        both = _numbers_in(latin[k]) & _numbers_in(text)
        if len(both) == 1 and len(value := next(iter(both))) == j - i:
            out[k] = value
        elif (
            j < len(chars)
            and _is_cjk(chars[j].text)
            and mine in _numbers_in(text)
            and any(
                n.startswith(mine) and n[len(mine) :].isdigit() and len(n) - len(mine) <= 2
                for n in _numbers_in(latin[k])
            )
        ):
            # the Latin model read the first stroke of the Chinese character after the number
            # as a digit or two ("483.41万" as "483.415"); the Chinese model read it alike twice
            out[k] = mine
    return out


def _mask_numbers(
    chars: list[ocr_engine.OcrChar], image: np.ndarray | None = None
) -> tuple[list[ocr_engine.OcrChar], int]:
    """Numbers (digit runs within one word) with a digit read below LOW_CONFIDENCE become
    UNREADABLE; so do malformed ones and, given the page `image`, ones the two models do not read
    alike (`_second_reading`), unless that reading brings both models to one well-formed value."""
    # "1,.093.75": a thousands comma read twice, as a comma and a point; the number is then
    # read the second time like any other
    merged: list[ocr_engine.OcrChar] = []
    respace: set[int] = set()
    for c in chars:
        if c.text == "." and merged and merged[-1].text == "," and merged[-1].word == c.word:
            respace.add(c.word)
            continue
        merged.append(c)
    for word in respace:  # the word's characters spread evenly again, as parse_hocr spreads them
        at = [k for k, c in enumerate(merged) if c.word == word]
        x0, x1 = merged[at[0]].x0, merged[at[-1]].x1
        step = (x1 - x0) / len(at)
        for n, k in enumerate(at):
            c = merged[k]
            merged[k] = ocr_engine.OcrChar(
                c.text, x0 + n * step, c.top, x0 + (n + 1) * step, c.bottom, c.conf, c.word
            )
    chars = merged
    doubtful: dict[int, bool] = {}
    checked: list[tuple[int, int]] = []
    misformed: set[int] = set()
    for i, j in _number_runs(chars):
        run = chars[i:j]
        digits = [r for r in run if r.text.isdigit()]
        if not digits:
            continue
        # two decimal points ("1.093.75"): the engine saw a speck as a point; no reading is safe
        malformed = sum(r.text == "." for r in run) > 1
        # a leading zero ("05"): a decimal point lost ("0.5"), unless a date's month or day
        text = "".join(r.text for r in run)
        before = chars[i - 1].text if i > 0 else ""
        after = chars[j].text if j < len(chars) else ""
        if (
            len(text) > 1
            and text[0] == "0"
            and text[1].isdigit()
            and before not in ("年", "月")
            and after not in ("月", "日")
        ):
            malformed = True
        sure = min(r.conf for r in digits) >= LOW_CONFIDENCE
        doubtful[i] = malformed or not sure
        # a month, a day or a list number ("3、") is no value a report stores, and the glyph
        # after it, cut in half, reads as a digit to the Latin model: not read twice
        if sure and after not in _NOT_VALUES:
            checked.append((i, j))
            if malformed:  # read twice more, it may come out whole ("1.093.75" as "1,093.75")
                misformed.add(i)
    if image is not None:
        for (i, _), agreed in zip(checked, _second_reading(image, chars, checked), strict=True):
            if agreed is None or (i in misformed and not _well_formed(agreed)):
                doubtful[i] = True
                continue
            doubtful[i] = False
            for k, ch in enumerate(agreed):  # the same length: each character keeps its box
                chars[i + k] = dataclasses.replace(chars[i + k], text=ch)
    out: list[ocr_engine.OcrChar] = []
    masked = 0
    runs = dict(_number_runs(chars))
    i = 0
    while i < len(chars):
        if not doubtful.get(i):
            out.append(chars[i])
            i += 1
            continue
        run = chars[i : runs[i]]
        digits = [r for r in run if r.text.isdigit()]
        masked += 1
        out.append(
            ocr_engine.OcrChar(
                UNREADABLE,
                min(r.x0 for r in run),
                min(r.top for r in run),
                max(r.x1 for r in run),
                max(r.bottom for r in run),
                min(r.conf for r in digits),
                run[0].word,
            )
        )
        i = runs[i]
    return out, masked


def _upright(grey: np.ndarray) -> np.ndarray:
    """A page turned by a quarter (text running down the page) turned upright, by the engine's OSD."""
    if not scan_image.turned_quarter(scan_image.ink(grey)):
        return grey
    turn = ocr_engine.orientation(_png(grey))
    return np.rot90(grey, -turn // 90).copy() if turn else grey


def _cell_boxes(
    rules: list[scan_image.Rule], dpi: float, shape: tuple[int, ...]
) -> list[tuple[int, int, int, int]]:
    """The cells of the page's ruled tables, in pixels (x0, top, x1, bottom), as the PDF reader
    will find them: the same table finder on the same rules, in points."""
    scale = 72.0 / dpi
    segments = [(r.x0 * scale, r.y0 * scale, r.x1 * scale, r.y1 * scale) for r in rules]
    height, width = shape[:2]
    boxes = []
    for grid in grids_from_edges(segment_edges(segments)):
        for row in grid.rows:
            for box in row:
                if box is not None:
                    x0, top, x1, bottom = (round(v / scale) for v in box)
                    boxes.append((max(x0, 0), max(top, 0), min(x1, width), min(bottom, height)))
    return boxes


def _ink_box(
    dark: np.ndarray, box: tuple[int, int, int, int], dpi: float
) -> tuple[int, int, int, int] | None:
    """The part of a cell that holds ink (its text), a little margin around it; None when empty."""
    x0, top, x1, bottom = box
    inset = max(int(dpi / 100), 2)  # what is left of the erased rules at the cell's border
    cell = dark[top + inset : bottom - inset, x0 + inset : x1 - inset]
    if cell.size == 0 or cell.sum() < max(int(dpi / 20), 6):
        return None
    rows = np.flatnonzero(cell.any(axis=1))
    cols = np.flatnonzero(cell.any(axis=0))
    margin = max(int(dpi / 40), 3)
    return (
        max(x0 + inset + int(cols[0]) - margin, 0),
        max(top + inset + int(rows[0]) - margin, 0),
        min(x0 + inset + int(cols[-1]) + 1 + margin, dark.shape[1]),
        min(top + inset + int(rows[-1]) + 1 + margin, dark.shape[0]),
    )


def _read_cells(
    clean: np.ndarray, dark: np.ndarray, boxes: list[tuple[int, int, int, int]], dpi: float, first_word: int
) -> list[ocr_engine.OcrChar]:
    """Table cells read one under the other from a single picture (a "mosaic"): the engine's page
    layout analysis loses short cells ("1", "合格") among a table's columns; a column of cells,
    each on its own lines, it reads in full. Characters come back at their place on the page."""
    crops = [b for b in (_ink_box(dark, box, dpi) for box in boxes) if b is not None]
    if not crops:
        return []
    pad = gap = max(int(dpi / 5), 10)
    width = max(x1 - x0 for x0, _, x1, _ in crops) + 2 * pad
    starts = []
    y = pad
    for _, top, _, bottom in crops:
        starts.append(y)
        y += bottom - top + gap
    mosaic = np.full((y + pad - gap, width), 255, dtype=np.uint8)
    for (x0, top, x1, bottom), start in zip(crops, starts, strict=True):
        mosaic[start : start + bottom - top, pad : pad + x1 - x0] = clean[top:bottom, x0:x1]
    out = []
    for c in ocr_engine.recognise(_png(mosaic), psm=6):
        middle = (c.top + c.bottom) / 2
        k = max(bisect.bisect_right(starts, middle) - 1, 0)
        x0, top, x1, bottom = crops[k]
        dx, dy = x0 - pad, top - starts[k]
        out.append(
            ocr_engine.OcrChar(
                c.text,
                c.x0 + dx,
                max(c.top + dy, top),
                c.x1 + dx,
                min(c.bottom + dy, bottom),
                c.conf,
                c.word + first_word,
            )
        )
    return out


def _read(grey: np.ndarray, dpi: float) -> tuple[list[ocr_engine.OcrChar], list[scan_image.Rule], np.ndarray]:
    """The page's characters, its rules, and the page as read (upright, level, rules erased)."""
    dark = scan_image.ink(grey)
    angle = scan_image.skew_angle(dark)
    if abs(angle) >= 0.05:
        grey = scan_image.rotate(grey, angle)
        dark = scan_image.ink(grey)
    rules, rule_pixels = scan_image.find_rules(dark, dpi)
    text = dark & ~rule_pixels
    # ink kept in its grey levels (its edges help the engine), paper, shading and rules white
    clean = np.where(text, grey, 255).astype(np.uint8)
    boxes = _cell_boxes(rules, dpi, grey.shape)
    page = clean
    if boxes:  # the tables' cells are read on their own; the page pass reads the rest
        page = clean.copy()
        for x0, top, x1, bottom in boxes:
            page[top:bottom, x0:x1] = 255
    chars = ocr_engine.recognise(_png(page)) if (page < 255).any() else []
    first_word = max((c.word for c in chars), default=0) + 1
    chars += _read_cells(clean, text, boxes, dpi, first_word)
    lost = _lost_lines(page < 255, chars, dpi)
    if lost:
        chars += _read_cells(clean, text, lost, dpi, max((c.word for c in chars), default=0) + 1)
    return chars, rules, clean


def _lost_lines(
    ink: np.ndarray, chars: list[ocr_engine.OcrChar], dpi: float
) -> list[tuple[int, int, int, int]]:
    """Stretches of printed lines the page pass gave no character for, as boxes to read again.

    The engine's layout analysis now and then drops a short line between paragraphs (a heading
    such as "（一）存在的问题") or a list number at the margin; a line of ink with nothing read
    on it is found from the page's row profile and read on its own."""
    min_ink = max(int(dpi / 100), 2)  # pixels in a row that make it a row of print, not a speck
    rows = ink.sum(axis=1) >= min_ink
    edges = np.flatnonzero(np.diff(np.concatenate(([False], rows, [False])).astype(np.int8)))
    pad = max(int(dpi / 50), 2)
    boxes = []
    for top, bottom in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        height = bottom - top
        if height < dpi / 15 or height > dpi / 2:  # a speck or a rule's remains; a picture
            continue
        read = [c for c in chars if top <= (c.top + c.bottom) / 2 < bottom]
        columns = ink[top:bottom].any(axis=0)
        xs = np.flatnonzero(np.diff(np.concatenate(([False], columns, [False])).astype(np.int8)))
        spans: list[list[int]] = []
        for x0, x1 in zip(xs[::2].tolist(), xs[1::2].tolist(), strict=True):
            if spans and x0 - spans[-1][1] < height:  # glyphs of one word or number
                spans[-1][1] = x1
            else:
                spans.append([x0, x1])
        for x0, x1 in spans:
            # a word's box may lie a line's height off its ink: only ink far from any is lost
            if x1 - x0 < height / 2 or any(c.x1 + height > x0 and c.x0 - height < x1 for c in read):
                continue
            boxes.append(
                (
                    max(x0 - pad, 0),
                    max(top - pad, 0),
                    min(x1 + pad, ink.shape[1]),
                    min(bottom + pad, ink.shape[0]),
                )
            )
    return boxes


def _mean_confidence(chars: list[ocr_engine.OcrChar]) -> float:
    return sum(c.conf for c in chars) / len(chars) if chars else 0.0


def _scan(image: Image.Image, dpi: float) -> ScannedPage:
    grey = _upright(scan_image.grey_without_stamps(image))
    chars, rules, clean = _read(grey, dpi)
    if len(chars) >= 20 and _mean_confidence(chars) < 60:
        # upside down reads as confident-looking garbage at best: ask the OSD once
        turn = ocr_engine.orientation(_png(grey))
        if turn:
            grey = np.rot90(grey, -turn // 90).copy()
            chars, rules, clean = _read(grey, dpi)
    chars = [c for c in chars if c.conf >= NOISE_CONFIDENCE]
    chars, masked = _mask_numbers(_fix_punctuation(chars), clean)
    scale = 72.0 / dpi
    height, width = grey.shape
    return ScannedPage(
        width=width * scale,
        height=height * scale,
        chars=[
            Char(c.text, c.x0 * scale, c.x1 * scale, c.top * scale, c.bottom * scale, c.conf) for c in chars
        ],
        segments=[(r.x0 * scale, r.y0 * scale, r.x1 * scale, r.y1 * scale) for r in rules],
        unreadable=masked,
    )


def _key(image: Image.Image, dpi: float) -> str:
    h = hashlib.sha256()
    h.update(f"{ocr_engine.engine_version()}|{PIPELINE_VERSION}|{dpi}|{image.mode}|{image.size}".encode())
    h.update(image.tobytes())
    return h.hexdigest()


def _load(path: Path) -> ScannedPage | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return ScannedPage(
            width=raw["width"],
            height=raw["height"],
            chars=[Char(*c) for c in raw["chars"]],
            segments=[tuple(s) for s in raw["segments"]],  # type: ignore[misc]
            unreadable=raw["unreadable"],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent or damaged: read the page again


def _store(path: Path, page: ScannedPage) -> None:
    raw = {
        "width": page.width,
        "height": page.height,
        "chars": [[c.text, c.x0, c.x1, c.top, c.bottom, c.conf] for c in page.chars],
        "segments": page.segments,
        "unreadable": page.unreadable,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(raw, f, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only data folder costs speed, not results


def scan_page(image: Image.Image, dpi: float) -> ScannedPage:
    """OCR one page image (`dpi` says how many pixels make an inch), from the cache when seen before."""
    path = _cache_dir() / f"{_key(image, dpi)}.json"
    cached = _load(path)
    if cached is not None:
        return cached
    page = _scan(image, dpi)
    _store(path, page)
    return page


def _align(lines: list) -> None:
    """Give lines that read alike (ratio >= 0.8) the text of the one most like all the others."""
    if len(lines) < 2:
        return
    texts = [ln.text for ln in lines]

    def likeness(a: str) -> float:
        return sum(difflib.SequenceMatcher(None, a, b).ratio() for b in texts)

    reference = max(texts, key=likeness)
    for ln in lines:
        if difflib.SequenceMatcher(None, ln.text, reference).ratio() >= 0.8:
            ln.text = reference


def align_running_lines(pages: list[PageContent]) -> None:
    """OCR reads a running header a little differently on each page ("闵行区" once as "阅行区"):
    its copies are given one text, so the layout step recognises it as repeated and drops it."""
    _align([p.lines[0] for p in pages if p.lines and p.lines[0].bottom <= 0.15 * p.height])
    _align([p.lines[-1] for p in pages if p.lines and p.lines[-1].top >= 0.85 * p.height])
