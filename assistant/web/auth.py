"""Who may call the server: API keys for machines, the browser login for people, and a limit on guessing.

One rule for every face: when a login or API keys are configured, /api, /v1, the article viewer and the
Gradio page all need credentials. Accepted: ``Authorization: Bearer <API key>``, HTTP Basic with the
``ASSISTANT_AUTH`` user and password, or the session cookie of a browser that logged in on the page
(whose login takes ``ASSISTANT_AUTH``, or any name with an API key as the password).

Failures are counted per client address, in two counts (``Guard.admit`` applies them to /api, /v1 and the
article viewer alike). Passwords (the page's login, HTTP Basic) are chosen by people and may be weak: past the
limit an address is locked out, its attempts answered 429 unchecked, so a guesser learns nothing until the
failures age out. API keys are long random tokens nobody guesses: a right key always passes, and only wrong
ones get 429 past the limit, because on localhost or behind a proxy every client shares one address and one
client with a stale key must not lock out the rest (nor, with a shared count, the page's login).
"""

from __future__ import annotations

import base64
import hmac
import ipaddress
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..settings import Settings

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


def load_keys(value: str) -> list[str]:
    """``ASSISTANT_API_KEYS``: comma-separated keys, or the path of a file with one key per line (# comments)."""
    value = value.strip()
    if not value:
        return []
    if Path(value).expanduser().is_file() or value.startswith(("/", "~", "./", "../")):
        path = Path(value).expanduser()
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(f"ASSISTANT_API_KEYS: cannot read key file {path} ({exc.strerror or exc}); "
                              "give keys separated by commas or an existing file") from None
        keys = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
        if not keys:
            raise ConfigError(f"ASSISTANT_API_KEYS: no keys in {path} (one key per line)")
    else:
        keys = [k.strip() for k in value.split(",") if k.strip()]
    short = [k for k in keys if len(k) < 8]
    if short:
        raise ConfigError("ASSISTANT_API_KEYS: every key needs at least 8 characters")
    return keys


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


class Guard:
    """Checks credentials; ``sessions`` is set once Gradio is mounted (its login cookies)."""

    def __init__(self, settings: Settings):
        self.keys = load_keys(settings.api_keys)
        self.user, _, self.password = settings.auth.partition(":")
        self.read_only = settings.read_only
        self.limiter = AttemptLimiter(settings.login_attempts, settings.login_window)  # passwords: a lockout
        self.key_limiter = AttemptLimiter(settings.login_attempts, settings.login_window)  # wrong API keys
        self.sessions = None  # gradio's App: .tokens {token: user}, .cookie_id

    @property
    def enabled(self) -> bool:
        return bool(self.keys or self.user)

    def how_to_authenticate(self) -> str:
        """What a 401 asks for: the credentials this server accepts, no more."""
        ways = []
        if self.keys:
            ways.append("Authorization: Bearer <API key> (ASSISTANT_API_KEYS)")
        if self.user:
            ways.append("HTTP Basic with the ASSISTANT_AUTH user and password")
        return "credentials needed: send " + " or ".join(ways)

    def login(self, username: str, password: str) -> bool:
        """The browser login (Gradio calls this)."""
        if self.user and _same(username, self.user) and _same(password, self.password):
            return True
        return any(_same(password, k) for k in self.keys)

    @staticmethod
    def sends_password(headers) -> bool:
        """Does the request log in with a password (HTTP Basic), which the lockout covers, rather than an API key?"""
        scheme, _, value = headers.get("authorization", "").partition(" ")
        return scheme.lower() == "basic" and bool(value.strip())

    def admit(self, headers, cookies, client: str) -> Refusal | None:
        """The rule every guarded route applies (``http.authenticated`` for /api and /v1, the article viewer):
        None lets the request through, else why not. A password (HTTP Basic) shares the page login's count:
        past the limit of failures from ``client`` it is refused with 429 before it is checked, and a wrong one
        counts. A right API key always passes; wrong keys count apart, and past the limit get 429."""
        password = self.sends_password(headers)
        if password and (wait := self.limiter.blocked(client)) > 0:
            return Refusal(429, f"too many failed logins from this address; try again in {wait:.0f} s", wait)
        verdict = self.check(headers, cookies)
        if verdict == "ok":
            return None  # a right password leaves the count: a script's every request would wipe a guesser's
        if verdict == "missing":
            return Refusal(401, self.how_to_authenticate())
        if password:
            self.limiter.failed(client)
            return Refusal(401, "wrong user name or password")
        wait = self.key_limiter.blocked(client)
        if wait > 0:
            return Refusal(429, f"wrong API key, and too many failed attempts from this address; try again in "
                                f"{wait:.0f} s", wait)
        self.key_limiter.failed(client)
        if headers.get("authorization", "").lower().startswith("bearer "):
            return Refusal(401, "wrong API key")
        return Refusal(401, "unreadable Authorization header; " + self.how_to_authenticate())

    def check(self, headers, cookies) -> str:
        """"ok", "missing" (no credentials) or "wrong" (credentials that do not match)."""
        if not self.enabled:
            return "ok"
        header = headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer" and value:
            return "ok" if any(_same(value, k) for k in self.keys) else "wrong"
        if scheme.lower() == "basic" and value:
            try:
                user, _, password = base64.b64decode(value).decode("utf-8").partition(":")
            except ValueError:
                return "wrong"
            return "ok" if self.user and _same(user, self.user) and _same(password, self.password) else "wrong"
        if header:
            return "wrong"
        app = self.sessions
        if app is not None:
            for name in (f"access-token-{app.cookie_id}", f"access-token-unsecure-{app.cookie_id}"):
                token = cookies.get(name)
                if token and token in app.tokens:
                    return "ok"
        return "missing"


