"""Carts: a window's seats and places, locked until the hold time runs out.

Adding seats claims them (state `cart`) with an expiry; every change to the cart pushes
the expiry out again. Two windows can never hold the same seat: the claim's primary key
allows one state per seat, and it is taken inside BEGIN IMMEDIATE after a re-check.
Seats taken out of a hold go back to that hold when the cart expires or is cancelled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from core.concessions.stock import Item, StockError, get_item
from core.errors import BoxOfficeError, NotFound
from core.free_text import clean_text
from core.people.models import User
from core.people.permissions import Override, PermissionDenied, authorize
from core.sales.goods import CART_GOODS, MAX_LINE, cart_good, cart_goods
from core.sales.models import CartGood, CartLine, CartView
from core.store import journal
from core.store.db import Database, write
from core.times import stamp
from core.venue.best_available import BestAvailableIndex, Candidate, check_request
from core.venue.inventory import (
    SeatUnavailable,
    area_count,
    area_id,
    check_seats_belong,
    claim_available,
    hold_code,
    read_expiry_ahead,
    read_seats_ahead,
    seat_states,
    sweep_expired_carts,
)
from core.venue.performances import check_on_sale, read_on_sale_ahead
from core.venue.pricing import (
    Price,
    check_priced,
    get_price,
    price_type_id,
    read_prices_ahead,
)
from core.venue.series import package_share

MAX_ITEMS = 200


class CartError(BoxOfficeError):
    code = "cart"


def open_cart(db: Database, actor: User, station: str, now: datetime,
              hold: timedelta) -> int:
    """A new, empty cart for a window. Needs `sell`. Raises TextError `bad_text` or
    `card_number` for a bad station name."""
    station = clean_text(station, "station", required=True)
    with write(db):
        db.reserve_ids({"carts": 1})    # with the lock: the insert waits for no answer
        authorize(db, actor, "sell")
        cart_id = db.new_ids("carts", 1)[0]
        db.execute_later("INSERT INTO carts (id, user_id, station, created_at, expires_at) "
                         "VALUES (?, ?, ?, ?, ?)",
                         [cart_id, actor.id, station, stamp(now), stamp(now + hold)])
    return cart_id


_CART = "SELECT status, expires_at FROM carts WHERE id = ?"
_CART_LINES = (
    "SELECT i.id, i.performance_id, c.code, s.row_label, s.number, i.seat_id, "
    "i.section_id, coalesce(s.zone_id, c.zone_id), i.price_type_id, t.code, "
    "i.quantity, coalesce(s.wheelchair, 0), i.package_id, z.code, "
    "i.online_fee_cents, t.kind, p.base_cents, p.fee_cents, p.tax_basis_points, "
    # the seat's claim still this cart's (a place has none): checked before a sale
    "CASE WHEN i.seat_id IS NULL OR EXISTS (SELECT 1 FROM seat_claims h WHERE "
    "h.performance_id = i.performance_id AND h.seat_id = i.seat_id AND "
    "h.cart_id = i.cart_id) THEN 1 ELSE 0 END "
    "FROM cart_items i "
    "JOIN sections c ON c.id = i.section_id LEFT JOIN seats s ON s.id = i.seat_id "
    "JOIN price_zones z ON z.id = coalesce(s.zone_id, c.zone_id) "
    "JOIN price_types t ON t.id = i.price_type_id "
    "LEFT JOIN prices p ON p.performance_id = i.performance_id AND "
    "p.zone_id = z.id AND p.price_type_id = i.price_type_id WHERE i.cart_id = ? "
    "ORDER BY i.id")


def require_open(db: Database, cart_id: int, now: datetime) -> None:
    sweep_expired_carts(db, now)
    rows = db.fetch(_CART, [cart_id])
    if not rows:
        raise NotFound(f"there is no cart {cart_id}", code="unknown_cart")
    _check_open(rows[0][0])


def cart_to_sell(db: Database, cart_id: int, now: datetime) -> CartView:
    """Inside a write that sells the cart: `view_cart`, refused like `require_open` when
    it is not open or its hold time has run out, without sweeping other carts (the sale
    takes no new seats; the next write that does releases what ran out)."""
    cart = view_cart(db, cart_id, check=_check_open)
    if cart.expires_at <= now:
        _check_open("expired")
    return cart


def _check_open(status: str) -> None:
    if status == "expired":
        raise CartError("the cart's hold time ran out and its seats went back on sale",
                        code="cart_expired")
    if status == "pending":
        raise CartError("a card payment for this cart is waiting for the terminal's answer; "
                        "resolve it before taking another payment", code="cart_pending")
    if status != "open":
        raise CartError(f"the cart is {status}", code="cart_closed")


def push_expiry(db: Database, cart_id: int, now: datetime, hold: timedelta) -> None:
    """Inside a write: the cart and its seats are kept for `hold` from now."""
    until = stamp(now + hold)
    db.execute_later("UPDATE carts SET expires_at = ? WHERE id = ?", [until, cart_id])
    db.execute_later("UPDATE seat_claims SET expires_at = ? WHERE cart_id = ?",
                     [until, cart_id])


_ITEM_COUNT = "SELECT coalesce(sum(quantity), 0) FROM cart_items WHERE cart_id = ?"


def item_count(db: Database, cart_id: int) -> int:
    """How many tickets (seats and places) the cart holds."""
    return int(db.fetch(_ITEM_COUNT, [cart_id])[0][0])


def add_seats(db: Database, actor: User, cart_id: int, performance_id: int,
              seat_ids: Sequence[int], price_type: str, now: datetime, hold: timedelta, *,
              from_hold: str | None = None) -> CartView:
    """Put seats in the cart, all or none. Without `from_hold` the seats must be
    available; with it they must be held under that code and the actor's role must be
    allowed to sell from it. Raises SeatUnavailable, PermissionDenied, NotFound
    (`no_price`, `unknown_seat`, ...), CartError (`cart_expired`, `cart_full`), NotOnSale
    (`performance_cancelled`, `not_on_sale_yet`, `off_sale`)."""
    if not seat_ids:
        raise CartError("choose at least one seat", code="no_seats")
    if len(set(seat_ids)) != len(seat_ids):
        raise CartError("a seat was chosen twice", code="duplicate_seat")
    with write(db):
        # what the write will read goes with its first round trip (PostgreSQL)
        read_expiry_ahead(db, now)
        for sql in (_CART, _ITEM_COUNT):
            db.fetch_ahead(sql, [cart_id])
        read_on_sale_ahead(db, performance_id)
        read_seats_ahead(db, performance_id, seat_ids)
        read_prices_ahead(db, performance_id, price_type)
        db.fetch_ahead(_seat_rows_sql(seat_ids), list(seat_ids))
        authorize(db, actor, "sell")
        require_open(db, cart_id, now)
        check_on_sale(db, performance_id, now)
        if item_count(db, cart_id) + len(seat_ids) > MAX_ITEMS:
            raise CartError(f"a cart holds at most {MAX_ITEMS} tickets", code="cart_full")
        check_seats_belong(db, performance_id, seat_ids)
        type_id, _ = price_type_id(db, price_type)
        seats = _seat_rows(db, seat_ids)
        check_priced(db, performance_id, [zone_id for _, _, zone_id in seats], price_type)
        until = now + hold
        hold_id = None
        if from_hold is None:
            # require_open above has already swept expired carts in this transaction
            claim_available(db, performance_id, seat_ids, "cart", now, cart_id=cart_id,
                             expires_at=until, swept=True)
        else:
            code = hold_code(db, from_hold)
            if actor.role not in code.sell_roles:
                raise PermissionDenied(f"a {actor.role} may not sell {code.code} holds")
            hold_id = code.id
            marks = ",".join("?" * len(seat_ids))
            changed = db.execute(
                f"UPDATE seat_claims SET state = 'cart', hold_code_id = NULL, cart_id = ?, "
                f"expires_at = ? WHERE performance_id = ? AND state = 'held' AND "
                f"hold_code_id = ? AND seat_id IN ({marks})",
                [cart_id, stamp(until), performance_id, code.id, *seat_ids]).rowcount
            if changed != len(seat_ids):
                raise SeatUnavailable(f"not all of those seats are held as {code.code}")
        db.execute_later(
            "INSERT INTO cart_items (cart_id, performance_id, section_id, seat_id, quantity, "
            f"price_type_id, hold_code_id) VALUES "
            f"{', '.join(['(?, ?, ?, ?, 1, ?, ?)'] * len(seats))}",
            [value for seat_id, section_id, _ in seats for value in (
                cart_id, performance_id, section_id, seat_id, type_id, hold_id)])
        push_expiry(db, cart_id, now, hold)
        read_cart_ahead(db, cart_id)    # with the COMMIT, for the view below
    return view_cart(db, cart_id)


def _seat_rows_sql(seat_ids: Sequence[int]) -> str:
    return (f"SELECT id, section_id, zone_id FROM seats WHERE id IN "
            f"({','.join('?' * len(seat_ids))}) ORDER BY id")


def _seat_rows(db: Database, seat_ids: Sequence[int]) -> list[tuple[int, int, int]]:
    return [(r[0], r[1], r[2]) for r in db.fetch(_seat_rows_sql(seat_ids), list(seat_ids))]


def add_area_places(db: Database, actor: User, cart_id: int, performance_id: int,
                    area: str, quantity: int, price_type: str, now: datetime,
                    hold: timedelta) -> CartView:
    """Put general-admission places in the cart, counted against the area's capacity.
    Raises SeatUnavailable when fewer are left, CartError, NotFound, NotOnSale."""
    if not 1 <= quantity <= MAX_ITEMS:
        raise CartError(f"choose 1 to {MAX_ITEMS} places", code="bad_quantity")
    with write(db):
        authorize(db, actor, "sell")
        require_open(db, cart_id, now)
        check_on_sale(db, performance_id, now)
        if item_count(db, cart_id) + quantity > MAX_ITEMS:
            raise CartError(f"a cart holds at most {MAX_ITEMS} tickets", code="cart_full")
        section_id = area_id(db, performance_id, area)
        zone_id = db.execute("SELECT zone_id FROM sections WHERE id = ?",
                             [section_id]).fetchone()[0]
        type_id, _ = price_type_id(db, price_type)
        get_price(db, performance_id, zone_id, type_id)
        count = area_count(db, performance_id, section_id, now)
        if count.available < quantity:
            raise SeatUnavailable(f"only {count.available} places are left in {area}")
        db.execute("INSERT INTO cart_items (cart_id, performance_id, section_id, seat_id, "
                   "quantity, price_type_id) VALUES (?, ?, ?, NULL, ?, ?)",
                   [cart_id, performance_id, section_id, quantity, type_id])
        push_expiry(db, cart_id, now, hold)
    return view_cart(db, cart_id)


def set_price_type(db: Database, actor: User, cart_id: int, item_id: int,
                   price_type: str, now: datetime) -> CartView:
    """Change one line's price type. Raises NotFound (`no_price`, `unknown_item`)."""
    with write(db):
        authorize(db, actor, "sell")
        require_open(db, cart_id, now)
        item = db.execute("SELECT i.performance_id, coalesce(s.zone_id, c.zone_id) FROM "
                          "cart_items i JOIN sections c ON c.id = i.section_id LEFT JOIN "
                          "seats s ON s.id = i.seat_id WHERE i.id = ? AND i.cart_id = ?",
                          [item_id, cart_id]).fetchone()
        if item is None:
            raise NotFound("that line is not in the cart", code="unknown_item")
        type_id, _ = price_type_id(db, price_type)
        get_price(db, item[0], item[1], type_id)
        db.execute("UPDATE cart_items SET price_type_id = ? WHERE id = ?", [type_id, item_id])
    return view_cart(db, cart_id)


