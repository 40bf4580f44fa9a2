"""What a coordinator sets for selling a performance online: on or off, an online
on-sale window of its own (inside the performance's), the price types sold online, the
per-order ticket limit and an online fee per ticket. No setting means the site's
defaults from `[web]`: on, the performance's own window, the standard price types, the
site's limit, no online fee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.errors import BoxOfficeError
from core.people.models import User
from core.people.permissions import authorize
from core.store import journal
from core.store.db import Database, write
from core.times import stamp
from core.venue.performances import check_on_sale, get_performance
from core.venue.pricing import price_type_id

MAX_FEE_CENTS = 100_00


@dataclass(frozen=True)
class OnlineSettings:
    performance_id: int
    enabled: bool = True
    on_sale_at: datetime | None = None
    off_sale_at: datetime | None = None
    price_types: tuple[str, ...] = ()      # () = the site's
    max_tickets: int | None = None         # None = the site's
    fee_cents: int = 0


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def online_settings(db: Database, performance_id: int) -> OnlineSettings:
    row = db.execute("SELECT enabled, on_sale_at, off_sale_at, price_types, max_tickets, "
                     "fee_cents FROM online_sales WHERE performance_id = ?",
                     [performance_id]).fetchone()
    if row is None:
        return OnlineSettings(performance_id)
    return OnlineSettings(performance_id, bool(row[0]), _when(row[1]), _when(row[2]),
                          tuple(code for code in row[3].split(",") if code), row[4], row[5])


def set_online_settings(db: Database, actor: User, settings: OnlineSettings) -> None:
    """Store what the coordinator set. Needs `event_setup`. Raises BoxOfficeError
    (`bad_window`, `naive_time`, `bad_fee`, `bad_limit`), NotFound for an unknown
    performance or price type."""
    for moment in (settings.on_sale_at, settings.off_sale_at):
        if moment is not None and moment.tzinfo is None:
            raise BoxOfficeError("a time needs its zone", code="naive_time")
    if settings.on_sale_at and settings.off_sale_at and \
            settings.off_sale_at <= settings.on_sale_at:
        raise BoxOfficeError("online sales must close after they open", code="bad_window")
    if not 0 <= settings.fee_cents <= MAX_FEE_CENTS:
        raise BoxOfficeError(f"the online fee is 0 to {MAX_FEE_CENTS // 100} per ticket",
                             code="bad_fee")
    if settings.max_tickets is not None and not 1 <= settings.max_tickets <= 200:
        raise BoxOfficeError("the online limit is 1 to 200 tickets an order",
                             code="bad_limit")
    codes = tuple(dict.fromkeys(code.strip().upper() for code in settings.price_types
                                if code.strip()))
    with write(db):
        authorize(db, actor, "event_setup")
        get_performance(db, settings.performance_id)
        for code in codes:
            _, kind = price_type_id(db, code)
            if kind == "comp":
                raise BoxOfficeError(f"{code} is a comp: comps are not sold online",
                                     code="comp_online")
        db.execute(
            "INSERT INTO online_sales (performance_id, enabled, on_sale_at, off_sale_at, "
            "price_types, max_tickets, fee_cents) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
            "(performance_id) DO UPDATE SET enabled = excluded.enabled, on_sale_at = "
            "excluded.on_sale_at, off_sale_at = excluded.off_sale_at, price_types = "
            "excluded.price_types, max_tickets = excluded.max_tickets, fee_cents = "
            "excluded.fee_cents",
            [settings.performance_id, int(settings.enabled),
             stamp(settings.on_sale_at) if settings.on_sale_at else None,
             stamp(settings.off_sale_at) if settings.off_sale_at else None, ",".join(codes),
             settings.max_tickets, settings.fee_cents])
        journal.append(db, actor=actor.username, action="performance.online",
                       subject=f"performance:{settings.performance_id}",
                       data={"enabled": settings.enabled, "price_types": list(codes),
                             "max_tickets": settings.max_tickets,
                             "fee_cents": settings.fee_cents,
                             "on_sale_at": stamp(settings.on_sale_at)
                             if settings.on_sale_at else None,
                             "off_sale_at": stamp(settings.off_sale_at)
                             if settings.off_sale_at else None})


def online_status(db: Database, performance_id: int, now: datetime) -> str:
    """'' when a patron may buy now; otherwise why not, in words ("not sold online",
    "on sale online from ...", "online sales have closed") or the performance's own
    refusal code (not_on_sale_yet, off_sale, performance_cancelled)."""
    try:
        check_on_sale(db, performance_id, now)
    except BoxOfficeError as refusal:
        return refusal.code
    settings = online_settings(db, performance_id)
    if not settings.enabled:
        return "not_online"
    if settings.on_sale_at is not None and now < settings.on_sale_at:
        return "online_later"
    if settings.off_sale_at is not None and now >= settings.off_sale_at:
        return "online_closed"
    return ""


def check_online(db: Database, performance_id: int, now: datetime) -> OnlineSettings:
    """The performance's settings, if a patron may buy it now. Raises BoxOfficeError
    `not_online`, `online_later`, `online_closed` (and the window's own refusals)."""
    why = online_status(db, performance_id, now)
    words = {"not_online": "this performance is not sold online: ask the box office",
             "online_later": "online sales for this performance have not opened yet",
             "online_closed": "online sales for this performance have closed: the box "
                              "office may still have seats",
             "not_on_sale_yet": "this performance is not on sale yet",
             "off_sale": "this performance is no longer on sale",
             "performance_cancelled": "this performance is cancelled"}
    if why:
        raise BoxOfficeError(words.get(why, why), code=why)
    return online_settings(db, performance_id)

