"""Renewals: a series rolled forward to the next season, its subscribers' seats held for
them until a deadline, renewed at the window in one step, the unrenewed released.

`roll_forward` makes the next season's series with the same packages and prices (a
coordinator may change them after) and, for every subscription still live on a fixed
package, a renewal: the same seat held at every new performance under a hold code of its
own (`RN<renewal>`, also the renewal code on the letter). A seat that is not free at
every new performance (killed, sold, missing from a venue) is recorded as `unseated`
and held nowhere. `renew` turns the held seats into the new season's subscription in one
transaction (the cart, the checkout and the subscription as `sell_subscription` does);
`release_unrenewed` puts back on sale the seats of every renewal past its deadline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.config import PricingConfig
from core.errors import BoxOfficeError, NotFound
from core.free_text import LONG, clean_text
from core.people.models import User
from core.people.permissions import authorize
from core.sales.carts import open_cart, view_cart
from core.sales.models import Order
from core.sales.subscriptions import claims_of, list_subscriptions, sell_subscription
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database, insert, write
from core.times import parse_stamp, stamp
from core.venue.inventory import (
    claim_available,
    create_hold_code,
    find_seat,
    sweep_expired_carts,
)
from core.venue.pricing import price_type_id
from core.venue.series import (
    Series,
    create_package,
    create_series,
    get_package_price,
    get_series,
    list_packages,
    package_prices,
    set_package_price,
)

SELL_ROLES = ("seller", "coordinator", "admin")
RELEASE_ROLES = ("coordinator", "admin")


class RenewalError(BoxOfficeError):
    code = "renewal"


@dataclass(frozen=True)
class Renewal:
    id: int
    subscription_id: int
    customer_id: int
    customer_name: str
    customer_email: str
    customer_phone: str
    package_id: int
    package_code: str
    series_id: int
    seat_label: str
    zone: str
    price_type: str
    hold_code: str | None
    deadline: datetime
    status: str                  # offered, unseated, renewed, released
    change_request: str
    price_cents: int | None      # the new package's price for the seat, None: not set


@dataclass(frozen=True)
class RollForward:
    series: Series
    offered: int
    unseated: tuple[str, ...]    # the seats that could not be held, in words


_SELECT = """
    SELECT r.id, r.subscription_id, s.customer_id, c.name, c.email, c.phone, r.package_id,
           p.code, p.series_id, s.section || '-' || s.row_label || '-' || s.number, s.zone,
           t.code, h.code, r.deadline, r.status, r.change_request, s.price_type_id
    FROM renewals r JOIN subscriptions s ON s.id = r.subscription_id
    JOIN customers c ON c.id = s.customer_id JOIN packages p ON p.id = r.package_id
    JOIN price_types t ON t.id = s.price_type_id
    LEFT JOIN hold_codes h ON h.id = r.hold_code_id