def _release_claims(db: Database, cart_id: int,
                    seat_ids: Sequence[int] | None = None) -> None:
    """Inside a write: the cart's seats go back to their hold, or on sale."""
    only = ""
    params: list[object] = [cart_id]
    if seat_ids is not None:
        only = f" AND seat_id IN ({','.join('?' * len(seat_ids))})"
        params += list(seat_ids)
    db.execute(
        "UPDATE seat_claims SET state = 'held', cart_id = NULL, expires_at = NULL, "
        "hold_code_id = (SELECT i.hold_code_id FROM cart_items i WHERE i.cart_id = "
        "seat_claims.cart_id AND i.seat_id = seat_claims.seat_id) WHERE cart_id = ? AND "
        "state = 'cart' AND EXISTS (SELECT 1 FROM cart_items i WHERE i.cart_id = "
        "seat_claims.cart_id AND i.seat_id = seat_claims.seat_id AND i.hold_code_id IS NOT "
        "NULL)" + only, params)
    db.execute("DELETE FROM seat_claims WHERE cart_id = ? AND state = 'cart'" + only, params)


def remove_item(db: Database, actor: User, cart_id: int, item_id: int,
                now: datetime) -> CartView:
    """Take one line out of the cart; its seat goes back on sale (or to its hold)."""
    with write(db):
        authorize(db, actor, "sell")
        require_open(db, cart_id, now)
        row = db.execute("SELECT seat_id FROM cart_items WHERE id = ? AND cart_id = ?",
                         [item_id, cart_id]).fetchone()
        if row is None:
            raise NotFound("that line is not in the cart", code="unknown_item")
        if row[0] is not None:
            _release_claims(db, cart_id, [row[0]])
        db.execute("DELETE FROM cart_items WHERE id = ?", [item_id])
    return view_cart(db, cart_id)


