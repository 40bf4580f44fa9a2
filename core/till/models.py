"""What a shift is: the shift, its reports and its money figures as the other layers read
them. Plain data: importing these pulls in no service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Shift:
    """A shift as anyone may see it: no expected amount (the count is blind)."""

    id: int
    user_id: int
    username: str
    station: str
    status: str                     # open, counted, closed
    opened_at: datetime
    float_cents: int
    float_counts: dict[int, int]
    tolerance_cents: int
    counted_at: datetime | None
    signed_off_by: str | None
    signoff_note: str | None
    closed_at: datetime | None
    z_number: int | None


@dataclass(frozen=True)
class ShiftReport:
    """An X report: the shift so far (nothing resets). `blind` when the shift is
    uncounted and the viewer may not see what the drawer should hold: the report then
    shows the sales by tender, refunds, drops and paid-outs, never the expected amounts."""

    shift: Shift
    at: datetime
    payments: int                    # approved payment rows so far
    figures: ShiftFigures
    blind: bool = False


@dataclass(frozen=True)
class ZReport:
    z_number: int
    shift_id: int
    closed_at: datetime
    closed_by: str
    journal_hash: str
    figures: dict[str, Any]          # the stored snapshot: every number the report shows


@dataclass(frozen=True)
class TenderTotal:
    tender: str
    payments: int                    # approved payment rows, refunds included
    taken_cents: int                 # money in (positive rows)
    returned_cents: int              # money given back (refund rows), as a positive amount

    @property
    def net_cents(self) -> int:
        return self.taken_cents - self.returned_cents


@dataclass(frozen=True)
class Movement:
    id: int
    kind: str                        # drop, paid_out
    amount_cents: int
    reason: str
    username: str
    approved_by: str
    at: datetime


@dataclass(frozen=True)
class ShiftFigures:
    float_cents: int
    tenders: tuple[TenderTotal, ...]
    drops_cents: int
    paid_outs_cents: int
    movements: tuple[Movement, ...]
    # concessions sold less returned in the shift, by category: (category, qty, gross)
    concessions: tuple[tuple[str, int, int], ...] = ()

    def tender(self, kind: str) -> TenderTotal:
        return next((t for t in self.tenders if t.tender == kind),
                    TenderTotal(kind, 0, 0, 0))

    @property
    def expected_cash_cents(self) -> int:
        """float + cash in - cash out (refunds in cash, drops, paid-outs)."""
        return (self.float_cents + self.tender("cash").net_cents - self.drops_cents
                - self.paid_outs_cents)

    @property
    def expected_checks_cents(self) -> int:
        return self.tender("check").net_cents

    @property
    def expected_card_cents(self) -> int:
        return self.tender("card").net_cents


@dataclass(frozen=True)
class TenderCount:
    tender: str                      # cash, check, card
    counted_cents: int
    expected_cents: int

    @property
    def over_short_cents(self) -> int:
        """Positive: over; negative: short."""
        return self.counted_cents - self.expected_cents


@dataclass(frozen=True)
class CountResult:
    shift_id: int
    counted_at: datetime
    cash_counts: dict[int, int]
    lines: tuple[TenderCount, ...]   # cash, check, card
    tolerance_cents: int
    signed_off: bool

    def line(self, tender: str) -> TenderCount:
        return next(line for line in self.lines if line.tender == tender)

    @property
    def over_short_cents(self) -> int:
        return sum(line.over_short_cents for line in self.lines)

    @property
    def needs_signoff(self) -> bool:
        """Any tender over or short by more than the tolerance."""
        return any(abs(line.over_short_cents) > self.tolerance_cents for line in self.lines)