"""


def _renewal(db: Database, row: Any) -> Renewal:
    try:
        price: int | None = get_package_price(db, row[6], row[10], row[16]).total_cents
    except NotFound:
        price = None
    return Renewal(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
                   row[9], row[10], row[11], row[12], parse_stamp(row[13]), row[14],
                   row[15], price)


def get_renewal(db: Database, renewal_id: int) -> Renewal:
    """One renewal. Raises NotFound `unknown_renewal`."""
    row = db.execute(_SELECT + " WHERE r.id = ?", [renewal_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no renewal {renewal_id}", code="unknown_renewal")
    return _renewal(db, row)


def find_renewal(db: Database, code: str) -> Renewal:
    """A renewal by its renewal code (RN12, as on the letter) or its number. Raises
    NotFound `unknown_renewal`."""
    text = code.strip().upper()
    number = text[2:] if text.startswith("RN") else text
    if not number.isdigit() or len(number) > 9:
        raise NotFound(f"'{code[:20]}' is not a renewal code such as RN12",
                       code="unknown_renewal")
    return get_renewal(db, int(number))


def list_renewals(db: Database, series_id: int) -> list[Renewal]:
    """The renewals offered in a (new) series, by package and seat."""
    return [_renewal(db, row) for row in db.execute(
        _SELECT + " WHERE p.series_id = ? ORDER BY p.id, s.section, s.row_label, s.number, "
        "r.id", [series_id])]


def roll_forward(db: Database, actor: User, series_id: int, name: str,
                 performance_ids: list[int], *, season: str, deadline: datetime,
                 now: datetime) -> RollForward:
    """The next season of `series_id`: a new series of `performance_ids` with the same
    packages and prices, and a renewal for every subscription with a live ticket, its
    seat held at every new performance until `deadline`; all in one transaction. Needs
    `event_setup`, `price_change` and `hold`. Raises RenewalError `bad_deadline` (not in
    the future), `already_rolled`; what `create_series` raises."""
    if deadline <= now:
        raise RenewalError("the renewal deadline must be in the future",
                           code="bad_deadline")
    with write(db):
        authorize(db, actor, "hold")
        authorize(db, actor, "price_change")
        old = get_series(db, series_id)
        if db.execute("SELECT 1 FROM series WHERE follows_id = ?",
                      [series_id]).fetchone() is not None:
            raise RenewalError(f"series {series_id} was already rolled forward",
                               code="already_rolled")
        new = create_series(db, actor, name, performance_ids, season=season, now=now)
        sweep_expired_carts(db, now)
        db.execute("UPDATE series SET follows_id = ? WHERE id = ?", [series_id, new.id])
        offered, unseated = 0, []
        for package in list_packages(db, old.id):
            made = create_package(db, actor, new.id, package.code, package.name, now=now,
                                  admissions=package.admissions,
                                  per_performance=package.per_performance)
            for price in package_prices(db, package.id):
                try:
                    set_package_price(db, actor, made.id, price.zone, price.price_type,
                                      price.base_cents, defaults=PricingConfig(),
                                      fee_cents=price.fee_cents,
                                      tax_basis_points=price.tax_basis_points)
                except NotFound:       # the zone is not at the new season's venues
                    continue
            if package.kind != "fixed":
                continue
            for line in list_subscriptions(db, package_id=package.id):
                if line.live_tickets == 0:
                    continue
                renewal_id = insert(db,
                    "INSERT INTO renewals (subscription_id, package_id, deadline, status, "
                    "created_at) VALUES (?, ?, ?, 'unseated', ?)",
                    [line.id, made.id, stamp(deadline), stamp(now)])
                seats = _free_everywhere(db, new.performance_ids, line.section, line.row,
                                         line.number, now)
                if seats is None:
                    unseated.append(f"{line.seat_label} ({line.customer_name})")
                    continue
                hold = create_hold_code(db, actor, f"RN{renewal_id}",
                                        f"Renewal {line.seat_label}"[:40], "yellow",
                                        sell_roles=SELL_ROLES, release_roles=RELEASE_ROLES)
                for performance_id, seat_id in seats:
                    claim_available(db, performance_id, [seat_id], "held", now,
                                    hold_code_id=hold.id, swept=True)
                db.execute("UPDATE renewals SET status = 'offered', hold_code_id = ? "
                           "WHERE id = ?", [hold.id, renewal_id])
                offered += 1
        journal.append(db, actor=actor.username, action="series.roll_forward",
                       subject=f"series:{new.id}",
                       data={"from": series_id, "offered": offered,
                             "unseated": len(unseated), "deadline": stamp(deadline)})
        return RollForward(get_series(db, new.id), offered, tuple(unseated))


def _free_everywhere(db: Database, performance_ids: Sequence[int], section: str, row: str,
                     number: int, now: datetime) -> list[tuple[int, int]] | None:
    """(performance, seat) of the seat at every performance, or None when it is missing
    or taken at any. Inside roll_forward's write, after its sweep of expired carts."""
    found = []
    for performance_id in performance_ids:
        try:
            seat_id = find_seat(db, performance_id, section, row, number)
        except NotFound:
            return None
        if claims_of(db, performance_id, [seat_id]):
            return None
        found.append((performance_id, seat_id))
    return found