def cancel_cart(db: Database, actor: User, cart_id: int, now: datetime) -> None:
    """Empty and close the cart; its seats go back on sale (or to their holds)."""
    with write(db):
        authorize(db, actor, "sell")
        require_open(db, cart_id, now)
        _release_claims(db, cart_id)
        db.execute("UPDATE carts SET status = 'cancelled' WHERE id = ?", [cart_id])
        journal.append(db, actor=actor.username, action="cart.cancel", subject=f"cart:{cart_id}",
                       data={})


def read_cart_ahead(db: Database, cart_id: int) -> None:
    """Inside a write that will view the cart: its reads sent with the next round trip
    (PostgreSQL; see Database.fetch_ahead)."""
    for sql in (_CART, _CART_LINES, CART_GOODS):
        db.fetch_ahead(sql, [cart_id])


def view_cart(db: Database, cart_id: int, *,
              check: Callable[[str], None] | None = None) -> CartView:
    """The cart with its lines priced (a web ticket's fee includes the performance's
    online fee). Raises NotFound `unknown_cart`, and whatever `check` raises for the
    cart's status, before the lines are priced."""
    from datetime import datetime as _dt

    carts, items, goods = db.fetch_each([
        (_CART, [cart_id]), (_CART_LINES, [cart_id]), (CART_GOODS, [cart_id])])
    if not carts:
        raise NotFound(f"there is no cart {cart_id}", code="unknown_cart")
    row = carts[0]
    if check is not None:
        check(row[0])
    lines = []
    for item in items:
        if item[12] is not None:    # a package's seat: its share of the package price
            base, fee, tax = package_share(db, item[12], item[1], item[13], item[8])
        else:   # no price read with the line (taken away): get_price says which is missing
            price = (Price(item[1], item[13], item[9], item[16], item[17], item[18])
                     if item[16] is not None else get_price(db, item[1], item[7], item[8]))
            base, fee, tax = price.base_cents, price.fee_cents + item[14], price.tax_cents
        lines.append(CartLine(item[0], item[1], item[2], item[3], item[4], item[5], item[6],
                              item[13], item[9], item[10], base, fee, tax, item[8],
                              item[15] == "comp", bool(item[11]), item[12],
                              bool(item[19])))
    return CartView(cart_id, row[0], _dt.fromisoformat(row[1]), tuple(lines),
                    tuple(cart_good(good) for good in goods))


