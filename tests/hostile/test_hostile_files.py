"""Hostile files: each is refused with a named reason while it is read, within a budget.

Real files (Office packages, XML, HTML, PDF, devices, FIFOs) through the real readers:
`read_document` for the in-reader checks, and `safe_reports_from_bytes` (what the nightly
run and `govperf extract` call) for the worker process and its memory and time budget.
Measured figures for each case: benchmarks/hostile_bench.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_files import BILLION_LAUGHS, TITLE, XXE, docx, paragraph, wordml_2003, xlsx

from flows.documents import read_document
from flows.documents.budget import run_within_budget
from flows.documents.model import ExtractError
from flows.reports.extract import safe_reports_from_bytes

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "documents"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile-files")


def refused(data: bytes, name: str, **kw) -> ExtractError:
    with pytest.raises(ExtractError) as info:
        read_document(data, name, **kw)
    assert info.value.name == name
    return info.value


# ── memory: small files that would build huge things ─────────────────────────────────
def test_xlsx_of_a_million_rows_is_refused_while_its_sheet_is_inflated(files: Path) -> None:
    path = xlsx(files / "rows.xlsx", rows=1_000_000, columns=16)
    assert path.stat().st_size < 2_000_000  # about 1 MB on disk
    e = refused(path.read_bytes(), "rows.xlsx")
    assert e.kind == "too_large" and "xl/worksheets/sheet1.xml has over" in e.message


def test_a_normal_xlsx_made_the_same_way_still_reads(files: Path) -> None:
    doc = read_document(xlsx(files / "small.xlsx", rows=20, columns=4).read_bytes(), "small.xlsx")
    assert doc.format == "xlsx" and doc.blocks


def test_docx_of_seventeen_million_empty_paragraphs_is_refused(files: Path) -> None:
    path = docx(files / "paras.docx", paragraph(TITLE), b"<w:p/>" * 1000, 17_500)
    assert path.stat().st_size < 400_000
    e = refused(path.read_bytes(), "paras.docx")
    assert e.kind == "too_large" and "paragraphs" in e.message


def test_a_normal_docx_made_the_same_way_still_reads(files: Path) -> None:
    doc = read_document(
        docx(files / "ok.docx", paragraph(TITLE), paragraph("资金来源：财政拨款。"), 50).read_bytes(),
        "ok.docx",
    )
    assert doc.format == "docx" and TITLE in doc.blocks[0].text  # type: ignore[union-attr]


def test_html_of_50_mb_is_refused_before_it_is_parsed() -> None:
    page = (
        b"<html><body>" + b"<div>x</div>" * 4_300_000 + b"</body></html>"
    )  # 51.6 MB, under the 50 MiB limit
    e = refused(page, "big.html")
    assert e.kind == "too_large" and "HTML page" in e.message


def test_zip_bomb_is_refused_from_its_declared_sizes(files: Path) -> None:
    # 60 MB of zeros in the body: inflates past 20 × the 1 MB limit given here
    bomb = docx(files / "bomb.docx", paragraph(TITLE), b"\0" * 1_000_000, 60)
    assert bomb.stat().st_size < 200_000
    e = refused(bomb.read_bytes(), "bomb.docx", max_bytes=1024 * 1024)
    assert e.kind == "too_large" and "inflates" in e.message


@pytest.mark.parametrize("prolog", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_office_xml_with_entities_is_refused(files: Path, prolog: bytes) -> None:
    body = paragraph("&lol9;" if prolog is BILLION_LAUGHS else "&xxe;")
    for path in (
        docx(files / "entities.docx", body, prolog=prolog),
        xlsx(files / "entities.xlsx", rows=1, columns=1, prolog=prolog),
        wordml_2003(files / "entities.doc", prolog, "&lol9;" if prolog is BILLION_LAUGHS else "&xxe;"),
    ):
        e = refused(path.read_bytes(), path.name)
        assert e.kind == "corrupt" and "DTD" in e.message, (path.name, e)


@pytest.mark.parametrize(("fixture", "kind"), [("encrypted.pdf", "encrypted"), ("truncated.pdf", "corrupt")])
def test_encrypted_and_truncated_pdfs_are_named_and_the_run_goes_on(fixture: str, kind: str) -> None:
    reports, error = safe_reports_from_bytes((FIXTURES / fixture).read_bytes(), name=fixture, sha256="x")
    assert reports == [] and error is not None and error.kind == kind and error.name == fixture


# ── the worker's budget ──────────────────────────────────────────────────────────────
def test_a_reader_that_allocates_too_much_ends_its_worker_not_the_run() -> None:
    with pytest.raises(ExtractError) as info:
        run_within_budget(bytearray, 4 * 1024**3, label="greedy.xlsx", max_memory_bytes=256 * 1024**2)
    assert info.value.kind == "too_large" and info.value.name == "greedy.xlsx"
    assert "memory budget" in info.value.message
    # the next document gets a working worker
    reports, error = safe_reports_from_bytes(
        (FIXTURES / "report.docx").read_bytes(), name="report.docx", sha256="x"
    )
    assert error is None and reports


def test_a_reader_that_takes_too_long_is_stopped_at_its_time_budget() -> None:
    started = time.monotonic()
    with pytest.raises(ExtractError) as info:
        run_within_budget(time.sleep, 60, label="slow.pdf", max_seconds=1.0)
    assert info.value.kind == "too_large" and "1 s budget" in info.value.message
    assert time.monotonic() - started < 30  # the reader was stopped, not waited for


# ── files that are not files ─────────────────────────────────────────────────────────
def govperf_extract(*paths: str | bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", "extract", "--json", *paths],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )


def test_devices_fifos_and_folders_are_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)  # nobody ever writes: reading it would block for ever
    done = govperf_extract("/dev/zero", str(fifo), str(tmp_path))
    lines = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [(o["file"], o["error"]["kind"]) for o in lines] == [
        ("/dev/zero", "unsupported_format"),
        (str(fifo), "unsupported_format"),
        (str(tmp_path), "unsupported_format"),
    ]
    assert "not a regular file" in lines[0]["error"]["message"]
    assert done.returncode == 1


def test_a_file_name_that_is_not_utf8_still_gives_a_valid_json_line(tmp_path: Path) -> None:
    name = "自评报告".encode("gbk") + b".html"
    path = os.path.join(os.fsencode(tmp_path), name)
    page = (
        f'<html><head><meta charset="utf-8"><title>{TITLE}</title></head><body><p>{TITLE}</p></body></html>'
    )
    with open(path, "wb") as f:
        f.write(page.encode("gbk"))
    done = govperf_extract(path)
    text = done.stdout.decode("utf-8")  # strict: the line is valid UTF-8
    line = json.loads(text.splitlines()[0])
    assert line["file"].endswith("\\xd7\\xd4\\xc6\\xc0\\xb1\\xa8\\xb8\\xe6.html")


def test_a_gbk_page_declaring_utf8_is_detected_and_read() -> None:
    page = (
        f'<html><head><meta charset="utf-8"><title>{TITLE}</title></head>'
        f"<body><h1>{TITLE}</h1><p>一、部门基本情况。预算执行率为百分之九十八。</p></body></html>"
    ).encode("gbk")
    for content_type in ("text/html; charset=utf-8", None):
        doc = read_document(page, "gbk.html", content_type)
        assert doc.meta["charset"] == "gb18030" and doc.meta["title"] == TITLE
