"""`boxoffice performance list`, `boxoffice sell` and `boxoffice order ...`: the selling
services, headless, for scripting and tests. Failures exit 1 with the error's code."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

import click

from core import clock
from core.errors import BoxOfficeError
from core.free_text import clean_text
from core.gate import codes
from core.limits import MAX_SEAT_NUMBER, parse_whole
from core.money import parse_money
from core.people.models import User
from core.people.permissions import Override
from core.sales import carts, checkout, customers, models, orders, plans
from core.sales.tenders import Tender, parse_tender
from core.store.db import Database
from core.venue import performances
from tui.cli.context import cli_context, money_text, open_db, reported, sign_in, ticket_signer
from tui.cli.types import COUNT, ID


def order_json(order: models.Order, signer: codes.Signer | None) -> dict[str, Any]:
    return {
        "id": order.id, "number": order.number, "status": order.status,
        "channel": order.channel, "delivery": order.delivery,
        "created_at": order.created_at.isoformat(), "value_cents": order.value_cents,
        "paid_cents": order.paid_cents, "balance_cents": order.balance_cents,
        "change_cents": order.change_cents,
        "tickets": [{
            **{k: v for k, v in asdict(t).items()}, "label": t.label,
            "code": orders.ticket_code(signer, t) if signer and t.status == "live" else None,
        } for t in order.tickets],
        "goods": [{**asdict(g), "kept": g.kept, "each_cents": g.each_cents}
                  for g in order.goods],
        "payments": [asdict(p) for p in order.payments],
    }


def echo_order(order: models.Order, signer: codes.Signer | None, as_json: bool,
                 db: Database | None = None) -> None:
    withheld = orders.withheld(db, order.id) if db is not None else ""
    if withheld:            # no code leaves the box office until the plan is paid
        signer = None
    if as_json:
        click.echo(json.dumps({**order_json(order, signer), "withheld": withheld or None},
                              indent=2))
        return
    click.echo(f"Order {order.number}  {order.status}  ({order.channel}, {order.delivery})")
    shows: dict[int, str] = {}
    if db is not None:
        zone = cli_context().config.zone
        for performance_id in sorted({t.performance_id for t in order.tickets}):
            show = performances.get_performance(db, performance_id)
            shows[performance_id] = (f"{show.event_name}, "
                                     f"{show.starts_at.astimezone(zone):%a %d %b %Y %H:%M}")
    for ticket in order.tickets:
        amount = ticket.base_cents + ticket.fee_cents + ticket.tax_cents
        click.echo(f"  {ticket.serial}  {ticket.label:<22} {ticket.price_type:<8} "
                   f"{money_text(ticket.base_cents):>8} + fee {money_text(ticket.fee_cents)} + tax "
                   f"{money_text(ticket.tax_cents)} = {money_text(amount):>8}  {ticket.status}")
        if ticket.performance_id in shows:
            click.echo(f"      for {shows[ticket.performance_id]}")
        if signer and ticket.status == "live":
            click.echo(f"      code {orders.ticket_code(signer, ticket)}")
    if withheld:
        click.echo(f"  no codes: {withheld}")
    for good in order.goods:
        back = f"  {good.returned} returned" if good.returned else ""
        click.echo(f"  {good.sku:<9} {good.description[:22]:<22} x{good.quantity:<3} "
                   f"{money_text(good.price_cents):>8} + tax {money_text(good.tax_cents)} each = "
                   f"{money_text(good.each_cents * good.quantity):>8}{back}")
    for payment in order.payments:
        card = f" {payment.card_brand} ...{payment.card_last4}" if payment.card_last4 else ""
        approval = f" approval {payment.approval_code}" if payment.approval_code else ""
        change = f", change {money_text(payment.change_cents)}" if payment.change_cents else ""
        click.echo(f"  paid {payment.tender}{card}{approval}: {money_text(payment.amount_cents)} "
                   f"({payment.status}{change})")
    click.echo(f"  value {money_text(order.value_cents)}  paid {money_text(order.paid_cents)}  "
               f"balance {money_text(order.balance_cents)}")


@click.group("performance")
def performance() -> None:
    """Performances."""


@performance.command("list")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def performance_list(db_path: str | None, as_json: bool) -> None:
    """Every performance, in start order, with its venue and local time."""
    db = open_db(db_path)
    zone = cli_context().config.zone
    shows = performances.list_performances(db)
    if as_json:
        click.echo(json.dumps([{
            "id": p.id, "event": p.event_name, "venue": p.venue_name, "venue_code": p.venue_code,
            "venue_kind": p.venue_kind, "starts_at": p.starts_at.isoformat(),
            "local_time": p.starts_at.astimezone(zone).isoformat(), "status": p.status,
        } for p in shows], indent=2))
        return
    for show in shows:
        click.echo(f"#{show.id:<4} {show.starts_at.astimezone(zone):%a %d %b %Y %H:%M}  "
                   f"{show.event_name}  ({show.venue_name})  {show.status}")


def tenders_from_specs(specs: tuple[str, ...], total: int) -> list[Tender]:
    """Tenders from `cash:HANDED`, `card:BRAND:LAST4:APPROVAL[@AMOUNT]`, `check:N[@AMOUNT]`,
    `comp:REASON`: each takes what is still due unless it names an amount."""
    result = []
    due = total
    for spec in specs:
        body, _, amount_text = spec.partition("@")
        if body.startswith("cash:") or body == "cash":
            handed = parse_money(body[5:]) if body[5:] else due
            applied = min(due, handed) if not amount_text else parse_money(amount_text)
            result.append(Tender("cash", applied, tendered_cents=handed))
        else:
            applied = parse_money(amount_text) if amount_text else due
            result.append(parse_tender(body, applied))
        due -= result[-1].amount_cents
    return result


@click.command("sell")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--user", "username", required=True)
@click.option("--pin", required=True)
@click.option("--performance", "performance_id", type=ID,
              help="Needed for --seats, --best and --ga.")
@click.option("--seats", help="SECTION-ROW-NUMBER,... e.g. ORCH-A-101,ORCH-A-102")
@click.option("--best", type=COUNT, help="The best N adjacent seats.")
@click.option("--zone", help="With --best: a price zone letter.")
@click.option("--section", help="With --best: a section code.")
@click.option("--ga", help="General admission: AREA:N, e.g. FIELD:4")
@click.option("--price-type", default="ADULT", show_default=True)
@click.option("--item", "item_specs", multiple=True,
              help="Concessions or merchandise SKU:QTY (repeat), with or without tickets.")
@click.option("--allow-short", is_flag=True, help="Sell items beyond what is in stock "
              "(needs stock_override, or a --supervisor).")
@click.option("--tender", "tender_specs", multiple=True, required=True,
              help="cash:HANDED | card:BRAND:LAST4:APPROVAL | check:NUMBER | comp:REASON, "
                   "with @AMOUNT to split; repeat for a split tender.")
@click.option("--customer", "customer_id", type=ID)
@click.option("--plan", "plan_spec", help="A payment plan: the later instalments "
              "YYYY-MM-DD:AMOUNT,... (the tenders pay the rest now; needs --customer and "
              "group_sales).")
@click.option("--plan-tickets", type=click.Choice(["first-payment", "paid-in-full"]),
              default="first-payment", show_default=True,
              help="With --plan: issue the tickets now, or only when the plan is paid.")
@click.option("--will-call", is_flag=True, help="Hold the tickets for pickup.")
@click.option("--station", default="cli", show_default=True)
@click.option("--supervisor", help="A supervisor approving a protected action (comps).")
@click.option("--supervisor-pin")
@click.option("--printer", "printer_spec", help="Print on this printer instead of the "
              "config's: preview:DIR, file:PATH, usb:VID:PID, network:HOST[:PORT], "
              "serial:DEVICE[:BAUD].")
@click.option("--no-print", is_flag=True, help="Do not print tickets and receipt.")
@click.option("--json", "as_json", is_flag=True)
def sell(db_path: str | None, username: str, pin: str, performance_id: int | None,
         seats: str | None, best: int | None, zone: str | None, section: str | None,
         ga: str | None, price_type: str, item_specs: tuple[str, ...], allow_short: bool,
         tender_specs: tuple[str, ...],
         customer_id: int | None, plan_spec: str | None, plan_tickets: str, will_call: bool,
         station: str, supervisor: str | None,
         supervisor_pin: str | None, printer_spec: str | None, no_print: bool,
         as_json: bool) -> None:
    """Sell seats (by name, best available, or general admission) and/or items, print the
    tickets and the receipt, and show the order. A printer failure leaves the order
    committed (exit status 3); `boxoffice order print NUMBER` prints what is left."""
    from tui.cli.stock import add_goods, parse_items

    chosen = sum(x is not None for x in (seats, best, ga))
    if chosen > 1 or (chosen == 0 and not item_specs):
        click.echo("boxoffice: give one of --seats, --best, --ga, and/or --item", err=True)
        sys.exit(2)
    if chosen and performance_id is None:
        click.echo("boxoffice: --seats, --best and --ga need --performance", err=True)
        sys.exit(2)
    config = cli_context().config
    hold = timedelta(minutes=config.sales.cart_hold_minutes)
    db = open_db(db_path)
    now = clock.now()
    with reported(as_json):
        actor = sign_in(db, username, pin)
        # everything that can be refused is refused before the sale takes money
        if not (no_print or will_call):
            check_printer(printer_spec)
        if customer_id is not None:
            customers.get_customer(db, customer_id)
        station = clean_text(station, "station", required=True)
        wanted = parse_items(item_specs)
        seat_labels = _seat_labels(seats) if seats is not None else []
        ga_count = _ga_count(ga) if ga is not None else 0
        signer = ticket_signer(db)
        cart_id = carts.open_cart(db, actor, station, now, hold)
        try:
            if performance_id is not None and chosen:
                _add_seats(db, actor, cart_id, performance_id, seat_labels, best, ga,
                           ga_count, price_type, zone=zone, section=section, now=now,
                           hold=hold)
            override = Override(supervisor, supervisor_pin or "") if supervisor else None
            add_goods(db, actor, cart_id, wanted, now, hold=hold, allow_short=allow_short,
                      override=override)
            cart = carts.view_cart(db, cart_id)
            if plan_spec is not None:
                later = parse_plan(plan_spec)
                if customer_id is None:
                    raise BoxOfficeError("a payment plan is agreed with a customer: give "
                                         "--customer", code="no_customer")
                first = cart.total_cents - sum(amount for _, amount in later)
                if first <= 0:
                    raise BoxOfficeError(
                        f"the later instalments come to {money_text(cart.total_cents - first)}"
                        f" of {money_text(cart.total_cents)}: something is paid today",
                        code="bad_plan")
                plan = plans.sell_on_plan(db, actor, cart_id,
                                          tenders_from_specs(tender_specs, first), later,
                                          customer_id=customer_id, station=station,
                                          now=now, zone=config.zone,
                                          tickets=plan_tickets.replace("-", "_"),
                                          delivery="will_call" if will_call else "print")
                order = orders.get_order(db, plan.order_id)
            else:
                order = checkout.checkout(db, actor, cart_id,
                                          tenders_from_specs(tender_specs, cart.total_cents),
                                          station=station, now=now, customer_id=customer_id,
                                          delivery="will_call" if will_call else "print",
                                          override=override)
        except BaseException:   # a refusal, or a bug: either way nothing stays locked
            if carts.view_cart(db, cart_id).status == "open":
                carts.cancel_cart(db, actor, cart_id, now)
            raise
    failure = None if no_print or will_call else print_on_paper(
        db, order, signer, printer_spec, seller=actor.display_name, now=now, kick=True)
    echo_order(orders.get_order(db, order.id), signer, as_json, db)
    report_printer_failure(order, failure)


def parse_plan(spec: str) -> list[tuple[date, int]]:
    """'2026-12-15:100.00,2027-01-15:100' -> [(date, cents), ...]. Raises BoxOfficeError
    `bad_plan`."""
    found = []
    for part in spec.split(","):
        when, _, amount = part.strip().partition(":")
        try:
            found.append((date.fromisoformat(when), parse_money(amount)))
        except (ValueError, BoxOfficeError):
            raise BoxOfficeError(f"cannot read the instalment '{part.strip()[:40]}': use "
                                 "YYYY-MM-DD:AMOUNT", code="bad_plan") from None
    return found


def _seat_labels(seats: str) -> list[tuple[str, str, int]]:
    """--seats ORCH-A-101,... as (section, row, number). Raises BoxOfficeError `bad_seat`."""
    labels = []
    for label in seats.split(","):
        try:
            sec, row, number_text = label.strip().rsplit("-", 2)
        except ValueError:
            raise BoxOfficeError(f"cannot read seat '{label[:40]}': use SECTION-ROW-"
                                 "NUMBER", code="bad_seat") from None
        labels.append((sec, row, parse_whole(number_text, f"seat '{label[:40]}'",
                                             maximum=MAX_SEAT_NUMBER, code="bad_seat")))
    return labels


def _ga_count(ga: str) -> int:
    """The N of --ga AREA:N. Raises BoxOfficeError `bad_ga`."""
    _, _, count_text = ga.partition(":")
    if not count_text.strip():
        raise BoxOfficeError("use --ga AREA:N, e.g. FIELD:4", code="bad_ga")
    return parse_whole(count_text, "--ga", minimum=1, code="bad_ga")


def _add_seats(db: Database, actor: User, cart_id: int, performance_id: int,
               seat_labels: list[tuple[str, str, int]], best: int | None, ga: str | None,
               ga_count: int, price_type: str, *, zone: str | None, section: str | None,
               now: datetime, hold: timedelta) -> None:
    """Put the seats asked for by --seats, --best or --ga in the cart."""
    from core.venue import inventory

    if seat_labels:
        ids = [inventory.find_seat(db, performance_id, sec, row, number)
               for sec, row, number in seat_labels]
        carts.add_seats(db, actor, cart_id, performance_id, ids, price_type, now, hold)
    elif best is not None:
        carts.add_best_available(db, actor, cart_id, performance_id, best, price_type, now,
                                 hold, zone=zone, section=section)
    else:
        area = (ga or "").partition(":")[0]
        carts.add_area_places(db, actor, cart_id, performance_id, area, ga_count,
                              price_type, now, hold)


def check_printer(printer_spec: str | None) -> None:
    """Refuse a mistyped printer (PrinterError `bad_printer_spec`) before any write."""
    from hardware.printers import printer_settings

    printer_settings(cli_context().config.printer, printer_spec)


def print_on_paper(db: Database, order: models.Order, signer: codes.Signer,
                    printer_spec: str | None, *, seller: str, now: datetime,
                    kick: bool, receipt: bool = True) -> BoxOfficeError | None:
    """Print the order's unprinted tickets and its receipt; the error, if any."""
    from hardware.printer_spec import PrinterError
    from hardware.printers import open_printer
    from tui.printing import print_order

    config = cli_context().config
    try:
        printer = open_printer(config.printer, printer_spec)
    except PrinterError as error:
        return error
    try:
        result = print_order(db, config, order, signer, printer, seller=seller, now=now,
                             kick_drawer=kick, receipt=receipt)
    finally:
        printer.close()
    return result.error


def report_printer_failure(order: models.Order, failure: BoxOfficeError | None) -> None:
    if failure is None:
        return
    click.echo(f"error [{failure.code}]: {failure.message}", err=True)
    click.echo(f"Order {order.number} is committed. When the printer is back: "
               f"boxoffice order print {order.number}", err=True)
    sys.exit(3)


