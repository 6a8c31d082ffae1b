"""Alerts to DingTalk, WeCom, Feishu and e-mail, delivered to local receivers that speak each
service's webhook format and check its signature."""

from __future__ import annotations

import base64
import hmac
import json
import logging
from urllib.parse import unquote_plus

import duckdb
import pytest

from flows.alerts.summary import RunSummary
from flows.notify.channels import ChannelError, parse_channel, parse_channels
from flows.notify.message import run_alert
from flows.notify.run import notify_failure, notify_run
from flows.notify.send import deliver, dingtalk_signed, feishu_sign
from tests.bot_receivers import (
    DINGTALK_TOKEN,
    FEISHU_TOKEN,
    WECOM_KEY,
    BotReceivers,
    SmtpReceiver,
)

SITE = "https://govperf.example.cn/site"
FINDING = "stated 92.77% but 7609.48/7664.88 = 99.28%"
EVIDENCE = "项目支出7664.88万元，执行金额7609.48万元，预算执行率92.77%。"


@pytest.fixture(scope="module")
def summary(seed_home) -> RunSummary:
    """The seed run's new findings, read back from its warehouse as the flow does."""
    with duckdb.connect(str(seed_home / "warehouse.duckdb"), read_only=True) as con:
        cur = con.execute(
            """SELECT severity, "check", district, department, fiscal_year, field, message, evidence,
                      source_url, page_url, report_id
               FROM marts.dq_issues ORDER BY severity, department, "check", field"""
        )
        names = [d[0] for d in cur.description]
        findings = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return RunSummary(run_id="20260630T020000Z-seed01", started="2026-06-30T02:00:00", findings=findings)


@pytest.fixture
def bots():
    with BotReceivers() as bots:
        yield bots


def _seed_000_id(summary: RunSummary) -> str:
    return next(f["report_id"] for f in summary.findings if f["check"] == "rate_matches_amounts")


def test_short_forms_and_bot_urls_name_their_service():
    dt = parse_channel("dingtalk://SECabc@tok123")
    assert (dt.kind, dt.endpoint, dt.secret) == (
        "dingtalk",
        "https://oapi.dingtalk.com/robot/send?access_token=tok123",
        "SECabc",
    )
    assert (
        parse_channel("wecom://Key-AbC").endpoint
        == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=Key-AbC"
    )
    assert parse_channel("wecombot://k").kind == "wecom"
    fs = parse_channel("https://open.feishu.cn/open-apis/bot/v2/hook/abc-DEF?secret=s3")
    assert (fs.kind, fs.endpoint, fs.secret) == (
        "feishu",
        "https://open.feishu.cn/open-apis/bot/v2/hook/abc-DEF",
        "s3",
    )
    assert parse_channel("lark://t").endpoint.startswith("https://open.larksuite.com/")
    mail = parse_channel("mailtos://ops%40x.cn:pw@smtp.x.cn?to=a@x.cn,b@x.cn")
    assert (mail.kind, mail.endpoint, mail.recipients, mail.sender, mail.password) == (
        "email",
        "smtps://smtp.x.cn:465",
        ("a@x.cn", "b@x.cn"),
        "ops@x.cn",
        "pw",
    )
    assert "pw" not in repr(mail) and "tok123" not in dt.label
    for bad in ("slack://x", "https://example.cn/hook", "mailto://smtp.x.cn", "dingtalk://"):
        with pytest.raises(ChannelError):
            parse_channel(bad)
    channels, errors = parse_channels("wecom://k  ftp://nope  feishu://t")
    assert [c.kind for c in channels] == ["wecom", "feishu"] and len(errors) == 1 and "#2" in errors[0]


def test_signatures_match_the_services_published_recipes():
    # DingTalk: base64(HMAC-SHA256(key=secret, "ts\nsecret")), url-encoded; Feishu: key="ts\nsecret", empty message
    url = dingtalk_signed("https://oapi.dingtalk.com/robot/send?access_token=t", "SECx", now_ms=1700000000000)
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign=")
    assert url.endswith("%3D")  # the base64 padding, url-encoded
    sign = url.rsplit("sign=", 1)[1]
    want = base64.b64encode(hmac.digest(b"SECx", b"1700000000000\nSECx", "sha256")).decode()
    assert unquote_plus(sign) == want
    # Feishu signs nothing with the key "timestamp\nsecret" (the key, not the message, carries both)
    assert (
        feishu_sign("s", 1700000000)
        == base64.b64encode(hmac.digest(b"1700000000\ns", b"", "sha256")).decode()
    )
    assert (
        feishu_sign("s", 1700000000)
        != base64.b64encode(hmac.digest(b"s", b"1700000000\ns", "sha256")).decode()
    )


