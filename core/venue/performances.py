"""Events and performances: setting them up, the on-sale window, and finding what is on.

Setting up (create, copy, on-sale window, cancel) needs `event_setup`. A performance is
on sale while it is scheduled and `now` is inside its window (`on_sale_at` inclusive,
`off_sale_at` exclusive; either may be open); carts check it with `check_on_sale`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.errors import BoxOfficeError, NotFound
from core.free_text import LONG, clean_text
from core.people.models import User
from core.people.permissions import authorize
from core.store import journal
from core.store.db import Database, insert, write


@dataclass(frozen=True)
class Performance:
    id: int
    event_id: int
    event_name: str
    venue_id: int
    venue_code: str
    venue_name: str
    venue_kind: str
    starts_at: datetime        # aware, UTC
    status: str                # scheduled, cancelled
    doors_at: datetime | None = None
    on_sale_at: datetime | None = None
    off_sale_at: datetime | None = None


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise BoxOfficeError("a performance time needs a time zone", code="naive_time")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def create_event(db: Database, actor: User, name: str, *,
                 producer: str = "", description: str = "") -> int:
    """Create an event; returns its id. Needs `event_setup`. Raises PermissionDenied,
    BoxOfficeError `bad_name` on an empty name."""
    if not name.strip():
        raise BoxOfficeError("an event needs a name", code="bad_name")
    name = clean_text(name, "event name")
    producer = clean_text(producer, "producer")
    description = clean_text(description, "description", max_length=LONG, multiline=True)
    with write(db):
        authorize(db, actor, "event_setup")
        event_id = insert(db, "INSERT INTO events (name, producer, description) VALUES (?, ?, ?)",
            [name.strip(), producer, description])
        journal.append(db, actor=actor.username, action="event.create",
                       subject=f"event:{event_id}",
                       data={"name": name.strip(), "producer": producer})
    return event_id


def _check_doors(starts_at: datetime, doors_at: datetime | None) -> None:
    if doors_at is not None and _utc(doors_at) > _utc(starts_at):
        raise BoxOfficeError("the doors open after the start: give a doors time before "
                             "the performance starts", code="doors_after_start")


def create_performance(db: Database, actor: User, event_id: int, venue_id: int,
                       starts_at: datetime, *, doors_at: datetime | None = None) -> int:
    """Schedule a performance of an event at a venue; times must be timezone-aware.
    Needs `event_setup`. Raises PermissionDenied, NotFound for an unknown event or venue,
    BoxOfficeError `naive_time`, `doors_after_start`.
    """
    _utc(starts_at)
    _check_doors(starts_at, doors_at)
    with write(db):
        authorize(db, actor, "event_setup")
        if db.execute("SELECT 1 FROM events WHERE id = ?", [event_id]).fetchone() is None:
            raise NotFound(f"there is no event {event_id}")
        if db.execute("SELECT 1 FROM venues WHERE id = ?", [venue_id]).fetchone() is None:
            raise NotFound(f"there is no venue {venue_id}")
        performance_id = insert(db,
            "INSERT INTO performances (event_id, venue_id, starts_at, doors_at) "
            "VALUES (?, ?, ?, ?)",
            [event_id, venue_id, _utc(starts_at),
             _utc(doors_at) if doors_at else None])
        journal.append(db, actor=actor.username, action="performance.create",
                       subject=f"performance:{performance_id}",
                       data={"event_id": event_id, "venue_id": venue_id,
                             "starts_at": _utc(starts_at)})
    return performance_id


_SELECT = """
    SELECT p.id, p.event_id, e.name, p.venue_id, v.code, v.name, v.kind, p.starts_at, p.status,
           p.doors_at, p.on_sale_at, p.off_sale_at
    FROM performances p JOIN events e ON e.id = p.event_id JOIN venues v ON v.id = p.venue_id
