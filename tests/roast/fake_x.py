"""A fake X API on 127.0.0.1 (a real HTTP server in a thread) for the upload and post tests.

It speaks the v2 path-style media endpoints, v1.1 ``/1.1/media/upload.json`` (for tweepy's
fallback) and ``POST /2/tweets``, records every request (path, auth header, chunk sizes,
fields), and can be told to fail: refuse v2, answer 429 once with a reset time, end
processing in ``failed``, refuse chunks over a size, answer 401/403, or stall.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    authorization: str
    fields: dict[str, str]
    chunk_bytes: int | None = None
    json: Any = None

    @property
    def signed(self) -> bool:
        """True when the request carries an OAuth 1.0a HMAC signature header."""
        auth = self.authorization
        return auth.startswith("OAuth ") and all(
            f"{name}=" in auth
            for name in ("oauth_consumer_key", "oauth_token", "oauth_signature", "oauth_nonce")
        )

    @property
    def command(self) -> str:
        """A short name: initialize/append/finalize/status/tweet or a v1.1 command."""
        if self.path == "/2/tweets":
            return "tweet"
        if self.path.startswith("/1.1/"):
            return "v1:" + (self.fields.get("command") or self.query.get("command", "")).lower()
        if self.query.get("command") == "STATUS":
            return "status"
        return self.path.rsplit("/", 1)[-1]


@dataclass
class Scenario:
    """How the fake server behaves; change fields before the request happens."""

    states: list[str] = field(default_factory=lambda: ["in_progress", "succeeded"])
    """Processing states returned by successive STATUS calls (the last one repeats)."""
    fail_message: str = "InvalidMedia: video codec not supported"
    refuse_v2: int | None = None
    """Status for v2 ``initialize`` (e.g. 404) to force the v1.1 fallback."""
    rate_limit: dict[str, float] = field(default_factory=dict)
    """command -> seconds until reset: the first such request gets 429."""
    max_chunk_bytes: int | None = None
    """APPENDs larger than this get 431."""
    status_for: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    """command -> (status, JSON body) answered instead of success."""
    check_after_secs: tuple[int, int] = (1, 2)
    """``check_after_secs`` answered by FINALIZE and by STATUS."""
    stall_s: float = 0.0
    """Sleep this long before answering (timeouts)."""


class FakeX:
    """Start with ``with FakeX() as x:``; ``x.url`` is the base URL, ``x.seen`` the log."""

    def __init__(self) -> None:
        self.scenario = Scenario()
        self.seen: list[Seen] = []
        self._status_calls = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeX:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def commands(self) -> list[str]:
        """The commands received, in order."""
        return [s.command for s in self.seen]

    # -- answers ---------------------------------------------------------------------------
    def answer(self, seen: Seen) -> tuple[int, dict[str, str], Any]:
        with self._lock:
            self.seen.append(seen)
            command = seen.command
            if command in self.scenario.rate_limit:
                reset = time.time() + self.scenario.rate_limit.pop(command)
                headers = {"x-rate-limit-reset": str(int(reset)), "x-rate-limit-remaining": "0"}
                return 429, headers, {"title": "Too Many Requests", "status": 429}
            if command in self.scenario.status_for:
                status, body = self.scenario.status_for[command]
                return status, {}, body
            return self._success(seen, command)

    def _success(self, seen: Seen, command: str) -> tuple[int, dict[str, str], Any]:
        limit = self.scenario.max_chunk_bytes
        if command in ("append", "v1:append") and limit and (seen.chunk_bytes or 0) > limit:
            return 431, {}, {"title": "Request Header Fields Too Large", "status": 431}
        if command == "initialize" and self.scenario.refuse_v2:
            return self.scenario.refuse_v2, {}, {"title": "Not Found", "status": 404}
        if command == "tweet":
            return 201, {}, {"data": {"id": "1900000000000000001", "text": seen.json["text"]}}
        media = {"id": "7100", "media_key": "7_7100", "expires_after_secs": 86400}
        if command in ("initialize", "v1:init"):
            return 200, {}, {"data": media} if command == "initialize" else _v1(media)
        if command in ("append", "v1:append"):
            return 204, {}, None
        info = self._processing_info(command in ("finalize", "v1:finalize"))
        body = {**media, "processing_info": info}
        return 200, {}, {"data": body} if not command.startswith("v1:") else _v1(body)

    def _processing_info(self, first: bool) -> dict[str, Any]:
        if first:
            return {"state": "pending", "check_after_secs": self.scenario.check_after_secs[0]}
        states = self.scenario.states
        state = states[min(self._status_calls, len(states) - 1)]
        self._status_calls += 1
        wait = self.scenario.check_after_secs[1]
        info: dict[str, Any] = {"state": state, "check_after_secs": wait, "progress_percent": 50}
        if state == "failed":
            info["error"] = {
                "code": 1,
                "name": "InvalidMedia",
                "message": self.scenario.fail_message,
            }
        return info


def _v1(media: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in media.items() if k not in ("id", "media_key")}
    return {"media_id": int(media["id"]), "media_id_string": media["id"], **out}


def _handler_for(fake: FakeX) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read ``fake.seen`` instead."""

        def do_GET(self) -> None:
            self._handle(b"")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._handle(self.rfile.read(length))

        def _handle(self, body: bytes) -> None:
            seen = _parse(self.command, self.path, self.headers, body)
            if fake.scenario.stall_s:
                time.sleep(fake.scenario.stall_s)
            status, headers, payload = fake.answer(seen)
            data = b"" if payload is None else json.dumps(payload).encode()
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout tests): nothing to answer

    return Handler


def _parse(method: str, raw_path: str, headers: Any, body: bytes) -> Seen:
    parts = urlsplit(raw_path)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    ctype = headers.get("Content-Type", "")
    fields: dict[str, str] = {}
    chunk = None
    payload = None
    if ctype.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            if name == "media":
                chunk = len(data)
            else:
                fields[str(name)] = data.decode()
    elif ctype.startswith("application/x-www-form-urlencoded"):
        fields = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    elif ctype.startswith("application/json") and body:
        payload = json.loads(body)
    auth = headers.get("Authorization", "")
    return Seen(method, parts.path, query, auth, fields, chunk, payload)