# Per process: (venue, map version) -> the venue's best-available index and its seat ids.
# The seats of a map version never change, so the index is built once and shared.
_INDEXES: dict[tuple[str, int, int], tuple[BestAvailableIndex, frozenset[int]]] = {}


def venue_index(db: Database, performance_id: int
                ) -> tuple[BestAvailableIndex, frozenset[int]]:
    """The best-available index of the performance's venue (its current map) and the
    ids of its seats. Raises NotFound `unknown_performance`."""
    row = db.execute(
        "SELECT p.venue_id, (SELECT max(version) FROM seat_maps m WHERE m.venue_id = "
        "p.venue_id) FROM performances p WHERE p.id = ?", [performance_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no performance {performance_id}",
                       code="unknown_performance")
    database = db.location if db.location != ":memory:" else f"memory:{id(db)}"
    key = (database, row[0], row[1] or 0)
    if key not in _INDEXES:
        candidates = [Candidate(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]),
                                bool(r[9])) for r in db.execute(
            "SELECT s.id, c.code, s.row_label, s.number, z.code, s.x, s.y, s.rank, "
            "s.wheelchair, s.companion FROM seats s JOIN sections c ON c.id = s.section_id "
            "JOIN price_zones z ON z.id = s.zone_id WHERE c.venue_id = ? AND s.active = 1 "
            "AND c.active = 1 ORDER BY s.id", [row[0]])]
        if len(_INDEXES) >= 8:
            _INDEXES.pop(next(iter(_INDEXES)))
        _INDEXES[key] = (BestAvailableIndex(candidates),
                         frozenset(c.seat_id for c in candidates))
    return _INDEXES[key]


