"""Selling to the public online: a patron's cart under the storefront's rules.

A web cart is an ordinary cart owned by the storefront's own account (`web`, see
migration 0014), so its seats are claimed, locked and released exactly like a window's:
a seat can never be in a web cart and a window's cart at once. What differs is the rules
a patron is held to, all from `[web]`: the hold time and how many times it may be
extended, the per-order ticket limit, the price types sold online (never a comp).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.config import WebConfig
from core.errors import BoxOfficeError, NotFound
from core.people.models import User
from core.people.permissions import authorize
from core.sales import carts
from core.sales.carts import CartError
from core.sales.models import CartView
from core.sales.online_settings import check_online, online_settings
from core.sales.package_seats import remove_package_seat
from core.store.db import Database, write
from core.times import stamp
from core.venue.inventory import SeatUnavailable
from core.venue.pricing import PriceGrid

STATION = "web"
ACCOUNT = "web"


class OnlineError(BoxOfficeError):
    code = "online"


@dataclass(frozen=True)
class OnlineRules:
    """What `[web]` allows a patron."""

    hold: timedelta
    extensions: int
    max_tickets: int
    price_types: tuple[str, ...]        # () = every standard type (no comp, no group rate)

    @classmethod
    def from_config(cls, web: WebConfig) -> OnlineRules:
        return cls(timedelta(minutes=web.hold_minutes), web.hold_extensions,
                   web.max_tickets, tuple(code.upper() for code in web.price_types))


def web_account(db: Database) -> User:
    """The storefront's own account: a seller nobody signs in as (made on first use, so a
    database that never sells online, or a gate pack, has none). Raises NotFound
    `web_account_taken` when a person's account already has the name `web`."""
    query = "SELECT id, username, display_name, role, locked, system FROM users WHERE " \
            "username = ?"
    row = db.execute(query, [ACCOUNT]).fetchone()
    if row is None:
        with write(db):
            db.execute("INSERT INTO users (username, display_name, role, pin_hash, system) "
                       "VALUES (?, 'Web storefront', 'seller', '!no sign-in', 1) "
                       "ON CONFLICT (username) DO NOTHING", [ACCOUNT])
            row = db.execute(query, [ACCOUNT]).fetchone()
    if not row[5]:
        raise NotFound("a person's user is named 'web': rename it so the storefront can "
                       "have its own account", code="web_account_taken")
    return User(row[0], row[1], row[2], row[3], bool(row[4]))


def site_secret(db: Database) -> str:
    """The key that signs the storefront's sessions and order links when `[web] secret`
    is not set: made once, kept in the database, the same for every worker."""
    with write(db):
        row = db.execute("SELECT value FROM settings WHERE key = 'web_secret'").fetchone()
        if row is not None:
            return str(row[0])
        value = secrets.token_hex(32)
        db.execute("INSERT INTO settings (key, value) VALUES ('web_secret', ?)", [value])
        return value


def online_price_types(db: Database, rules: OnlineRules, grid: PriceGrid
                       ) -> tuple[tuple[str, str], ...]:
    """The price types (code, name) a patron may pick for this performance: those with a
    price in the grid, allowed by the performance's online settings or else `[web]
    price_types`; never a comp, and a group rate only when named (a group is sold by a
    coordinator)."""
    named = online_settings(db, grid.performance_id).price_types or rules.price_types
    comps = {row[0] for row in db.execute("SELECT code FROM price_types WHERE kind = 'comp' "
                                          "OR (kind = 'group' AND ? = 0)", [len(named)])}
    return tuple((code, name) for code, name in grid.price_types
                 if code not in comps and (not named or code in named)
                 and any(grid.get(zone, code) for zone, _ in grid.zones))


def _default_type(db: Database, rules: OnlineRules, performance_id: int) -> str:
    from core.venue.pricing import price_grid

    allowed = online_price_types(db, rules, price_grid(db, performance_id))
    if not allowed:
        raise OnlineError("this performance is not sold online", code="not_online")
    return allowed[0][0]