@dataclass(frozen=True)
class Refusal:
    """Why ``Guard.admit`` refused a request: 401 or 429 (then ``wait``: seconds until the address may try)."""
    status: int
    detail: str
    wait: float = 0.0

    @property
    def headers(self) -> dict[str, str] | None:
        return {"Retry-After": str(int(self.wait) + 1)} if self.status == 429 else None


class AttemptLimiter:
    """Failures per client address within ``window`` seconds; ``blocked`` says how long an address past
    ``attempts`` must wait. What that means is the caller's: a password is not checked at all (``LoginLimit``,
    ``Guard.admit``), a right API key still passes."""

    def __init__(self, attempts: int, window: float):
        self.attempts, self.window = attempts, window
        self._failures: dict[str, deque] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque:
        failures = self._failures.setdefault(client, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def blocked(self, client: str) -> float:
        """Seconds until this client may try again (0: it may try now)."""
        now = time.monotonic()
        with self._lock:
            failures = self._recent(client, now)
            if len(failures) < self.attempts:
                return 0.0
            return failures[0] + self.window - now

    def failed(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(client, now).append(now)
            if len(self._failures) > 10_000:  # forget quiet clients; memory stays bounded
                for key in [k for k, v in self._failures.items() if not v][:5_000]:
                    del self._failures[key]

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)

    def clear(self) -> None:
        """Forget every address's failures (as a restart would)."""
        with self._lock:
            self._failures.clear()


class LoginLimit:
    """ASGI middleware around Gradio's ``POST /login``, which has no attempt limit of its own: a client
    over the limit gets 429 without its password being checked, right or wrong, until its failures age out
    (else a guesser past the limit would still learn which guess is right); a 400 (wrong password) counts,
    and a right login (200) before the limit clears the address's count."""

    def __init__(self, app, limiter: AttemptLimiter):
        self.app, self.limiter = app, limiter

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].rstrip("/") != "/login":
            return await self.app(scope, receive, send)
        client = (scope.get("client") or ("?", 0))[0]
        wait = self.limiter.blocked(client)
        if wait > 0:
            body = json.dumps({"error": "too_many_attempts",
                               "detail": f"too many failed logins from this address; try again in {wait:.0f} s"})
            await send({"type": "http.response.start", "status": 429,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"retry-after", str(int(wait) + 1).encode())]})
            await send({"type": "http.response.body", "body": body.encode()})
            return
        status = {}

        async def watch(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status.get("code") == 400:
            self.limiter.failed(client)
        elif status.get("code") == 200:
            self.limiter.succeeded(client)