def add_best_available(db: Database, actor: User, cart_id: int,
                       performance_id: int, quantity: int, price_type: str, now: datetime,
                       hold: timedelta, *, zone: str | None = None, section: str | None = None,
                       wheelchair: int = 0, companions: int = 0) -> CartView:
    """Put the best `quantity` adjacent available seats in the cart (front and centre
    first, never across an aisle, avoiding single orphan seats; wheelchair and companion
    seats only when asked for). Raises SeatUnavailable `no_block` when none fit,
    CartError `bad_quantity`."""
    try:
        check_request(quantity, wheelchair, companions)
    except ValueError as error:
        raise CartError(str(error), code="bad_quantity") from error
    with write(db):
        authorize(db, actor, "sell")
        require_open(db, cart_id, now)
        index, seat_ids = venue_index(db, performance_id)
        available = seat_ids - set(seat_states(db, performance_id, now))
        chosen = index.find(available, quantity, zone=zone, section=section,
                            wheelchair=wheelchair, companions=companions)
        if chosen is None:
            where = f" in zone {zone}" if zone else f" in section {section}" if section else ""
            raise SeatUnavailable(f"there are no {quantity} seats together{where}",
                                  code="no_block")
        return add_seats(db, actor, cart_id, performance_id, chosen, price_type, now, hold)


def _short_approval(db: Database, actor: User, item: Item, quantity: int,
                    allow_short: bool, override: Override | None) -> str | None:
    """Who lets this line sell more than is on hand (None: it does not need to).
    Raises StockError `out_of_stock` unless selling short was asked for explicitly, and
    PermissionDenied (`permission_denied`, naming the stock) when the actor may not."""
    if quantity <= item.on_hand:
        return None
    left = f"only {item.on_hand} {item.unit}" if item.on_hand > 0 else "none"
    if not allow_short:
        raise StockError(f"{item.name}: {left} in stock, {quantity} wanted",
                         code="out_of_stock")
    try:
        return authorize(db, actor, "stock_override", override=override)
    except PermissionDenied:
        if override is not None:        # a refused supervisor: say so as authorize did
            raise
        raise PermissionDenied(f"{item.name} has {left} in stock and {actor.display_name} "
                               f"may not sell short ({quantity} wanted); a supervisor can "
                               "approve it with their PIN") from None