def live_cart(db: Database, cart_id: int | None, now: datetime) -> int | None:
    """The patron's cart if it is still open and its hold has not run out, else None."""
    if cart_id is None:
        return None
    try:
        carts.require_open(db, cart_id, now)
    except (CartError, NotFound):
        return None
    owner = db.execute("SELECT u.username FROM carts c JOIN users u ON u.id = c.user_id "
                       "WHERE c.id = ?", [cart_id]).fetchone()
    return cart_id if owner is not None and owner[0] == ACCOUNT else None


def _cart_for(db: Database, cart_id: int | None, rules: OnlineRules, now: datetime
              ) -> int:
    return live_cart(db, cart_id, now) or carts.open_cart(db, web_account(db), STATION, now,
                                                          rules.hold)


def _room(db: Database, cart_id: int, rules: OnlineRules, adding: int,
          performance_id: int) -> None:
    if adding < 1:
        raise OnlineError("choose at least one ticket", code="bad_quantity")
    limit = online_settings(db, performance_id).max_tickets or rules.max_tickets
    held = carts.view_cart(db, cart_id).ticket_count
    if held + adding > limit:
        raise OnlineError(f"one order can have at most {limit} tickets "
                          f"(you have {held})", code="too_many_tickets")


def _start(db: Database, cart_id: int | None, performance_id: int, rules: OnlineRules,
           adding: int, now: datetime) -> int:
    """The cart to add to, once the performance may be bought online now and the tickets
    fit the order's limit."""
    if adding < 1:
        raise OnlineError("choose at least one ticket", code="bad_quantity")
    check_online(db, performance_id, now)
    cart_id = _cart_for(db, cart_id, rules, now)
    _room(db, cart_id, rules, adding, performance_id)
    return cart_id


def _charge_fee(db: Database, cart_id: int, performance_id: int) -> None:
    fee = online_settings(db, performance_id).fee_cents
    if fee:
        db.execute("UPDATE cart_items SET online_fee_cents = ? WHERE cart_id = ? AND "
                   "performance_id = ?", [fee, cart_id, performance_id])


def add_seats(db: Database, cart_id: int | None, performance_id: int,
              seat_ids: Sequence[int], rules: OnlineRules, now: datetime) -> int:
    """Put chosen seats in the patron's cart (opening one if needed), all or none; returns
    the cart. Raises SeatUnavailable `just_taken` when one was taken since the page was
    drawn, OnlineError `too_many_tickets`, and the refusals of carts.add_seats."""
    try:
        with write(db):      # one transaction: a refusal leaves no new cart behind
            cart_id = _start(db, cart_id, performance_id, rules, len(seat_ids), now)
            carts.add_seats(db, web_account(db), cart_id, performance_id, seat_ids,
                            _default_type(db, rules, performance_id), now, rules.hold)
            _charge_fee(db, cart_id, performance_id)
    except SeatUnavailable as taken:
        raise SeatUnavailable("a seat you chose was just taken: pick another",
                              code="just_taken") from taken
    return cart_id


def add_best(db: Database, cart_id: int | None, performance_id: int, quantity: int,
             zone: str | None, rules: OnlineRules, now: datetime, *,
             section: str | None = None) -> int:
    """The best `quantity` seats together (the window's best available), in `zone` or
    `section` if given; returns the cart. Raises SeatUnavailable `no_block`,
    OnlineError."""
    with write(db):
        cart_id = _start(db, cart_id, performance_id, rules, quantity, now)
        carts.add_best_available(db, web_account(db), cart_id, performance_id, quantity,
                                 _default_type(db, rules, performance_id), now, rules.hold,
                                 zone=zone or None, section=section or None)
        _charge_fee(db, cart_id, performance_id)
    return cart_id


def add_places(db: Database, cart_id: int | None, performance_id: int, area: str,
               quantity: int, rules: OnlineRules, now: datetime) -> int:
    """General-admission places in `area`; returns the cart."""
    with write(db):
        cart_id = _start(db, cart_id, performance_id, rules, quantity, now)
        carts.add_area_places(db, web_account(db), cart_id, performance_id, area, quantity,
                              _default_type(db, rules, performance_id), now, rules.hold)
        _charge_fee(db, cart_id, performance_id)
    return cart_id


