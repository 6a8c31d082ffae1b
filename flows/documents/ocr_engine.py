"""Tesseract (Debian's tesseract-ocr with tesseract-ocr-chi-sim) driven as a subprocess.

Chosen over the ONNX PaddleOCR models of rapidocr-onnxruntime 1.4.4 (PP-OCRv4, models in its
wheel): those read Chinese better, but on one core of a quiet machine they took 2.6-3.3 s an A4
table page at 150 dpi and 6-15 s a page of prose (detection ~1-1.9 s; recognition grows faster
than the line's length, 13.6 s for 42 lines, 6.2 s with the lines cut into pieces of ten heights)
against tesseract's 2-4.5 s for the whole page pipeline. The models ship inside the Debian
package; nothing is downloaded.
"""

from __future__ import annotations

import functools
import html
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

LANGUAGE = "chi_sim"
# the second reading of every number: Latin digits, another model, other mistakes
DIGITS_LANGUAGE = "eng"
# per page; a page that takes longer is a pathological image, not a report
TIMEOUT_SECONDS = 120

_WORD = re.compile(r"<span class='ocrx_word' [^>]*?title='bbox (-?\d+) (-?\d+) (-?\d+) (-?\d+);")
_CHAR = re.compile(
    r"<span class='ocrx_cinfo' title='x_bboxes (-?\d+) (-?\d+) (-?\d+) (-?\d+); x_conf ([\d.]+)'>(.*?)</span>",
    re.DOTALL,
)
# a "9" less wide than this share of the "%" after it is the percent sign's first circle read as
# a digit ("100%" as "1009%"): measured 0.35-0.5 for those, 0.75-0.85 for a real "9%" (on a
# clean render and on 150-dpi scans)
_SPLIT_PERCENT_WIDTH = 0.6
_LINE = re.compile(
    r"<span class='ocr_(?:line|caption|header|textfloat)' [^>]*?title=\"bbox (-?\d+) (-?\d+) (-?\d+) (-?\d+)"
)


@dataclass(frozen=True, slots=True)
class OcrChar:
    """One recognised character: its box in image pixels and the engine's confidence (0-100).

    top and bottom are its line's, as a text layer's font box would be: a glyph's own box
    ("一" is a thin stroke) would break the line apart when characters are grouped by baseline.
    """

    text: str
    x0: float
    top: int
    x1: float
    bottom: int
    conf: float
    word: int  # index of the engine's word: a number is read within one word


class OcrUnavailable(Exception):
    """The engine cannot run here; the message says why (for the no_text_layer error)."""


@functools.cache
def engine_version() -> str:
    """`tesseract 5.3.0 chi_sim`, part of the OCR cache key; raises OcrUnavailable with the reason."""
    binary = shutil.which("tesseract")
    if binary is None:
        raise OcrUnavailable("the tesseract program is not installed (apt-get install tesseract-ocr)")
    try:
        version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
        langs = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as e:
        raise OcrUnavailable(f"tesseract does not run ({e})") from e
    if LANGUAGE not in langs.stdout.split():
        raise OcrUnavailable(f"tesseract has no {LANGUAGE} model (apt-get install tesseract-ocr-chi-sim)")
    if DIGITS_LANGUAGE not in langs.stdout.split():
        raise OcrUnavailable(f"tesseract has no {DIGITS_LANGUAGE} model (apt-get install tesseract-ocr-eng)")
    first = (version.stdout or version.stderr).splitlines()[:1]
    return f"{first[0].strip() if first else 'tesseract'} {LANGUAGE}+{DIGITS_LANGUAGE}"


def _environment() -> dict[str, str]:
    # one thread per page: the flow already runs documents in parallel, and OpenMP threads
    # on a shared machine cost more in spinning than they gain
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def recognise(png: bytes, *, psm: int = 3, language: str = LANGUAGE) -> list[OcrChar]:
    """Characters of a page image (PNG or PGM bytes), in the engine's reading order."""
    engine_version()
    command = ["tesseract", "stdin", "stdout", "-l", language, "--psm", str(psm)]
    command += ["-c", "hocr_char_boxes=1", "hocr"]
    try:
        done = subprocess.run(
            command, input=png, capture_output=True, timeout=TIMEOUT_SECONDS, env=_environment()
        )
    except subprocess.TimeoutExpired as e:
        raise OcrUnavailable(f"tesseract took over {TIMEOUT_SECONDS} s on one page") from e
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise OcrUnavailable(f"tesseract failed ({detail[0]})")
    return parse_hocr(done.stdout.decode("utf-8", "replace"))


def parse_hocr(text: str) -> list[OcrChar]:
    """Characters with their word's confidence floor and evenly spaced boxes within their word.

    The LSTM engine's own character boxes are approximate (neighbouring digits come out swapped
    or overlapping); its word boxes and the order of characters within a word are reliable.
    """
    chars: list[OcrChar] = []
    line_of: list[int] = []
    lines = list(_LINE.finditer(text))
    line = -1
    words = list(_WORD.finditer(text))
    for index, w in enumerate(words):
        while line + 1 < len(lines) and lines[line + 1].start() < w.start():
            line += 1
        x0, top, x1, bottom = (int(w.group(i)) for i in range(1, 5))
        if line >= 0:
            top, bottom = int(lines[line].group(2)), int(lines[line].group(4))
        body = text[w.end() : words[index + 1].start() if index + 1 < len(words) else len(text)]
        glyphs = _glyphs(body)
        if not glyphs:
            continue
        step = (x1 - x0) / len(glyphs)
        for k, (g, conf) in enumerate(glyphs):
            left, right = x0 + k * step, x0 + (k + 1) * step
            if chars and line_of[-1] == line and left <= chars[-1].x0:
                # word boxes of one line overlap at times ("1093.75" over "万"): the engine's
                # reading order wins, so the layout step's left-to-right sort keeps it
                left = chars[-1].x0 + 0.5
                right = max(right, left + 0.5)
            chars.append(OcrChar(g, left, top, right, bottom, conf, index))
            line_of.append(line)
    return chars


def _glyphs(word: str) -> list[tuple[str, float]]:
    """A word's characters and confidences, the percent sign read twice ("9%" for "%") read once."""
    found = [
        (html.unescape(m.group(6)), float(m.group(5)), *(int(m.group(i)) for i in range(1, 5)))
        for m in _CHAR.finditer(word)
    ]
    found = [g for g in found if g[0].strip()]
    out: list[tuple[str, float]] = []
    for k, (g, conf, x0, _, x1, _) in enumerate(found):
        after = found[k + 1] if k + 1 < len(found) else None
        if g == "9" and after is not None and after[0] == "%":
            width, height = after[4] - after[2], after[5] - after[3]
            # (a "%" box wider than it is high took in the digit before it: nothing to compare)
            if x1 - x0 < _SPLIT_PERCENT_WIDTH * width and width < 1.2 * height:
                continue
        out.append((g, conf))
    return out


def orientation(png: bytes) -> int:
    """Degrees the page must turn clockwise to stand upright (0, 90, 180, 270), from tesseract's OSD."""
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "--psm", "0"],
            input=png,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            env=_environment(),
        )
    except (OSError, subprocess.SubprocessError):
        return 0
    m = re.search(r"Rotate: (\d+)", done.stdout.decode("utf-8", "replace"))
    return int(m.group(1)) % 360 if m else 0
