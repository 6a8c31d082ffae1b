"""A PDF as a scanner returns it: every page a picture, slightly turned, noisy, stamped in red.

Deterministic (the same PDF and seed give the same bytes), so the mirror can serve a scanned
report and the tests can make scanned copies of the golden PDFs.
"""

from __future__ import annotations

import io
import time

import numpy as np
from PIL import Image, ImageDraw

# how far a page is turned, in degrees, at most (a sheet fed a little crookedly)
MAX_TILT = 1.2
# PIL stamps the current time otherwise; the same scan must give the same bytes
_DATE = time.gmtime(1704067200)  # 2024-01-01
# standard deviation of the grey-level noise a scanner adds
NOISE = 8.0


def _stamp(page: Image.Image, rng: np.random.Generator) -> None:
    """A red seal circle with a star and an arc of strokes, overlapping the text near the bottom right."""
    draw = ImageDraw.Draw(page)
    w, h = page.size
    r = int(min(w, h) * 0.09)
    cx = int(w * (0.62 + 0.1 * rng.random()))
    cy = int(h * (0.55 + 0.3 * rng.random()))
    red = (205, 30, 35)
    for k in range(4):
        draw.ellipse((cx - r + k, cy - r + k, cx + r - k, cy + r - k), outline=red)
    star = [
        (
            cx + 0.35 * r * np.cos(np.pi / 2 + k * 4 * np.pi / 5),
            cy - 0.35 * r * np.sin(np.pi / 2 + k * 4 * np.pi / 5),
        )
        for k in range(5)
    ]
    draw.polygon(star, fill=red)
    for k in range(10):
        a = np.pi * (0.15 + 0.07 * k)
        x, y = cx + 0.72 * r * np.cos(a), cy - 0.72 * r * np.sin(a)
        draw.rectangle((x - 4, y - 4, x + 4, y + 4), fill=red)


def scan_pages(pdf: bytes, *, dpi: int = 150, seed: int = 0, stamp_last: bool = True) -> list[Image.Image]:
    """Each page of `pdf` as a scanned picture (grey; the stamped last one in colour)."""
    import pypdfium2 as pdfium

    rng = np.random.default_rng(seed)
    doc = pdfium.PdfDocument(pdf)
    try:
        images: list[Image.Image] = []
        for i in range(len(doc)):
            page = doc[i]
            try:
                img = page.render(scale=dpi / 72).to_pil().convert("RGB")
            finally:
                page.close()
            if stamp_last and i == len(doc) - 1:
                _stamp(img, rng)
            tilt = float(rng.uniform(-MAX_TILT, MAX_TILT))
            img = img.rotate(tilt, resample=Image.BICUBIC, fillcolor=(255, 255, 255))
            stamped = stamp_last and i == len(doc) - 1
            if not stamped:  # pages without colour are scanned in grey, as scanners do
                img = img.convert("L")
            pixels = np.asarray(img, dtype=np.float32)
            noise = rng.normal(0.0, NOISE, pixels.shape[:2]).astype(np.float32)
            pixels = pixels + (noise[..., None] if stamped else noise)
            images.append(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)))
        return images
    finally:
        doc.close()


def image_pdf(images: list[Image.Image], dpi: int = 150) -> bytes:
    """An image-only PDF: one JPEG picture per page, no text layer."""
    out = io.BytesIO()
    images[0].save(
        out,
        format="PDF",
        save_all=True,
        append_images=images[1:],
        resolution=dpi,
        quality=60,
        creationDate=_DATE,
        modDate=_DATE,
    )
    return out.getvalue()


def scanned_pdf(pdf: bytes, *, dpi: int = 150, seed: int = 0) -> bytes:
    return image_pdf(scan_pages(pdf, dpi=dpi, seed=seed), dpi)
