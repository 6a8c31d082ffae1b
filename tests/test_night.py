"""The night's plain steps at scale: sources in batches, documents read as they arrive on every
core, the check and the load streamed from the batches' files. Against the demo mirror."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from flows.cli import MIRROR_SOURCES
from flows.crawl.archive import RawArchive
from flows.crawl.run import crawl_source
from flows.mirror.server import MirrorServer, serve_mirror
from flows.night.batches import collect_batch, plan_batches
from flows.night.finish import check_and_load
from flows.reports.stream import DocumentStream
from flows.sources.model import Source, select_sources
from tests.warehouse_rows import warehouse_rows


def _source(name: str, base: str) -> Source:
    return Source.model_validate(
        {
            "name": name,
            "title": name,
            "region": {"province": "上海市", "city": "上海市", "district": "闵行区"},
            "base_url": base,
            "list_pages": ["/index.html"],
        }
    )


def test_batches_keep_a_hosts_sources_together_and_are_even():
    sources = [
        *(_source(f"a{i}", "http://a.gov.cn") for i in range(5)),
        *(_source(f"b{i}", "http://b.gov.cn") for i in range(3)),
        *(_source(f"c{i}", f"http://c{i}.gov.cn") for i in range(4)),
    ]
    batches = plan_batches(sources, 3)
    assert len(batches) == 3 and sorted(len(b) for b in batches) == [3, 4, 5]
    for host in ("a.gov.cn", "b.gov.cn"):
        assert sum(any(host in s.base_url for s in b) for b in batches) == 1  # one batch per host
    assert sorted(s.name for b in batches for s in b) == sorted(s.name for s in sources)
    assert plan_batches(sources, 3) == batches  # the same plan every night
    assert len(plan_batches(sources, 100)) == 6  # never more batches than hosts
    assert plan_batches([], 2) == []


@pytest.fixture(scope="module")
def mirror(warm_ocr_cache: None):
    with serve_mirror() as m:
        yield m


@pytest.mark.integration
def test_a_night_gives_the_same_rows_in_chunks_of_one_and_on_one_reader(mirror: MirrorServer, tmp_path):
    sources = select_sources(MIRROR_SOURCES, mirror.base_url)
    raw, cache = tmp_path / "raw", tmp_path / "cache"
    started = dt.datetime(2026, 12, 1, 2, 0)
    homes = {}
    for label, workers, chunk in (("one reader, whole", 1, 100_000), ("two readers, chunks of one", 2, 1)):
        home = tmp_path / label.replace(" ", "_").replace(",", "")
        run_dir = home / "runs" / "r1"
        refs = [
            collect_batch(
                b, i, run_dir, raw, cache, home / "warehouse.duckdb", workers=workers, full_refresh=True
            )
            for i, b in enumerate(plan_batches(sources, 2))
        ]
        done = check_and_load(refs, "r1", started, home / "warehouse.duckdb", home / "docs", raw, chunk=chunk)
        assert done.stats.reports_new > 5 and done.engine == "gx"
        homes[label] = home
    first, second = (warehouse_rows(h / "warehouse.duckdb") for h in homes.values())
    assert first["core.dq_findings"] and first == second


@pytest.mark.integration
def test_documents_are_read_while_the_crawl_goes_on(mirror: MirrorServer, tmp_path):
    (source,) = select_sources(["minhang_mirror"], mirror.base_url)
    # one detail page at a time: the pages after the first are fetched after it is handed over
    source = source.model_copy(update={"politeness": source.politeness.model_copy(update={"concurrency": 1})})
    archive = RawArchive(tmp_path / "raw")
    stream = DocumentStream(archive, tmp_path / "records.pkl", workers=2)
    handed: list[float] = []

    def on_document(doc) -> None:
        handed.append(time.monotonic())
        stream.add(doc)

    outcome = crawl_source(source, archive, full_refresh=True, on_document=on_document)
    spilled = stream.finish()
    fetches = sorted(
        dt.datetime.fromisoformat(e["fetched_at"]).replace(tzinfo=None)
        for e in archive.read_log()
        if e.get("status") == 200
    )
    assert len(outcome.documents) == spilled.documents >= 5 and spilled.records >= 4
    # the first document went to a reader before the last body had arrived, not after the crawl
    assert handed and len(handed) == spilled.documents
    first_handed_at = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(
        seconds=time.monotonic() - handed[0]
    )
    assert first_handed_at < fetches[-1]
