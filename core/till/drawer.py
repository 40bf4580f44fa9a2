"""The cash drawer: opening it without a sale is a permission and leaves a journal row.

The drawer itself is kicked by the printer (hardware.tickets.drawer_kick_job); a cash
tender kicks it as part of the sale, which the sale's own journal rows already record.
"""

from __future__ import annotations

from datetime import datetime

from core.errors import BoxOfficeError
from core.free_text import clean_text
from core.money import refuse_card_numbers
from core.people.models import User
from core.people.permissions import Override, authorize
from core.store import journal
from core.store.db import Database, write


def record_no_sale(db: Database, actor: User, *, station: str, reason: str,
                   now: datetime, override: Override | None = None) -> int:
    """Allow and record opening the drawer without a sale; returns the journal row id.
    Needs `no_sale` (or a supervisor's override). Raises PermissionDenied,
    BoxOfficeError `reason_required`, TenderError `card_number`."""
    if not reason.strip():
        raise BoxOfficeError("say why the drawer is opened", code="reason_required")
    refuse_card_numbers(reason=reason)
    station = clean_text(station, "station", required=True)
    approver = authorize(db, actor, "no_sale", override=override)
    with write(db):
        return journal.append(db, actor=actor.username, action="drawer.no_sale",
                              subject=f"station:{station}",
                              data={"reason": reason, "approved_by": approver}, at=now)
