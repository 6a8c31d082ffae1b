"""Open the report site in Debian's chromium, network off: what loads, what fails, what is drawn.

Used by tests/test_report_site.py; `python -m tests.site_browser SITE_DIR SHOTS_DIR` takes the
screenshots the README shows (docs/screenshots/).
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
# what the brief for headless runs asks: no background traffic of the browser's own
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

_DRAWN = """() => [...document.querySelectorAll('figure.chart')].map(f => {
  const svg = f.querySelector('svg');
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  return {caption: f.dataset.chart, width: box.width, height: box.height,
          marks: svg ? svg.querySelectorAll('g.role-mark > *').length : 0};
})"""


@dataclass(slots=True)
class PageVisit:
    path: str
    status_ok: bool
    charts: list[dict] = field(default_factory=list)
    text: str = ""
    overflow: int = 0  # CSS pixels the page is wider than the window (0: no sideways scrolling)
    heading_fonts: list[str] = field(default_factory=list)  # the fonts that drew the page's <h1>


@dataclass(slots=True)
class SiteVisit:
    pages: dict[str, PageVisit] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)  # requests that failed, with the reason
    outside: list[str] = field(default_factory=list)  # requests for anything but the site's files
    console_errors: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)


def browser_path() -> str:
    found = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if not found:
        raise RuntimeError("no chromium: `make system-deps` installs Debian's chromium")
    return found


def visit_site(
    site_dir: Path,
    *,
    screenshots: dict[str, Path] | None = None,
    widths: tuple[int, ...] = (1280,),
    also: tuple[Path, ...] = (),
) -> SiteVisit:
    """Load every HTML page of the site, and of the folders in `also` (at the first width only),
    in one browser start with the network disabled; screenshot the pages named in `screenshots`
    (page path → PNG file) at the first width. Pages are keyed by their path in the site (the
    others by their path from the site's parent folder)."""
    from playwright.sync_api import sync_playwright

    site_dir = Path(site_dir).resolve()
    pages = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html"))
    extra = sorted(
        p.resolve().relative_to(site_dir.parent).as_posix() for d in also for p in Path(d).rglob("*.html")
    )
    out = SiteVisit()
    # Playwright starts the browser on a fresh profile of its own (--user-data-dir in a temp folder)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path(), headless=True, args=FLAGS)
        context = browser.new_context(offline=True, viewport={"width": widths[0], "height": 900})

        def route(r):  # anything not from the site's folder is refused and counted
            if r.request.url.startswith("file://"):
                r.continue_()
            else:
                out.outside.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        cdp = context.new_cdp_session(page)  # which font drew a node: only the DevTools protocol says
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        page.on("requestfailed", lambda q: out.failed.append(f"{q.url}: {q.failure}"))
        page.on("console", lambda m: out.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: out.console_errors.append(str(e)))
        for width in widths:
            page.set_viewport_size({"width": width, "height": 900})
            for path in pages + (extra if width == widths[0] else []):
                file = site_dir / path if path in pages else site_dir.parent / path
                response = page.goto(file.as_uri(), wait_until="load")
                visit = PageVisit(path, response is None or response.ok)
                visit.charts = page.evaluate(_DRAWN)
                visit.text = page.inner_text("body")
                visit.overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if width == widths[0]:
                    visit.heading_fonts = _fonts_of(cdp, "h1")
                out.pages[path if width == widths[0] else f"{path}@{width}"] = visit
                if width == widths[0] and screenshots and path in screenshots:
                    screenshots[path].parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(screenshots[path]), full_page=True)
                    out.screenshots.append(screenshots[path])
        browser.close()
    return out


def _fonts_of(cdp, selector: str) -> list[str]:
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    if not node:
        return []
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return [f["familyName"] for f in fonts if f.get("glyphCount")]


if __name__ == "__main__":
    site, shots = Path(sys.argv[1]), Path(sys.argv[2])
    v = visit_site(
        site, screenshots={"index.html": shots / "overview.png", "quality.html": shots / "data-quality.png"}
    )
    print(f"{len(v.pages)} pages, failed={v.failed}, outside={v.outside}, shots={v.screenshots}")
