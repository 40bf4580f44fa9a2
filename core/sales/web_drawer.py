"""The web drawer: the storefront account's shift at station `web`, where online card
money lands. The system opens it for the venue's day and, on the first web payment of
the next day, counts it (the provider's records are its slips: what it took is what is
expected) and closes it, so every day of web sales has its own gapless Z."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from core.people.models import User
from core.sales.online import STATION, web_account
from core.store.db import Database
from core.till import shifts
from core.till.figures import compute_figures


def web_shift(db: Database, now: datetime, zone: ZoneInfo) -> int:
    """Inside a write: the web drawer's shift for today (the venue's day). A shift left
    from an earlier day is counted (the provider's records are its slips: what it took
    is what is expected) and closed first, so every day has its own gapless Z."""
    account = web_account(db)
    shift = shifts.current_shift(db, account.id)
    today = now.astimezone(zone).date()
    if shift is not None and shift.opened_at.astimezone(zone).date() < today:
        close_web_day(db, account, shift.id, now)
        shift = None
    if shift is None:
        shift = shifts.open_shift(db, account, station=STATION, float_counts={}, now=now)
    return shift.id


def close_web_day(db: Database, account: User, shift_id: int, now: datetime) -> None:
    """Count and close the web drawer's shift (cards only; nothing to count by hand)."""
    shift = shifts.get_shift(db, shift_id)
    if shift.status == "open":
        figures = compute_figures(db, shift_id, shift.float_cents)
        shifts.submit_count(db, account, shift_id, cash_counts={}, checks_cents=0,
                            card_slips_cents=figures.expected_card_cents, now=now)
    shifts.close_shift(db, account, shift_id, now=now)
