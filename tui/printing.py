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
from hardware.file_printers import PreviewPrinter
from hardware.printer_spec import Printer, PrinterError
from hardware.tickets import LayoutError, drawer_kick_job, format_when, receipt_job, ticket_job
from tui.print_jobs import receipt_from_order, tickets_from_order


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
    withheld: str = ""                  # why no ticket printed (core.sales.orders.withheld)

    @property
    def complete(self) -> bool:
        return self.error is None


def performance_names(db: Database, config: Config,
                      *some: models.Order) -> dict[int, str]:
    """Each performance of the orders' tickets as a receipt names it: "event, when"."""
    names: dict[int, str] = {}
    for performance_id in sorted({t.performance_id for o in some for t in o.tickets}):
        show = performances.get_performance(db, performance_id)
        names[performance_id] = (f"{show.event_name}, "
                                 f"{format_when(show.starts_at, config.zone)}")
    return names


def venue_name(db: Database, *some: models.Order) -> str:
    """The venue of the order's newest ticket ("" for a sale of items alone)."""
    tickets = [t for o in some for t in o.tickets]
    if not tickets:
        return ""
    return performances.get_performance(db, tickets[-1].performance_id).venue_name


def print_order(db: Database, config: Config, order: models.Order,
                signer: codes.Signer, printer: Printer, *, seller: str, now: datetime,
                receipt: bool = True, kick_drawer: bool = False,
                training: bool | None = None, tickets: bool = True) -> PrintResult:
    """Print the order's live tickets that are not printed yet, then its receipt (and kick
    the drawer for cash). Stops at the first printer error and says which tickets made it.
    `tickets=False` prints the receipt alone (will-call: the tickets print at pickup);
    the receipt always lists every ticket the order holds. Tickets a payment plan keeps
    back until it is paid in full never print here: the result says why (`withheld`).
    `training` prints TRAINING on every ticket and receipt; None (the default) asks the
    database (`core.training.is_training`), so a training sale never prints without it."""
    from core.admin.training import is_training

    if training is None:
        training = is_training(db)
    printed: list[int] = []
    logo = Path(config.printer.logo) if config.printer.logo else None
    # a payment plan may keep the tickets back until it is paid: the receipt still prints
    withheld = orders.withheld(db, order.id) if tickets else ""
    tickets = tickets and not withheld
    try:
        pending = [t for t in order.tickets
                   if tickets and t.status == "live" and not t.printed]
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
            _send(printer, receipt_job(
                receipt_from_order(order, venue=venue_name(db, order), seller=seller,
                                   when=format_when(now, config.zone),
                                   currency=config.venue.currency, training=training,
                                   performances=performance_names(db, config, order)),
                profile=printer.profile, paper_mm=printer.paper_mm),
                f"receipt-{order.number}")
        if kick_drawer and any(p.tender == "cash" for p in order.payments):
            _send(printer, drawer_kick_job(printer.profile), "drawer")
    except (PrinterError, LayoutError) as error:   # LayoutError: e.g. an unreadable logo
        return PrintResult(tuple(printed), False, error, withheld)
    return PrintResult(tuple(printed), receipt, withheld=withheld)


def print_slip(db: Database, config: Config, before: models.Order,
               after: models.Order, kind: str, printer: Printer, *, seller: str,
               now: datetime, training: bool | None = None) -> PrintResult:
    """Print the slip of one change to an order (`kind`: exchange, refund, void): an
    exchange slip once, a refund or void slip `[printer] slip_copies` times (the
    customer's, then the drawer's), and open the drawer when cash moved."""
    from core.admin.training import is_training
    from tui.print_jobs import change_slip

    if training is None:
        training = is_training(db)
    copies = ([""] if kind == "exchange" or config.printer.slip_copies == 1
              else ["CUSTOMER COPY", "DRAWER COPY"]
              + ["COPY"] * (config.printer.slip_copies - 2))
    shows = performance_names(db, config, before, after)
    venue = venue_name(db, before, after)
    paid_before = {p.id for p in before.payments}
    cash = any(p.tender == "cash" and p.id not in paid_before for p in after.payments)
    try:
        for copy in copies:
            slip = change_slip(before, after, kind, venue=venue, seller=seller,
                               when=format_when(now, config.zone),
                               currency=config.venue.currency, performances=shows,
                               house_lines=(), training=training, copy=copy)
            _send(printer, receipt_job(slip, profile=printer.profile,
                                       paper_mm=printer.paper_mm),
                  f"{kind}-{after.number}{'-' + copy.split()[0].lower() if copy else ''}")
        if cash:
            _send(printer, drawer_kick_job(printer.profile), "drawer")
    except (PrinterError, LayoutError) as error:
        return PrintResult((), False, error)
    return PrintResult((), True)
