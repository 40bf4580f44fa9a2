"""A patron's session as a signed cookie, CSRF tokens and order links, and a per-client
rate limiter.

The cookie holds only the cart's id, the CSRF token and a one-shot message, signed with
HMAC-SHA256 under the site's secret: a tampered cookie is dropped (a fresh session), never
trusted. It is HttpOnly, SameSite=Lax, and Secure whenever the request came over HTTPS
(uvicorn with --proxy-headers behind a TLS proxy). Every form carries the session's CSRF
token; a POST without the right one is refused with 403 and changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core import clock

COOKIE = "boxoffice_session"
MAX_AGE = 6 * 3600


def _sign(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


@dataclass
class Session:
    cart_id: int | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    flash: str = ""
    changed: bool = False
    queue_entry: int | None = None        # a place in the on-sale rush's line
    queue_token: str = ""

    def take_flash(self) -> str:
        message, self.flash = self.flash, ""
        if message:
            self.changed = True
        return message

    def say(self, message: str) -> None:
        self.flash, self.changed = message, True

    def use_queue(self, entry_id: int | None, token: str) -> None:
        self.queue_entry, self.queue_token, self.changed = entry_id, token, True

    def use_cart(self, cart_id: int | None) -> None:
        if cart_id != self.cart_id:
            self.cart_id, self.changed = cart_id, True


def load(request: Request, secret: str) -> Session:
    raw = request.cookies.get(COOKIE, "")
    payload_text, _, signature = raw.partition(".")
    try:
        payload = base64.urlsafe_b64decode(payload_text.encode())
        if hmac.compare_digest(_sign(secret, payload), signature):
            data: dict[str, Any] = json.loads(payload)
            if clock.now().timestamp() - float(data.get("at", 0)) < MAX_AGE:
                cart, entry = data.get("cart"), data.get("queue")
                return Session(cart if isinstance(cart, int) else None, str(data["csrf"]),
                               str(data.get("flash", "")),
                               queue_entry=entry if isinstance(entry, int) else None,
                               queue_token=str(data.get("queue_token", "")))
    except (ValueError, KeyError, TypeError):
        pass
    return Session(changed=True)


def save(response: Response, session: Session, secret: str, request: Request) -> Response:
    if session.changed:
        payload = json.dumps({"cart": session.cart_id, "csrf": session.csrf,
                              "flash": session.flash, "queue": session.queue_entry,
                              "queue_token": session.queue_token,
                              "at": int(clock.now().timestamp())}).encode()
        value = base64.urlsafe_b64encode(payload).decode() + "." + _sign(secret, payload)
        response.set_cookie(COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/")
    return response


def csrf_ok(session: Session, submitted: object) -> bool:
    return isinstance(submitted, str) and hmac.compare_digest(session.csrf, submitted)


def order_key(secret: str, number: str) -> str:
    """The key in an order's link: whoever has the link may see the order's tickets."""
    return _sign(secret, f"order:{number}".encode())[:32]


def order_key_ok(secret: str, number: str, key: str) -> bool:
    return hmac.compare_digest(order_key(secret, number), key)


class RateLimiter:
    """At most `limit` actions per client in any `window` seconds (in this process)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str, now: float | None = None) -> bool:
        moment = time.monotonic() if now is None else now
        with self._lock:
            if len(self._seen) > 10_000:      # forget idle clients rather than grow
                self._seen = {k: v for k, v in self._seen.items()
                              if v and moment - v[-1] < self.window}
            times = self._seen.setdefault(client, deque())
            while times and moment - times[0] >= self.window:
                times.popleft()
            if len(times) >= self.limit:
                return False
            times.append(moment)
            return True
