"""Printing an order: core (orders, tokens) meets hardware (layouts, printers) here, in
the front end, so neither of those layers imports the other.

A ticket is marked printed only after the printer took its job; a printer failure leaves
the order committed and the rest of its tickets unprinted, ready to print again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from core.config import Config
from core.errors import BoxOfficeError
from core.gate import codes
from core.sales import models, orders
from core.store.db import Database
from core.venue import performances
from hardware.printers import PreviewPrinter, Printer, PrinterError
from hardware.tickets import (
    LayoutError,
    drawer_kick_job,
    format_when,
    receipt_from_order,
    receipt_job,
    ticket_job,
    tickets_from_order,
)


def _send(printer: Printer, job: bytes, label: str) -> None:
    """Send a job; the preview printer also names its files after what was printed."""
    if isinstance(printer, PreviewPrinter):
        printer.send(job, label=label)
    else:
        printer.send(job)


@dataclass(frozen=True)
class PrintResult:
    printed: tuple[int, ...]            # ticket ids the printer took
    receipt: bool
    error: BoxOfficeError | None = None   # what stopped it, if anything

    @property
    def complete(self) -> bool:
        return self.error is None


def print_order(db: Database, config: Config, order: models.Order,
                signer: codes.Signer, printer: Printer, *, seller: str, now: datetime,
                receipt: bool = True, kick_drawer: bool = False,
                training: bool | None = None) -> PrintResult:
    """Print the order's live tickets that are not printed yet, then its receipt (and kick
    the drawer for cash). Stops at the first printer error and says which tickets made it.
    `training` prints TRAINING on every ticket and receipt; None (the default) asks the
    database (`core.training.is_training`), so a training sale never prints without it."""
    from core.admin.training import is_training

    if training is None:
        training = is_training(db)
    printed: list[int] = []
    logo = Path(config.printer.logo) if config.printer.logo else None
    try:
        pending = [t for t in order.tickets if t.status == "live" and not t.printed]
        for performance_id in sorted({t.performance_id for t in pending}):
            show = performances.get_performance(db, performance_id)
            ids = [t.id for t in pending if t.performance_id == performance_id]
            for ticket in tickets_from_order(
                    order, signer, venue=show.venue_name, event=show.event_name,
                    when=format_when(show.starts_at, config.zone), ticket_ids=ids,
                    currency=config.venue.currency, training=training,
                    house_lines=config.tickets.house_lines):
                _send(printer, ticket_job(ticket, profile=printer.profile,
                                          paper_mm=printer.paper_mm, logo=logo),
                      f"ticket-{ticket.serial}")
                ticket_id = next(t.id for t in pending if t.serial == ticket.serial)
                orders.mark_printed(db, [ticket_id], now)
                printed.append(ticket_id)
        if receipt:
            venue = (performances.get_performance(db, order.tickets[0].performance_id)
                     .venue_name if order.tickets else "")
            _send(printer, receipt_job(
                receipt_from_order(order, venue=venue, seller=seller,
                                   when=format_when(now, config.zone),
                                   currency=config.venue.currency, training=training),
                profile=printer.profile, paper_mm=printer.paper_mm),
                f"receipt-{order.number}")
        if kick_drawer and any(p.tender == "cash" for p in order.payments):
            _send(printer, drawer_kick_job(printer.profile), "drawer")
    except (PrinterError, LayoutError) as error:   # LayoutError: e.g. an unreadable logo
        return PrintResult(tuple(printed), False, error)
    return PrintResult(tuple(printed), receipt)
