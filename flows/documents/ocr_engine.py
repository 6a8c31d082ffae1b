"""Tesseract (Debian's tesseract-ocr with tesseract-ocr-chi-sim) driven as a subprocess.

Chosen over the ONNX PaddleOCR models of rapidocr-onnxruntime: those read Chinese better but
took 6-12 s of CPU per A4 page at 150 dpi on one core against tesseract's 1.5-2 s, and the
issue's budget is 2 s a page. The models ship inside the Debian package; nothing is downloaded.
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
# per page; a page that takes longer is a pathological image, not a report
TIMEOUT_SECONDS = 120

_CHAR = re.compile(
    r"<span class='ocrx_cinfo' title='x_bboxes (-?\d+) (-?\d+) (-?\d+) (-?\d+); x_conf ([\d.]+)'>(.*?)</span>",
    re.DOTALL,
)
_WORD_START = re.compile(r"<span class='ocrx_word'")
_LINE = re.compile(r"<span class='ocr_(?:line|caption|header|textfloat)' [^>]*?title=\"bbox (-?\d+) (-?\d+) (-?\d+) (-?\d+)")


@dataclass(frozen=True, slots=True)
class OcrChar:
    """One recognised character: its box in image pixels and the engine's confidence (0-100).

    top and bottom are its line's, as a text layer's font box would be: a glyph's own box
    ("一" is a thin stroke) would break the line apart when characters are grouped by baseline.
    Within a word, x1 reaches the next character, so no space is read into a number.
    """

    text: str
    x0: int
    top: int
    x1: int
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
    first = (version.stdout or version.stderr).splitlines()[:1]
    return f"{first[0].strip() if first else 'tesseract'} {LANGUAGE}"


def _environment() -> dict[str, str]:
    # one thread per page: the flow already runs documents in parallel, and OpenMP threads
    # on a shared machine cost more in spinning than they gain
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def recognise(png: bytes, *, psm: int = 3) -> list[OcrChar]:
    """Characters of a page image (PNG bytes), in the engine's reading order."""
    engine_version()
    command = ["tesseract", "stdin", "stdout", "-l", LANGUAGE, "--psm", str(psm)]
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
    chars: list[OcrChar] = []
    # each word or line opening moves its index on
    starts = [m.start() for m in _WORD_START.finditer(text)]
    lines = list(_LINE.finditer(text))
    word = line = -1
    for m in _CHAR.finditer(text):
        while word + 1 < len(starts) and starts[word + 1] < m.start():
            word += 1
        while line + 1 < len(lines) and lines[line + 1].start() < m.start():
            line += 1
        ch = html.unescape(m.group(6))
        if not ch.strip():
            continue
        x0, top, x1, bottom = (int(m.group(i)) for i in range(1, 5))
        if line >= 0:
            top, bottom = int(lines[line].group(2)), int(lines[line].group(4))
        if chars and chars[-1].word == word and chars[-1].top == top and x0 > chars[-1].x1:
            last = chars[-1]
            chars[-1] = OcrChar(last.text, last.x0, last.top, x0, last.bottom, last.conf, last.word)
        chars.append(OcrChar(ch, x0, top, x1, bottom, float(m.group(5)), word))
    return chars


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
