"""A scanned page image made ready for OCR: stamps out, skew corrected, table rules found and erased.

numpy only: the page is a grey array, "ink" a boolean mask of the dark pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

# stamps are red; a pixel this much redder than its green and blue is stamp ink, not text
_RED_MARGIN = 60
# skew searched within ±this many degrees (a scan fed crookedly); more is a turned page
_MAX_SKEW = 4.0
# a rule is at least this long, in inches (a cell of two characters is ~0.35 in wide)
_MIN_RULE_INCHES = 0.3
# gaps a scanned rule may have, in pixels: more joins the strokes of neighbouring characters
# ("一级指标" reads as one long stroke); the table finder joins broken rules itself
_RULE_GAP = 1


@dataclass(frozen=True, slots=True)
class Rule:
    """A ruled line in image pixels: horizontal (y0 == y1) or vertical (x0 == x1)."""

    x0: float
    y0: float
    x1: float
    y1: float


def grey_without_stamps(image: Image.Image) -> np.ndarray:
    """The page in grey levels (uint8), red stamp ink turned to paper."""
    if image.mode in ("RGB", "RGBA", "P", "CMYK", "YCbCr"):
        rgb_image = image.convert("RGB")
        grey = np.asarray(rgb_image.convert("L"), dtype=np.uint8)
        # where stamp ink is: looked for on a sample of the page first (most pages have none)
        small = np.asarray(rgb_image.reduce(4), dtype=np.int16)
        if not ((small[..., 0] - np.maximum(small[..., 1], small[..., 2])) > _RED_MARGIN // 2).any():
            return grey
        rgb = np.asarray(rgb_image, dtype=np.int16)
        r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        stamp = (r - np.maximum(g, b)) > _RED_MARGIN
        grey = grey.copy()
        grey[stamp] = 255
        return grey
    return np.asarray(image.convert("L"), dtype=np.uint8)


def ink(grey: np.ndarray) -> np.ndarray:
    """Dark pixels, by Otsu's threshold (a scan's paper is rarely pure white)."""
    # the threshold from every other pixel of every other row: the same levels, a quarter the work
    hist = np.bincount(grey[::2, ::2].ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256)
    weight = np.cumsum(hist)
    mean = np.cumsum(hist * levels)
    between = (mean[-1] * weight - mean * total) ** 2 / np.maximum(weight * (total - weight), 1.0)
    threshold = int(np.argmax(between))
    return grey <= min(threshold, 200)


def _sharpness(ys: np.ndarray, xs: np.ndarray, angle: float) -> float:
    """How sharp the rows' ink profile is with the page turned by `angle` (a shear stands in for
    the rotation: the same for a few degrees, and it moves points, not pixels)."""
    rows = ys - np.rint(xs * np.tan(np.radians(angle))).astype(np.int64)
    counts = np.bincount(rows - rows.min()).astype(np.float64)
    return float(np.square(np.diff(counts)).sum())


def skew_angle(dark: np.ndarray) -> float:
    """Degrees to turn the page counter-clockwise so its lines run level: text rows sharpest."""
    ys, xs = np.nonzero(dark[::4, ::4])
    if len(ys) == 0:
        return 0.0
    best = max(np.arange(-_MAX_SKEW, _MAX_SKEW + 0.01, 0.25), key=lambda a: _sharpness(ys, xs, a))
    fine = np.arange(best - 0.25, best + 0.26, 0.05)
    return float(max(fine, key=lambda a: _sharpness(ys, xs, a)))


def turned_quarter(dark: np.ndarray) -> bool:
    """Whether the text runs down the page (a page turned by 90°): columns sharper than rows."""
    small = dark[::4, ::4].astype(np.float64)
    rows = float(np.square(np.diff(small.sum(axis=1))).sum()) / max(small.shape[1], 1)
    cols = float(np.square(np.diff(small.sum(axis=0))).sum()) / max(small.shape[0], 1)
    return cols > 1.5 * rows


def rotate(grey: np.ndarray, angle: float) -> np.ndarray:
    """The page turned counter-clockwise by `angle` degrees, same size, corners filled with paper."""
    turned = Image.fromarray(grey).rotate(angle, resample=Image.BILINEAR, fillcolor=255)
    return np.asarray(turned, dtype=np.uint8)


def _close_gaps(dark: np.ndarray, gap: int) -> np.ndarray:
    """Dark runs along each row with holes of up to `gap` pixels filled."""
    # a hole is filled when dark pixels stand within `gap` on both sides of it
    left = np.zeros_like(dark)
    right = np.zeros_like(dark)
    for k in range(1, gap + 1):
        left[:, k:] |= dark[:, :-k]
        right[:, :-k] |= dark[:, k:]
    return dark | (left & right)


def _runs(dark: np.ndarray, min_len: int) -> list[tuple[int, int, int]]:
    """(row, start, end) of every dark run along the rows at least `min_len` long."""
    padded = np.zeros((dark.shape[0], dark.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = dark
    diff = np.diff(padded, axis=1)
    start_rows, start_cols = np.nonzero(diff == 1)
    _, end_cols = np.nonzero(diff == -1)
    keep = (end_cols - start_cols) >= min_len
    return list(
        zip(
            start_rows[keep].tolist(),
            start_cols[keep].tolist(),
            end_cols[keep].tolist(),
            strict=True,
        )
    )


def _group(runs: list[tuple[int, int, int]]) -> list[list[tuple[int, int, int]]]:
    """Runs of neighbouring rows that overlap or touch: one rule drawn a few pixels thick."""
    groups: list[list[tuple[int, int, int]]] = []
    open_: list[list[tuple[int, int, int]]] = []
    for run in sorted(runs):
        row, start, end = run
        open_ = [g for g in open_ if row - g[-1][0] <= 2]
        for g in open_:
            last = g[-1]
            if start <= last[2] + _RULE_GAP and end >= last[1] - _RULE_GAP:
                g.append(run)
                break
        else:
            g = [run]
            groups.append(g)
            open_.append(g)
    return groups


def _rules_along_rows(dark: np.ndarray, min_len: int) -> tuple[list[tuple[float, int, int]], np.ndarray]:
    """(y, x0, x1) of each horizontal rule, and the mask of the pixels it covers."""
    runs = _runs(_close_gaps(dark, _RULE_GAP), min_len)
    mask = np.zeros_like(dark)
    rules: list[tuple[float, int, int]] = []
    for g in _group(runs):
        rows = [r for r, _, _ in g]
        if max(rows) - min(rows) > 8:
            continue  # a thick bar (a filled shape), not a rule
        rules.append((float(np.mean(rows)), min(s for _, s, _ in g), max(e for _, _, e in g)))
        for r, s, e in g:
            mask[max(r - 1, 0) : r + 2, s:e] = True
    return rules, mask


def find_rules(dark: np.ndarray, dpi: float) -> tuple[list[Rule], np.ndarray]:
    """The page's ruled lines and the mask of their pixels (to erase before OCR)."""
    min_len = max(int(_MIN_RULE_INCHES * dpi), 20)
    horizontal, h_mask = _rules_along_rows(dark, min_len)
    vertical, v_mask = _rules_along_rows(dark.T, min_len)
    rules = [Rule(x0, y, x1, y) for y, x0, x1 in horizontal]
    rules += [Rule(x, y0, x, y1) for x, y0, y1 in vertical]
    return rules, h_mask | v_mask.T
