"""Redeeming a flex pass online: the storefront's side of `core.sales.flex`.

A patron names their pass by its number or its signed code, with the email or phone the
box office has for them (pass numbers are sequential); the pass's page then carries a
signed link (`flex_key`). Redeeming is `flex.redeem` by the storefront's own account, on
a performance of the pass's series that is sold online now (`check_online`): named
seats, the best seats free, or general-admission places; the admissions count down, at
most the pass's limit at one performance, all or none.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.errors import BoxOfficeError, NotFound
from core.sales.carts import venue_index
from core.sales.flex import FlexError, FlexPass, find_pass, redeem
from core.sales.models import Order
from core.sales.online import web_account
from core.sales.online_renewals import same_contact
from core.sales.online_settings import check_online, online_status
from core.store.db import Database, write
from core.venue.inventory import SeatUnavailable, seat_states, sweep_expired_carts
from core.venue.series import get_package, get_series

MISS = ("no flex pass has that number or code with that email or phone: check both, or "
        "call the box office")


def flex_key(secret: str, pass_id: int) -> str:
    """The key in a pass's link: whoever has it may redeem the pass's admissions."""
    return hmac.new(secret.encode(), f"flex:{pass_id}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def flex_key_ok(secret: str, pass_id: int, key: str) -> bool:
    return hmac.compare_digest(flex_key(secret, pass_id), key)


def find_for_patron(db: Database, text: str, contact: str) -> FlexPass:
    """The pass with this number or code whose holder has this email or phone; the same
    answer for every miss. Raises NotFound `unknown_pass`."""
    try:
        found = find_pass(db, text[:200])
    except (NotFound, FlexError):
        raise NotFound(MISS, code="unknown_pass") from None
    email, phone = db.execute("SELECT coalesce(email, ''), coalesce(phone, '') FROM "
                              "customers WHERE id = ?", [found.customer_id]).fetchone()
    if not same_contact(email, phone, contact):
        raise NotFound(MISS, code="unknown_pass")
    return found


@dataclass(frozen=True)
class PassPerformance:
    performance_id: int
    starts_at: datetime
    why_not: str            # '' when the pass may be used for it online now


@dataclass(frozen=True)
class PassOffer:
    flex: FlexPass
    package_name: str
    series_name: str
    performances: tuple[PassPerformance, ...]     # from now on, in start order


WHY = {"not_on_sale_yet": "not on sale yet", "online_later": "not on sale online yet",
       "not_online": "at the box office only", "performance_cancelled": "cancelled",
       "off_sale": "off sale"}


def pass_offer(db: Database, flex: FlexPass, now: datetime) -> PassOffer:
    """The pass with its series' performances still to come and whether each can be
    chosen online now."""
    series = get_series(db, flex.series_id)
    shows = []
    for performance_id in series.performance_ids:
        starts, status = db.execute("SELECT starts_at, status FROM performances WHERE "
                                    "id = ?", [performance_id]).fetchone()
        starts_at = datetime.fromisoformat(starts)
        if starts_at <= now or status == "cancelled":
            continue
        why = online_status(db, performance_id, now)
        shows.append(PassPerformance(performance_id, starts_at,
                                     WHY.get(why, why.replace("_", " ")) if why else ""))
    return PassOffer(flex, get_package(db, flex.package_id).name, series.name, tuple(shows))


def redeem_online(db: Database, pass_id: int, performance_id: int, now: datetime, *,
                  seat_keys: Sequence[str] = (), best: int = 0, zone: str | None = None,
                  section: str | None = None, area: str | None = None,
                  quantity: int = 0) -> Order:
    """Redeem admissions of a pass online: the seats named (SECTION-ROW-NUMBER), the best
    `best` seats together (in `zone` or `section`), or `quantity` places in the
    general-admission `area`; one write, all or none. Raises OnlineError / NotOnSale
    when the performance is not sold online now, SeatUnavailable `no_block`, and what
    `flex.redeem` raises (`pass_used_up`, `per_performance`, `not_in_series`, ...)."""
    account = web_account(db)
    with write(db):
        check_online(db, performance_id, now)
        if area:
            return redeem(db, account, pass_id, performance_id, area=area,
                          quantity=quantity, now=now)
        if best:
            if not 1 <= best <= 20:
                raise BoxOfficeError("choose 1 to 20 seats", code="bad_quantity")
            sweep_expired_carts(db, now)
            index, seat_ids = venue_index(db, performance_id)
            free = seat_ids - set(seat_states(db, performance_id, now))
            chosen = index.find(free, best, zone=zone or None, section=section or None)
            if chosen is None:
                raise SeatUnavailable(f"there are no {best} seats together free",
                                      code="no_block")
            seat_keys = [row[0] for row in db.execute(
                "SELECT c.code || '-' || s.row_label || '-' || s.number FROM seats s JOIN "
                f"sections c ON c.id = s.section_id WHERE s.id IN "
                f"({','.join('?' * len(chosen))})", list(chosen))]
        if not seat_keys:
            raise BoxOfficeError("choose at least one seat first", code="no_seats")
        if any("," in key for key in seat_keys):
            raise BoxOfficeError("that is not a seat", code="bad_seat")
        return redeem(db, account, pass_id, performance_id, seats=",".join(seat_keys),
                      now=now)
