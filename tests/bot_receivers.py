"""Local stand-ins for the DingTalk, WeCom and Feishu group-bot webhooks and an SMTP server.

Each bot endpoint checks what the real service checks before it accepts a message: its path and
token, the message type and fields, the size limit, and the signature (加签) when the bot has a
secret; it answers as the service does (HTTP 200 with an error code in the body on refusal).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DINGTALK_TOKEN, DINGTALK_SECRET = "dt-token-1", "SECdt-secret-1"
WECOM_KEY = "wecom-key-1"
FEISHU_TOKEN, FEISHU_SECRET = "fs-hook-1", "fs-secret-1"


@dataclass
class Received:
    dingtalk: list[dict] = field(default_factory=list)
    wecom: list[dict] = field(default_factory=list)
    feishu: list[dict] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


class BotReceivers(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, *, dingtalk_secret: str | None = DINGTALK_SECRET, feishu_secret: str | None = FEISHU_SECRET
    ):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received = Received()
        self.dingtalk_secret, self.feishu_secret = dingtalk_secret, feishu_secret
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def urls(self) -> dict[str, str]:
        """The bots' webhook URLs as their settings pages show them, at this server."""
        return {
            "dingtalk": f"{self.base}/robot/send?access_token={DINGTALK_TOKEN}&secret={DINGTALK_SECRET}",
            "wecom": f"{self.base}/cgi-bin/webhook/send?key={WECOM_KEY}",
            "feishu": f"{self.base}/open-apis/bot/v2/hook/{FEISHU_TOKEN}?secret={FEISHU_SECRET}",
        }

    def __enter__(self) -> BotReceivers:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


def _dingtalk_sign(ts: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _feishu_sign(ts: str, secret: str) -> str:
    return base64.b64encode(hmac.new(f"{ts}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()


class _Handler(BaseHTTPRequestHandler):
    server: BotReceivers

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            return self._answer({"errcode": 40001, "errmsg": "invalid json"})
        if parts.path == "/robot/send":
            return self._answer(self._dingtalk(query, body))
        if parts.path == "/cgi-bin/webhook/send":
            return self._answer(self._wecom(query, body))
        if parts.path.startswith("/open-apis/bot/v2/hook/"):
            return self._answer(self._feishu(parts.path.rsplit("/", 1)[-1], body))
        self.send_error(404)

    def _refuse(self, service: str, answer: dict) -> dict:
        self.server.received.refused.append(f"{service}: {answer}")
        return answer

    def _dingtalk(self, query: dict, body: dict) -> dict:
        if query.get("access_token") != DINGTALK_TOKEN:
            return self._refuse("dingtalk", {"errcode": 300001, "errmsg": "token is not exist"})
        if "secret" in query:
            return self._refuse("dingtalk", {"errcode": 300005, "errmsg": "unexpected parameter secret"})
        secret = self.server.dingtalk_secret
        if secret:
            ts = query.get("timestamp", "")
            if not ts.isdigit() or abs(int(ts) - time.time() * 1000) > 3_600_000:
                return self._refuse("dingtalk", {"errcode": 310000, "errmsg": "invalid timestamp"})
            if query.get("sign") != _dingtalk_sign(ts, secret):  # parse_qs has url-decoded it
                return self._refuse("dingtalk", {"errcode": 310000, "errmsg": "sign not match"})
        md = body.get("markdown") or {}
        if body.get("msgtype") != "markdown" or not md.get("title") or not md.get("text"):
            return self._refuse("dingtalk", {"errcode": 40035, "errmsg": "missing markdown title or text"})
        self.server.received.dingtalk.append(body)
        return {"errcode": 0, "errmsg": "ok"}

    def _wecom(self, query: dict, body: dict) -> dict:
        if query.get("key") != WECOM_KEY:
            return self._refuse("wecom", {"errcode": 93000, "errmsg": "invalid webhook url"})
        content = (body.get("markdown") or {}).get("content")
        if body.get("msgtype") != "markdown" or not content:
            return self._refuse("wecom", {"errcode": 40008, "errmsg": "invalid message type"})
        if len(content.encode("utf-8")) > 4096:
            return self._refuse(
                "wecom", {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
            )
        self.server.received.wecom.append(body)
        return {"errcode": 0, "errmsg": "ok"}

    def _feishu(self, token: str, body: dict) -> dict:
        if token != FEISHU_TOKEN:
            return self._refuse(
                "feishu", {"code": 19001, "msg": "param invalid: incoming webhook access token invalid"}
            )
        secret = self.server.feishu_secret
        if secret:
            ts = str(body.get("timestamp", ""))
            if (
                not ts.isdigit()
                or abs(int(ts) - time.time()) > 3600
                or body.get("sign") != _feishu_sign(ts, secret)
            ):
                return self._refuse(
                    "feishu",
                    {
                        "code": 19021,
                        "msg": "sign match fail or timestamp is not within one hour from current time",
                    },
                )
        post = ((body.get("content") or {}).get("post") or {}).get("zh_cn") or {}
        if (
            body.get("msg_type") != "post"
            or not post.get("title")
            or not isinstance(post.get("content"), list)
        ):
            return self._refuse("feishu", {"code": 9499, "msg": "Bad Request"})
        for row in post["content"]:
            for el in row:
                if el.get("tag") not in ("text", "a", "at", "img") or (
                    el["tag"] == "a" and not el.get("href")
                ):
                    return self._refuse("feishu", {"code": 9499, "msg": f"bad element {el}"})
        self.server.received.feishu.append(body)
        return {"code": 0, "msg": "success", "data": {}}

    def _answer(self, data: dict) -> None:
        raw = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format: str, *args) -> None:  # quiet test output
        pass


class SmtpReceiver:
    """aiosmtpd on a free loopback port, keeping every message it is handed."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                from email import message_from_bytes, policy

                outer.messages.append(
                    (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
                )
                return "250 OK"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=_free_port())

    @property
    def port(self) -> int:
        return self._controller.port

    def __enter__(self) -> SmtpReceiver:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