def set_price_type(db: Database, cart_id: int, item_id: int, price_type: str,
                   rules: OnlineRules, now: datetime) -> CartView:
    """Change one ticket's price type to one sold online. Raises OnlineError
    `not_online_type` for a type the coordinator does not sell online (a comp, say)."""
    cart = carts.view_cart(db, cart_id)
    line = next((line for line in cart.lines if line.item_id == item_id), None)
    if line is None:
        raise NotFound("that ticket is not in your cart", code="unknown_item")
    _not_a_package(line.package_id)
    from core.venue.pricing import price_grid

    allowed = {code for code, _ in online_price_types(
        db, rules, price_grid(db, line.performance_id))}
    if price_type.upper() not in allowed:
        raise OnlineError(f"'{price_type}' is not a price sold online", code="not_online_type")
    return carts.set_price_type(db, web_account(db), cart_id, item_id, price_type, now)


def _not_a_package(package_id: int | None) -> None:
    if package_id is not None:
        raise OnlineError("a season package keeps the price type it was added with: "
                          "remove it and add it again to choose another",
                          code="package_line")


def remove(db: Database, cart_id: int, item_id: int, now: datetime) -> CartView:
    """Take one line out of the patron's cart; a season package's seat leaves at every
    performance together (core.sales.package_seats.remove_package_seat)."""
    line = next((line for line in carts.view_cart(db, cart_id).lines
                 if line.item_id == item_id), None)
    if line is not None and line.package_id is not None and line.row is not None \
            and line.number is not None:
        return remove_package_seat(db, web_account(db), cart_id, line.section, line.row,
                                   line.number, now)
    return carts.remove_item(db, web_account(db), cart_id, item_id, now)


def empty(db: Database, cart_id: int, now: datetime) -> None:
    carts.cancel_cart(db, web_account(db), cart_id, now)


def extensions_left(db: Database, cart_id: int, rules: OnlineRules) -> int:
    row = db.execute("SELECT extensions FROM web_carts WHERE cart_id = ?",
                     [cart_id]).fetchone()
    return max(0, rules.extensions - (row[0] if row else 0))


def extend(db: Database, cart_id: int, rules: OnlineRules, now: datetime) -> datetime:
    """More time for the patron's seats: the full hold again from now, at most
    `[web] hold_extensions` times. Returns when the hold ends. Raises OnlineError
    `no_more_time` (nothing changes), CartError `cart_expired`."""
    with write(db):
        if extensions_left(db, cart_id, rules) <= 0:
            raise OnlineError("your seats cannot be held any longer: complete your order "
                              "now or start again", code="no_more_time")
        until = carts.extend_hold(db, web_account(db), cart_id, now, rules.hold,
                                  not_past=now + rules.hold)
        db.execute("INSERT INTO web_carts (cart_id, extensions) VALUES (?, 1) ON CONFLICT "
                   "(cart_id) DO UPDATE SET extensions = web_carts.extensions + 1", [cart_id])
        return until


@dataclass(frozen=True)
class Message:
    id: int
    order_number: str
    kind: str
    recipient: str
    status: str
    error: str
    at: datetime


def record_message(db: Database, order_id: int, kind: str, recipient: str, *,
                   error: str = "", now: datetime) -> None:
    """Log an email to a patron: sent, or failed with why (never raises for the order)."""
    with write(db):
        db.execute("INSERT INTO web_messages (order_id, kind, recipient, status, error, at) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   [order_id, kind, recipient, "failed" if error else "sent", error or None,
                    stamp(now)])


def messages(db: Database, actor: User, *, failed_only: bool = False,
             limit: int = 200) -> list[Message]:
    """The storefront's emails, newest first: what a coordinator checks when a patron says
    no confirmation came. Needs `report_access`."""
    authorize(db, actor, "report_access")
    where = "WHERE m.status = 'failed' " if failed_only else ""
    return [Message(r[0], r[1], r[2], r[3], r[4], r[5] or "", datetime.fromisoformat(r[6]))
            for r in db.execute(
                "SELECT m.id, o.number, m.kind, m.recipient, m.status, m.error, m.at FROM "
                f"web_messages m JOIN orders o ON o.id = m.order_id {where}"
                "ORDER BY m.id DESC LIMIT ?", [limit])]