def set_goods(db: Database, actor: User, cart_id: int, sku: str, quantity: int,
              now: datetime, *, hold: timedelta | None = None, add: bool = True,
              allow_short: bool = False,
              override: Override | None = None) -> tuple[CartGood, ...]:
    """Put `quantity` of an item in the cart (added to what is there, or, with
    `add=False`, replacing it; 0 takes the line out); with `hold`, the cart's hold
    time starts again, as when seats are added. More than is on hand is refused
    (`out_of_stock`) unless `allow_short` asks for it explicitly, which needs
    `stock_override` or a supervisor's override. Needs `sell`. Raises StockError
    (`bad_quantity`, `inactive_item`, `out_of_stock`), NotFound (`unknown_sku`),
    CartError (`cart_expired`, ...), PermissionDenied (`permission_denied`,
    `override_refused`)."""

    if not (0 if not add else 1) <= quantity <= MAX_LINE:
        raise StockError(f"choose 1 to {MAX_LINE}", code="bad_quantity")
    item = get_item(db, sku)
    if not item.active and quantity:
        raise StockError(f"{item.name} is no longer sold", code="inactive_item")
    authorize(db, actor, "sell")
    row = db.execute("SELECT quantity, short_approved_by FROM cart_goods WHERE cart_id = ? "
                     "AND item_id = ?", [cart_id, item.id]).fetchone()
    total = (row[0] if row and add else 0) + quantity
    if total > MAX_LINE:
        raise StockError(f"at most {MAX_LINE} of one item in a cart", code="bad_quantity")
    approved = row[1] if row and row[1] and total <= row[0] else None
    if approved is None and total:
        # asked outside the write, so a refused override stays in the journal
        approved = _short_approval(db, actor, item, total, allow_short, override)
    with write(db):
        require_open(db, cart_id, now)
        if hold is not None:     # like seats: adding to the cart pushes its hold out
            push_expiry(db, cart_id, now, hold)
        if total == 0:
            db.execute("DELETE FROM cart_goods WHERE cart_id = ? AND item_id = ?",
                       [cart_id, item.id])
        else:
            db.execute("INSERT INTO cart_goods (cart_id, item_id, quantity, "
                       "short_approved_by) VALUES (?, ?, ?, ?) ON CONFLICT (cart_id, "
                       "item_id) DO UPDATE SET quantity = excluded.quantity, "
                       "short_approved_by = excluded.short_approved_by",
                       [cart_id, item.id, total, approved])
        if approved is not None and approved != actor.username:
            journal.append(db, actor=actor.username, action="stock.sell_short",
                           subject=f"cart:{cart_id}",
                           data={"sku": item.sku, "quantity": total, "on_hand": item.on_hand,
                                 "approved_by": approved})
    return cart_goods(db, cart_id)


def remove_goods(db: Database, actor: User, cart_id: int, line_id: int,
                 now: datetime) -> tuple[CartGood, ...]:
    """Take a goods line out of the cart. Raises NotFound `unknown_item`."""

    with write(db):
        authorize(db, actor, "sell")
        require_open(db, cart_id, now)
        gone = db.execute("DELETE FROM cart_goods WHERE id = ? AND cart_id = ?",
                          [line_id, cart_id]).rowcount
        if not gone:
            raise NotFound("that line is not in the cart", code="unknown_item")
    return cart_goods(db, cart_id)


def extend_hold(db: Database, actor: User, cart_id: int, now: datetime,
                hold: timedelta, *, not_past: datetime) -> datetime:
    """Keep the cart's seats for `hold` from now, but never past `not_past` (the hard
    ceiling the window sets when a payment starts) and never shorter than they are
    held already. Returns when the hold now ends. Needs `sell`.
    Raises CartError `cart_expired` (too late: the seats went back on sale)."""
    with write(db):
        authorize(db, actor, "sell")
        require_open(db, cart_id, now)
        current = datetime.fromisoformat(db.execute(
            "SELECT expires_at FROM carts WHERE id = ?", [cart_id]).fetchone()[0])
        until = min(now + hold, not_past)
        if until > current:
            push_expiry(db, cart_id, now, until - now)
            return until
        return current


def resume_cart(db: Database, actor: User, station: str,
                now: datetime) -> int | None:
    """The user's newest open cart at this window that still holds something and has not
    run out (a window closed without ending its sale), or None."""
    sweep_expired_carts(db, now)
    row = db.execute(
        "SELECT c.id FROM carts c WHERE c.user_id = ? AND c.station = ? AND "
        "c.status = 'open' AND c.expires_at > ? AND (EXISTS (SELECT 1 FROM cart_items i "
        "WHERE i.cart_id = c.id) OR EXISTS (SELECT 1 FROM cart_goods g WHERE g.cart_id = "
        "c.id)) ORDER BY c.id DESC LIMIT 1", [actor.id, station, stamp(now)]).fetchone()
    return None if row is None else int(row[0])
