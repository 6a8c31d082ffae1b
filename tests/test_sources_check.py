"""`govperf sources check`: each enabled source's first list pages, fetched from the mirror on
loopback and parsed; the exit code says whether they all still parse."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.crawl.check import check_source
from flows.mirror.server import MirrorServer, serve_mirror
from flows.sources.model import SOURCES_DIR, load_sources

pytestmark = pytest.mark.integration  # real servers and real Prefect flow runs

GOVPERF = str(Path(sys.executable).parent / "govperf")


@pytest.fixture(scope="module")
def mirror() -> Iterator[MirrorServer]:
    with serve_mirror() as m:
        yield m


def _check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([GOVPERF, "sources", "check", *args], capture_output=True, text=True, timeout=120)


def test_every_enabled_source_parses_on_the_mirror(mirror):
    done = _check("--base-url", mirror.base_url)
    assert done.returncode == 0, done.stdout + done.stderr
    # the enabled sources are the mirror's: Minhang's one column, Donghu's two, and one each
    # for the script-paginated, data-proxy and JSON-API families
    assert "6 of 6 list pages parse" in done.stdout
    assert done.stdout.count("│ ok ") == 6


def test_what_each_first_page_shows(mirror):
    sources = load_sources()
    minhang = check_source(sources["minhang_mirror"].rebased(mirror.base_url))
    donghu = check_source(sources["donghu_mirror"].rebased(mirror.base_url))
    assert [(h.status, h.items, h.links, h.pagination, h.ok) for h in minhang] == [
        (200, 3, 2, "next link", True)  # 部门决算, and two 绩效自评 reports; 下一页
    ]
    by_column = {h.url.rsplit("/", 2)[-2]: (h.items, h.links, h.pagination, h.ok) for h in donghu}
    assert by_column == {
        "bmczyjs07": (2, 1, "next link", True),
        # a column whose first page has no report yet still parses: its items match the selector
        "bmczyjs03": (2, 0, "1 page stated", True),
    }


def test_a_source_whose_selector_no_longer_matches_fails(mirror, tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    shutil.copy(SOURCES_DIR / "donghu_mirror.toml", folder)
    text = (SOURCES_DIR / "minhang_mirror.toml").read_text(encoding="utf-8")
    # the site moved its list into a table: the old selector matches nothing
    (folder / "minhang_mirror.toml").write_text(
        text.replace('item_selector = "li a[href]"', 'item_selector = "table.list td a[href]"'),
        encoding="utf-8",
    )
    done = _check("--base-url", mirror.base_url, "--sources-dir", str(folder))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "2 of 3 list pages parse" in done.stdout
    assert "FAIL no_items" in done.stdout


def test_an_unreachable_site_fails(tmp_path):
    # a port nothing listens on (the mirror's default is 8731; bind and close to get a free one)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = _check("--source", "donghu_mirror", "--base-url", f"http://127.0.0.1:{port}")
    assert done.returncode == 1
    assert "FAIL robots_unavailable" in done.stdout or "FAIL connection" in done.stdout


def test_an_operators_own_folder_is_checked_with_the_bundled_sources(mirror, tmp_path):
    folder = tmp_path / "my-sources"
    folder.mkdir()
    text = (SOURCES_DIR / "heping_mirror.toml").read_text(encoding="utf-8")
    (folder / "my_heping.toml").write_text(
        text.replace('name = "heping_mirror"', 'name = "my_heping"'), encoding="utf-8"
    )
    done = _check("--base-url", mirror.base_url, "--sources", str(folder), "--source", "my_heping")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 of 1 list pages parse" in done.stdout and "my_heping" in done.stdout
    # the same name twice is refused, naming both files
    (folder / "dup.toml").write_text(text, encoding="utf-8")
    done = _check("--base-url", mirror.base_url, "--sources", str(folder))
    assert done.returncode == 2
    said = done.stderr.replace("\n", "")  # rich wraps long lines
    assert "dup.toml" in said and "heping_mirror.toml" in said