def renew(db: Database, actor: User, renewal_id: int, tenders: Sequence[Tender], *,
          station: str, now: datetime, hold: timedelta,
          delivery: str = "print") -> tuple[Order, int]:
    """Renew at the window in one step: the held seats become the new season's
    subscription for the same subscriber, paid by `tenders`, in one transaction (nothing
    changes if the payment is refused). Returns the order and the new subscription id.
    Needs `sell`. Raises RenewalError `not_offered` (renewed, released or unseated),
    `past_deadline`; what `sell_subscription` raises."""
    with write(db):
        authorize(db, actor, "sell")
        renewal = get_renewal(db, renewal_id)
        if renewal.status != "offered" or renewal.hold_code is None:
            raise RenewalError(f"renewal RN{renewal_id} is {renewal.status}, not open for "
                               "renewal", code="not_offered")
        if now >= renewal.deadline:
            raise RenewalError(f"the deadline of renewal RN{renewal_id} has passed; sell "
                               "the seat as a new subscription if it is still free",
                               code="past_deadline")
        cart_id = open_cart(db, actor, station, now, hold)
        type_id, _ = price_type_id(db, renewal.price_type)
        section, row, number = renewal.seat_label.rsplit("-", 2)
        until = stamp(now + hold)
        for performance_id in get_series(db, renewal.series_id).performance_ids:
            seat_id = find_seat(db, performance_id, section, row, int(number))
            moved = db.execute(
                "UPDATE seat_claims SET state = 'cart', hold_code_id = NULL, cart_id = ?, "
                "expires_at = ? WHERE performance_id = ? AND seat_id = ? AND state = 'held' "
                "AND hold_code_id = (SELECT id FROM hold_codes WHERE code = ?)",
                [cart_id, until, performance_id, seat_id, renewal.hold_code]).rowcount
            if moved != 1:
                raise RenewalError(f"{renewal.seat_label} is no longer held for this "
                                   f"renewal at performance {performance_id}",
                                   code="seat_lost")
            # the hold code stays on the line, so a cancelled cart puts the seat back
            db.execute("INSERT INTO cart_items (cart_id, performance_id, section_id, seat_id, "
                       "quantity, price_type_id, hold_code_id, package_id) SELECT ?, ?, "
                       "section_id, id, 1, ?, (SELECT id FROM hold_codes WHERE code = ?), ? "
                       "FROM seats WHERE id = ?",
                       [cart_id, performance_id, type_id, renewal.hold_code,
                        renewal.package_id, seat_id])
        view_cart(db, cart_id)          # every line priced, or NotFound `no_price`
        order, made = sell_subscription(db, actor, cart_id, tenders,
                                        customer_id=renewal.customer_id, station=station,
                                        now=now, delivery=delivery)
        db.execute("UPDATE renewals SET status = 'renewed', renewed_subscription_id = ? "
                   "WHERE id = ?", [made[0], renewal_id])
        journal.append(db, actor=actor.username, action="renewal.renew",
                       subject=f"order:{order.id}",
                       data={"renewal_id": renewal_id, "subscription_id": made[0]})
        return order, made[0]


def request_change(db: Database, actor: User, renewal_id: int, text: str) -> Renewal:
    """Record a subscriber's seat change request on their renewal (for the coordinator;
    the held seat does not move). Needs `sell`. Raises TextError, NotFound."""
    text = clean_text(text, "change request", max_length=LONG, required=True)
    with write(db):
        authorize(db, actor, "sell")
        get_renewal(db, renewal_id)
        db.execute("UPDATE renewals SET change_request = ? WHERE id = ?", [text, renewal_id])
        journal.append(db, actor=actor.username, action="renewal.change_request",
                       subject=f"renewal:{renewal_id}", data={"text": text})
        return get_renewal(db, renewal_id)


def release_unrenewed(db: Database, actor: User, series_id: int, now: datetime) -> int:
    """Put back on sale the held seats of every renewal in the series still open past
    its deadline, in one transaction; returns how many renewals were released (those
    before their deadline stay held). Needs `hold`."""
    with write(db):
        authorize(db, actor, "hold")
        due = [r for r in list_renewals(db, series_id)
               if r.status == "offered" and r.deadline <= now]
        for renewal in due:
            db.execute("DELETE FROM seat_claims WHERE state = 'held' AND hold_code_id = "
                       "(SELECT id FROM hold_codes WHERE code = ?)", [renewal.hold_code])
            db.execute("UPDATE renewals SET status = 'released' WHERE id = ?", [renewal.id])
        journal.append(db, actor=actor.username, action="renewal.release",
                       subject=f"series:{series_id}",
                       data={"renewals": [r.id for r in due]})
        return len(due)


@dataclass(frozen=True)
class RenewalRate:
    package: str
    zone: str
    offered: int          # every renewal made, seated or not
    renewed: int
    released: int
    open: int             # still offered
    unseated: int

    @property
    def rate_percent(self) -> float:
        return 100.0 * self.renewed / self.offered if self.offered else 0.0


def renewal_rates(db: Database, series_id: int) -> list[RenewalRate]:
    """Renewals of a (new) series by package and zone, with the renewal rate: renewed
    out of every subscription offered a renewal."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for renewal in list_renewals(db, series_id):
        key = (renewal.package_code, renewal.zone)
        counts.setdefault(key, {"offered": 0, "renewed": 0, "released": 0, "unseated": 0})
        counts[key][renewal.status] = counts[key].get(renewal.status, 0) + 1
    return [RenewalRate(package, zone, sum(c.values()), c["renewed"], c["released"],
                        c["offered"], c["unseated"])
            for (package, zone), c in sorted(counts.items())]