"""


def _performance(row: tuple) -> Performance:  # type: ignore[type-arg]
    return Performance(row[0], row[1], row[2], row[3], row[4], row[5], row[6],
                       datetime.fromisoformat(row[7]), row[8], _moment(row[9]),
                       _moment(row[10]), _moment(row[11]))


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def list_performances(db: Database, *, since: datetime | None = None
                      ) -> list[Performance]:
    """Performances in start order; with `since`, only those starting at or after it."""
    if since is None:
        rows = db.execute(_SELECT + " ORDER BY p.starts_at, p.id")
    else:
        rows = db.execute(_SELECT + " WHERE p.starts_at >= ? ORDER BY p.starts_at, p.id",
                          [_utc(since)])
    return [_performance(row) for row in rows]


def get_performance(db: Database, performance_id: int) -> Performance:
    """One performance. Raises NotFound."""
    row = db.execute(_SELECT + " WHERE p.id = ?", [performance_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no performance {performance_id}")
    return _performance(row)


@dataclass(frozen=True)
class Event:
    id: int
    name: str
    producer: str
    description: str
    performances: int
    reentry: bool = False       # a scan after an exit scan admits again


def list_events(db: Database) -> list[Event]:
    """Every event with how many performances it has, newest first."""
    return [Event(row[0], row[1], row[2], row[3], row[4], bool(row[5])) for row in db.execute(
        "SELECT e.id, e.name, e.producer, e.description, (SELECT count(*) FROM "
        "performances p WHERE p.event_id = e.id), e.reentry FROM events e ORDER BY e.id DESC")]


def copy_performance(db: Database, actor: User, performance_id: int,
                     starts_at: datetime, *, doors_at: datetime | None = None) -> int:
    """A new performance of the same event at the same venue, starting at `starts_at`,
    with the original's prices, holds and kills (seats still in the map). Doors open as
    long before the start as the original's did unless `doors_at` is given; the on-sale
    window is left open. Needs `event_setup`, and `price_change`, `hold`, `kill` for
    what it copies. Raises PermissionDenied, NotFound, BoxOfficeError `naive_time`,
    `doors_after_start`."""
    _utc(starts_at)
    with write(db):
        authorize(db, actor, "event_setup")
        source = get_performance(db, performance_id)
        if doors_at is None and source.doors_at is not None:
            doors_at = starts_at - (source.starts_at - source.doors_at)
        _check_doors(starts_at, doors_at)
        counts = {kind: db.execute(sql, [performance_id]).fetchone()[0] for kind, sql in (
            ("prices", "SELECT count(*) FROM prices WHERE performance_id = ?"),
            ("holds", "SELECT (SELECT count(*) FROM seat_claims WHERE performance_id = ?1 "
                      "AND state = 'held') + (SELECT count(*) FROM area_holds WHERE "
                      "performance_id = ?1)"),
            ("kills", "SELECT count(*) FROM seat_claims WHERE performance_id = ? AND "
                      "state = 'killed'"))}
        for kind, permission in (("prices", "price_change"), ("holds", "hold"),
                                 ("kills", "kill")):
            if counts[kind]:
                authorize(db, actor, permission)
        copy_id = insert(db, "INSERT INTO performances (event_id, venue_id, starts_at, doors_at) "
            "VALUES (?, ?, ?, ?)", [source.event_id, source.venue_id, _utc(starts_at),
                                    _utc(doors_at) if doors_at else None])
        db.execute("INSERT INTO prices (performance_id, zone_id, price_type_id, base_cents, "
                   "fee_cents, tax_basis_points) SELECT ?, zone_id, price_type_id, "
                   "base_cents, fee_cents, tax_basis_points FROM prices WHERE "
                   "performance_id = ?", [copy_id, performance_id])
        db.execute("INSERT INTO seat_claims (performance_id, seat_id, state, hold_code_id) "
                   "SELECT ?, c.seat_id, c.state, c.hold_code_id FROM seat_claims c JOIN "
                   "seats s ON s.id = c.seat_id WHERE c.performance_id = ? AND c.state IN "
                   "('held', 'killed') AND s.active = 1", [copy_id, performance_id])
        db.execute("INSERT INTO area_holds (performance_id, section_id, hold_code_id, "
                   "quantity) SELECT ?, h.section_id, h.hold_code_id, h.quantity FROM "
                   "area_holds h JOIN sections c ON c.id = h.section_id WHERE "
                   "h.performance_id = ? AND c.active = 1", [copy_id, performance_id])
        journal.append(db, actor=actor.username, action="performance.copy",
                       subject=f"performance:{copy_id}",
                       data={"from": performance_id, "starts_at": _utc(starts_at), **counts})
    return copy_id


def set_on_sale_window(db: Database, actor: User, performance_id: int,
                       on_sale_at: datetime | None, off_sale_at: datetime | None) -> None:
    """When the performance may be sold: from `on_sale_at` (None: already) until
    `off_sale_at` (None: no end). Needs `event_setup`. Raises PermissionDenied, NotFound,
    BoxOfficeError `naive_time`, `bad_window` (the end is not after the start)."""
    on_text = _utc(on_sale_at) if on_sale_at else None
    off_text = _utc(off_sale_at) if off_sale_at else None
    if on_sale_at and off_sale_at and off_sale_at <= on_sale_at:
        raise BoxOfficeError("the off-sale time must be after the on-sale time",
                             code="bad_window")
    with write(db):
        authorize(db, actor, "event_setup")
        get_performance(db, performance_id)
        db.execute("UPDATE performances SET on_sale_at = ?, off_sale_at = ? WHERE id = ?",
                   [on_text, off_text, performance_id])
        journal.append(db, actor=actor.username, action="performance.on_sale",
                       subject=f"performance:{performance_id}",
                       data={"on_sale_at": on_text, "off_sale_at": off_text})


def cancel_performance(db: Database, actor: User, performance_id: int, *,
                       reason: str) -> int:
    """Cancel a performance: nothing more can be sold for it. Its live tickets stay live
    so that each can be refunded; returns how many there are. Needs `event_setup`.
    Raises PermissionDenied, NotFound, BoxOfficeError `reason_required`,
    `already_cancelled`."""
    if not reason.strip():
        raise BoxOfficeError("a cancellation needs a reason", code="reason_required")
    reason = clean_text(reason, "reason", max_length=LONG)
    with write(db):
        authorize(db, actor, "event_setup")
        if get_performance(db, performance_id).status == "cancelled":
            raise BoxOfficeError(f"performance {performance_id} is already cancelled",
                                 code="already_cancelled")
        db.execute("UPDATE performances SET status = 'cancelled' WHERE id = ?",
                   [performance_id])
        live = db.execute("SELECT count(*) FROM tickets WHERE performance_id = ? AND "
                          "status = 'live'", [performance_id]).fetchone()[0]
        journal.append(db, actor=actor.username, action="performance.cancel",
                       subject=f"performance:{performance_id}",
                       data={"reason": reason.strip(), "live_tickets": live})
    return int(live)


class NotOnSale(BoxOfficeError):
    code = "not_on_sale"


# when a performance with no off-sale time stops selling: as long after its start as a
# gate still admits late arrivals (core.gate.checkin.LATE_ALLOWANCE)
ENDS_AFTER = timedelta(hours=4)


_SALE_WINDOW = ("SELECT status, on_sale_at, off_sale_at, starts_at FROM performances "
                "WHERE id = ?")


def read_on_sale_ahead(db: Database, performance_id: int) -> None:
    """Inside a write that will `check_on_sale`: its read sent with the next round trip
    (PostgreSQL; see Database.fetch_ahead)."""
    db.fetch_ahead(_SALE_WINDOW, [performance_id])


def check_on_sale(db: Database, performance_id: int, now: datetime) -> None:
    """Raise NotOnSale unless the performance can be sold at `now`: codes
    `performance_cancelled`, `not_on_sale_yet`, `off_sale`; NotFound if unknown.

    With no off-sale time set, a performance goes off sale when it is over, taken as
    ENDS_AFTER past its start (late sales at the door still go through); a coordinator
    who wants otherwise sets the off-sale time (`set_on_sale_window`), later or earlier."""
    rows = db.fetch(_SALE_WINDOW, [performance_id])
    if not rows:
        raise NotFound(f"there is no performance {performance_id}")
    status, on_sale_at, off_sale_at, starts_at = rows[0]
    if off_sale_at is None:
        off_sale_at = _utc(datetime.fromisoformat(starts_at) + ENDS_AFTER)
    moment = _utc(now)
    if status == "cancelled":
        raise NotOnSale(f"performance {performance_id} is cancelled",
                        code="performance_cancelled")
    if on_sale_at is not None and moment < on_sale_at:
        raise NotOnSale(f"performance {performance_id} goes on sale at {on_sale_at} (UTC)",
                        code="not_on_sale_yet")
    if off_sale_at is not None and moment >= off_sale_at:
        raise NotOnSale(f"sales for performance {performance_id} closed at {off_sale_at} "
                        "(UTC)", code="off_sale")

