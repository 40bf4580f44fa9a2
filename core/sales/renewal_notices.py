"""The log of renewal notices emailed to subscribers (migration 0021): each one sent or
failed with why, by whom and when. A second run of the notices emails only the
subscribers not reached yet (`emailed`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.people.models import User
from core.people.permissions import authorize
from core.store import journal
from core.store.db import Database, insert, write
from core.times import parse_stamp, stamp


@dataclass(frozen=True)
class RenewalNotice:
    renewal_id: int
    code: str
    customer: str
    status: str              # sent, failed
    error: str
    sent_by: str
    sent_at: datetime


def record_notice(db: Database, actor: User, renewal_id: int, customer_id: int, *,
                  error: str = "", now: datetime) -> None:
    """Log one renewal notice emailed (or failed, with why). Needs `hold`."""
    authorize(db, actor, "hold")
    with write(db):
        insert(db, "INSERT INTO renewal_notices (renewal_id, customer_id, channel, status, "
               "error, sent_by, sent_at) VALUES (?, ?, 'email', ?, ?, ?, ?)",
               [renewal_id, customer_id, "failed" if error else "sent", error[:300] or None,
                actor.id, stamp(now)])
        if not error:
            journal.append(db, actor=actor.username, action="notice.renewal",
                           subject=f"renewal:{renewal_id}", data={"channel": "email"},
                           at=now)


def emailed(db: Database, series_id: int) -> set[int]:
    """The renewals of the series whose notice was emailed successfully."""
    return {row[0] for row in db.execute(
        "SELECT DISTINCT n.renewal_id FROM renewal_notices n JOIN renewals r ON "
        "r.id = n.renewal_id JOIN packages p ON p.id = r.package_id WHERE "
        "p.series_id = ? AND n.status = 'sent'", [series_id])}


def notices_sent(db: Database, series_id: int) -> list[RenewalNotice]:
    """The renewal notices emailed for a series, newest first, failures included."""
    return [RenewalNotice(row[0], row[1] or f"RN{row[0]}", row[2], row[3], row[4] or "",
                          row[5], parse_stamp(row[6])) for row in db.execute(
        "SELECT n.renewal_id, h.code, c.name, n.status, n.error, u.username, n.sent_at "
        "FROM renewal_notices n JOIN renewals r ON r.id = n.renewal_id JOIN packages p ON "
        "p.id = r.package_id JOIN customers c ON c.id = n.customer_id JOIN users u ON "
        "u.id = n.sent_by LEFT JOIN hold_codes h ON h.id = r.hold_code_id WHERE "
        "p.series_id = ? ORDER BY n.id DESC", [series_id])]
