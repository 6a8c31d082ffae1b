"""Alert destinations, each configured by one URL.

Apprise-style short forms, or the webhook URL a group bot's settings page shows:

    dingtalk://[SECRET@]ACCESS_TOKEN          https://oapi.dingtalk.com/robot/send?access_token=…[&secret=SEC…]
    wecom://KEY   (or wecombot://KEY)         https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…
    feishu://[SECRET@]TOKEN, lark://…         https://open.feishu.cn/open-apis/bot/v2/hook/TOKEN[?secret=…]
    mailto://[USER:PASSWORD@]HOST[:PORT]?to=a@x.cn,b@y.cn[&from=govperf@x.cn][&starttls=yes]
    mailtos://…                               the same over SMTPS (TLS from the start, port 465)

A full URL is recognised by its path, whatever its host, so a bot behind a company proxy (or a
local receiver in the tests) is reached the same way. The bot's signing secret (加签) is taken
out of the URL before it is used and never sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

Kind = Literal["dingtalk", "wecom", "feishu", "email"]

# the short forms' endpoints: each service's public bot API
SHORT_FORMS: dict[str, tuple[Kind, str]] = {
    "dingtalk": ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token={token}"),
    "wecom": ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={token}"),
    "wecombot": ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={token}"),
    "feishu": ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/{token}"),
    "lark": ("feishu", "https://open.larksuite.com/open-apis/bot/v2/hook/{token}"),
}
# a full URL's service, told by its path
PATHS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    ("dingtalk", re.compile(r"/robot/send/?$")),
    ("wecom", re.compile(r"/cgi-bin/webhook/send/?$")),
    ("feishu", re.compile(r"/open-apis/bot/v2/hook/[^/]+/?$")),
)


class ChannelError(ValueError):
    """An alert URL that names no service this can send to, or lacks what the service needs."""


@dataclass(frozen=True, slots=True)
class Channel:
    kind: Kind
    endpoint: str  # the URL messages are sent to (SMTP: smtp[s]://host:port)
    secret: str | None = None  # DingTalk/Feishu signing secret
    # e-mail only
    recipients: tuple[str, ...] = ()
    sender: str = ""
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False

    @property
    def label(self) -> str:
        """Where it goes, with no token, key or password in it (for logs)."""
        if self.kind == "email":
            return f"email to {', '.join(self.recipients)} via {self.endpoint}"
        parts = urlsplit(self.endpoint)
        return f"{self.kind} bot at {parts.netloc}"


def _without(query: str, name: str) -> tuple[str, str | None]:
    pairs = parse_qsl(query, keep_blank_values=True)
    value = next((v for k, v in pairs if k == name), None)
    return urlencode([(k, v) for k, v in pairs if k != name]), value


def parse_channel(url: str) -> Channel:
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError as e:
        raise ChannelError(f"alert URL is not a URL: {e}") from e
    scheme = parts.scheme.lower()
    if scheme in SHORT_FORMS:
        kind, template = SHORT_FORMS[scheme]
        # the token is case-sensitive: read it from the raw netloc, not the lower-cased hostname
        token = unquote(parts.netloc.rsplit("@", 1)[-1]) + parts.path.rstrip("/")
        secret = unquote(parts.username) if parts.username else None
        q_secret = dict(parse_qsl(parts.query)).get("secret")
        if not token.strip("/"):
            raise ChannelError(f"{scheme}:// needs the bot's token: {scheme}://[SECRET@]TOKEN")
        return Channel(kind, template.format(token=quote(token.strip("/"), safe="")), secret or q_secret)
    if scheme in ("mailto", "mailtos"):
        return _email(parts, ssl=scheme == "mailtos")
    if scheme in ("http", "https"):
        for kind, path in PATHS:
            if path.search(parts.path):
                query, secret = _without(parts.query, "secret")
                return Channel(kind, urlunsplit((parts.scheme, parts.netloc, parts.path, query, "")), secret)
        raise ChannelError(
            f"{parts.netloc}{parts.path}: not a DingTalk, WeCom or Feishu bot URL "
            "(a plain JSON webhook goes in GOVPERF_ALERT_WEBHOOK)"
        )
    raise ChannelError(
        f"alert URL scheme {scheme or '(none)'!r}: use dingtalk, wecom, feishu, mailto or https"
    )


def _email(parts, *, ssl: bool) -> Channel:
    query = dict(parse_qsl(parts.query))
    recipients = tuple(a.strip() for a in query.get("to", "").split(",") if a.strip())
    if not parts.hostname:
        raise ChannelError("mailto:// needs the SMTP server: mailto://[USER:PASSWORD@]HOST[:PORT]?to=…")
    if not recipients:
        raise ChannelError(f"mailto://{parts.hostname}: no recipient (add ?to=someone@example.cn)")
    port = parts.port or (465 if ssl else 25)
    sender = query.get("from") or (
        f"{unquote(parts.username)}@{parts.hostname}"
        if parts.username and "@" not in unquote(parts.username)
        else unquote(parts.username or "") or f"govperf@{parts.hostname}"
    )
    return Channel(
        "email",
        f"{'smtps' if ssl else 'smtp'}://{parts.hostname}:{port}",
        recipients=recipients,
        sender=sender,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        starttls=not ssl and (query.get("starttls", "").lower() in ("1", "yes", "true") or port == 587),
    )


def parse_channels(urls: str | list[str] | None) -> tuple[list[Channel], list[str]]:
    """The channels in a whitespace-separated list of URLs, and an error line for each URL that
    is not one (a bad URL is reported, the others still get the alert)."""
    if not urls:
        return [], []
    items = urls.split() if isinstance(urls, str) else urls
    channels, errors = [], []
    for n, u in enumerate(items, 1):
        try:
            channels.append(parse_channel(u))
        except ChannelError as e:
            errors.append(f"alert URL #{n}: {e}")
    return channels, errors