def test_each_bot_receives_the_finding_with_its_evidence_and_site_link(bots, summary):
    results = notify_run(summary, " ".join(bots.urls().values()), site_url=SITE, backoff=0)
    assert list(results.values()) == [None, None, None], results
    assert bots.received.refused == []
    link = f"{SITE}/quality.html#report-{_seed_000_id(summary)}"
    [dt] = bots.received.dingtalk
    text = dt["markdown"]["text"]
    assert "`rate_matches_amounts`" in text
    assert FINDING in text and EVIDENCE in text and "浦锦街道社区事务受理服务中心" in text and link in text
    [wc] = bots.received.wecom
    assert FINDING in wc["markdown"]["content"] and link in wc["markdown"]["content"]
    [fs] = bots.received.feishu
    post = fs["content"]["post"]["zh_cn"]
    flat = json.dumps(post, ensure_ascii=False)
    assert FINDING in flat and f"“{EVIDENCE}”" in flat
    assert {"tag": "a", "text": "report site", "href": link} in [el for row in post["content"] for el in row]


def test_a_wrong_secret_is_refused_by_the_bot_and_logged_never_fatal(summary, caplog):
    with BotReceivers(dingtalk_secret="SECthe-real-one", feishu_secret="the-real-one") as bots:
        urls = bots.urls()
        with caplog.at_level(logging.ERROR):
            results = notify_run(
                summary, [urls["dingtalk"], urls["wecom"], urls["feishu"]], site_url=SITE, backoff=0
            )
    reasons = list(results.values())
    assert "sign not match" in reasons[0] and reasons[1] is None and "19021" in reasons[2]
    assert len(bots.received.wecom) == 1  # the other channels still got it
    assert "sign not match" in caplog.text


def test_a_long_run_fits_wecoms_4096_byte_limit(bots, summary):
    many = RunSummary(
        run_id="r", started="s", findings=[{**summary.findings[0], "evidence": "很长的句子" * 400}] * 9
    )
    assert deliver(parse_channel(bots.urls()["wecom"]), run_alert(many, "error"), backoff=0) is None
    assert len(bots.received.wecom[0]["markdown"]["content"].encode()) <= 4096


def test_document_text_cannot_inject_markup_or_links(bots, summary):
    evil = {
        **summary.findings[0],
        "message": "[点此](http://evil.example/x) **紧急** <font color=red>x</font>",
    }
    alert = run_alert(RunSummary(run_id="r", started="s", findings=[evil]), "error", site_url=SITE)
    assert deliver(parse_channel(bots.urls()["dingtalk"]), alert, backoff=0) is None
    text = bots.received.dingtalk[0]["markdown"]["text"]
    assert "](http://evil.example/x)" not in text and "［点此］（http://evil.example/x）" in text
    assert "<font" not in text and "＊＊紧急＊＊" in text


def test_email_reaches_a_local_smtp_server(summary):
    with SmtpReceiver() as smtp:
        url = f"mailto://127.0.0.1:{smtp.port}?to=ops@example.cn,analyst@example.cn&from=govperf@example.cn"
        results = notify_run(summary, url, site_url=SITE)
    assert list(results.values()) == [None]
    [(rcpt, msg)] = smtp.messages
    assert rcpt == ["ops@example.cn", "analyst@example.cn"]
    assert msg["From"] == "govperf@example.cn" and "new error(s)" in msg["Subject"]
    body = msg.get_content()
    assert (
        FINDING in body and EVIDENCE in body and f"{SITE}/quality.html#report-{_seed_000_id(summary)}" in body
    )


def test_a_quiet_run_sends_nothing_and_a_failed_run_does(bots):
    quiet = RunSummary(run_id="r", started="s")
    assert notify_run(quiet, bots.urls()["wecom"]) == {}
    results = notify_failure(bots.urls()["wecom"], "nightly-fox", "Failed: warehouse busy", site_url=SITE)
    assert list(results.values()) == [None]
    content = bots.received.wecom[0]["markdown"]["content"]
    assert "nightly-fox failed" in content and "warehouse busy" in content


def test_a_bot_that_is_down_is_logged_after_retries(summary, caplog):
    with BotReceivers() as bots:
        url = bots.urls()["wecom"]
    with caplog.at_level(logging.ERROR):
        results = notify_run(summary, url, backoff=0, attempts=2, timeout=2)
    [reason] = results.values()
    assert "ConnectError" in reason and "alert not delivered" in caplog.text


def test_tokens_are_real_in_the_receivers():
    # the receivers refuse a wrong token: the tests above passed because the URLs were right
    with BotReceivers() as bots:
        wrong = bots.urls()["wecom"].replace(WECOM_KEY, "nope")
        reason = deliver(
            parse_channel(wrong), run_alert(RunSummary(run_id="r", started="s"), "error"), backoff=0
        )
        assert "93000" in reason
    assert DINGTALK_TOKEN and FEISHU_TOKEN


def test_a_failed_nightly_run_tells_the_channels(prefect_harness, tmp_path):
    # the real flow, failing at its first step (an unknown source): its on_failure hook alerts
    from flows.nightly import nightly

    with BotReceivers() as bots, pytest.MonkeyPatch.context() as mp:
        mp.setenv("GOVPERF_ALERT_URLS", bots.urls()["wecom"])
        with pytest.raises(ValueError, match="unknown source"):
            nightly(sources=["no_such_source"], home=str(tmp_path))
    [message] = bots.received.wecom
    content = message["markdown"]["content"]
    assert "failed" in content and "unknown source" in content and "no_such_source" in content
