"""`boxoffice order show|refund|void|print|reprint`: an order after the sale, headless.
Protected actions take --supervisor/--supervisor-pin; failures exit 1 with the error's
code and change nothing."""

from __future__ import annotations

from typing import Any

import click

from core import clock
from core.errors import BoxOfficeError
from core.sales import aftersale, customer_orders, models, orders
from core.sales.card_provider import provider_from_config
from core.store.db import Database
from tui.cli.context import (
    cli_context,
    fail,
    open_db,
    override_of,
    reported,
    sign_in,
    signed_in_options,
    ticket_signer,
)
from tui.cli.sales import check_printer, echo_order, print_on_paper, report_printer_failure


@click.group("order")
def order() -> None:
    """Look up and change orders."""


def _find(db: Database, number: str) -> models.Order:
    return orders.find_order(db, number)


@order.command("show")
@click.argument("number")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--user", "username", help="With --pin: also show the live tickets' codes "
              "(needs sell).")
@click.option("--pin")
@click.option("--json", "as_json", is_flag=True)
def order_show(number: str, db_path: str | None, username: str | None, pin: str | None,
               as_json: bool) -> None:
    """An order with its tickets and payments; with --user/--pin, its live codes too."""
    db = open_db(db_path)
    signer = None
    with reported(as_json):
        found = _find(db, number)
        if username is not None:
            orders.authorize_codes(db, sign_in(db, username, pin or ""), found.id)
            signer = ticket_signer(db)
    echo_order(found, signer, as_json, db)


def _protected_options(command: Any) -> Any:
    for decorator in reversed([
        click.option("--db", "db_path", type=click.Path(dir_okay=False)),
        click.option("--user", "username", required=True),
        click.option("--pin", required=True),
        click.option("--reason", required=True),
        click.option("--supervisor", help="A supervisor approving it (their user name)."),
        click.option("--supervisor-pin"),
        click.option("--station", default="cli", show_default=True),
        click.option("--json", "as_json", is_flag=True),
    ]):
        command = decorator(command)
    return command


@order.command("refund")
@click.argument("number")
@click.option("--tickets", help="Ticket serials to refund (default: every live ticket).")
@click.option("--item", "item_specs", multiple=True,
              help="Goods to refund, SKU:QTY (repeat); back into stock.")
@click.option("--to", "to", type=click.Choice(["original", "cash", "credit"]),
              default="original", show_default=True,
              help="Back to the original tenders, in cash, or as the customer's account "
                   "credit.")
@_protected_options
def order_refund(number: str, tickets: str | None, item_specs: tuple[str, ...], to: str,
                 db_path: str | None, username: str, pin: str, reason: str,
                 supervisor: str | None, supervisor_pin: str | None, station: str,
                 as_json: bool) -> None:
    """Refund an order, or some of its tickets and goods (with neither --tickets nor
    --item: everything); the seats go back on sale and the goods into stock."""
    from tui.cli.stock import goods_lines

    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        found = _find(db, number)
        ids = _ticket_ids(found, tickets)
        goods = goods_lines(found, item_specs) if item_specs else None
        if goods is not None and ids is None:
            ids = []                 # only the goods named
        config = cli_context().config
        result = aftersale.refund(db, actor, found.id, reason=reason, station=station,
                               now=clock.now(), ticket_ids=ids, goods=goods, to=to,
                               override=override_of(supervisor, supervisor_pin),
                               provider=provider_from_config(config), zone=config.zone)
        signer = ticket_signer(db)
    echo_order(result, signer, as_json, db)


@order.command("void")
@click.argument("number")
@_protected_options
def order_void(number: str, db_path: str | None, username: str, pin: str, reason: str,
               supervisor: str | None, supervisor_pin: str | None, station: str,
               as_json: bool) -> None:
    """Void an order sold today: payments reversed, tickets cancelled."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        found = _find(db, number)
        result = aftersale.void(db, actor, found.id, reason=reason, station=station,
                             now=clock.now(), zone=cli_context().config.zone,
                             override=override_of(supervisor, supervisor_pin))
    echo_order(result, None, as_json, db)


@order.command("settle-card")
@click.argument("number")
@click.option("--approved", "approval_code", help="The approval code on the terminal's journal.")
@click.option("--declined", is_flag=True, help="The terminal has no approval: cancel the "
              "order and put its seats back on sale.")
@click.option("--supervisor", help="A supervisor who approves it (a seller needs one).")
@click.option("--supervisor-pin")
@signed_in_options
def order_settle_card(number: str, approval_code: str | None, declined: bool,
                      supervisor: str | None, supervisor_pin: str | None, db_path: str | None,
                      username: str, pin: str, as_json: bool) -> None:
    """Settle a card payment whose terminal answer was lost: --approved CODE or
    --declined. Find them with `report worklist`."""
    from datetime import timedelta

    from core.sales import checkout

    if declined == (approval_code is not None):
        fail("give --approved CODE or --declined", code=1)
    db = open_db(db_path)
    context = cli_context()
    with reported(as_json):
        actor = sign_in(db, username, pin)
        found = _find(db, number)
        waiting = [p for p in found.payments if p.status == "unknown"]
        if not waiting:
            raise BoxOfficeError(f"order {found.number} has no card payment waiting for "
                                 "the terminal", code="not_unknown")
        result = checkout.resolve_card_payment(
            db, actor, waiting[0].id, approved=not declined, approval_code=approval_code,
            station=context.station(), now=clock.now(),
            hold=timedelta(minutes=context.config.sales.cart_hold_minutes), release=True,
            override=override_of(supervisor, supervisor_pin))
    echo_order(result, None, as_json, db)


@order.command("print")
@click.argument("number")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--user", "username", required=True)
@click.option("--pin", required=True)
@click.option("--printer", "printer_spec", help="preview:DIR, file:PATH, usb:VID:PID, "
              "network:HOST[:PORT] or serial:DEVICE[:BAUD] (default: the config's).")
@click.option("--no-receipt", is_flag=True)
@click.option("--json", "as_json", is_flag=True)
def order_print(number: str, db_path: str | None, username: str, pin: str,
                printer_spec: str | None, no_receipt: bool, as_json: bool) -> None:
    """Print an order's tickets that are not printed yet (after a printer failure, or for
    will-call pickup) and its receipt. Exit status 3 when the printer fails."""
    from hardware.printer_spec import PrinterError
    from hardware.printers import open_printer
    from tui.printing import print_order

    db = open_db(db_path)
    now = clock.now()
    with reported(as_json):
        actor = sign_in(db, username, pin)
        check_printer(printer_spec)
        found = _find(db, number)
        orders.authorize_codes(db, actor, found.id)
        if found.delivery == "will_call" and not _picked_up(db, found.id):
            # the tickets leave the window: the pickup is recorded (needs will_call)
            customer_orders.mark_picked_up(db, actor, found.id, now=now)
        signer = ticket_signer(db)
    config = cli_context().config
    failure: BoxOfficeError | None = None
    try:
        printer = open_printer(config.printer, printer_spec)
        try:
            failure = print_order(db, config, found, signer, printer,
                                  seller=actor.display_name, now=now,
                                  receipt=not no_receipt).error
        finally:
            printer.close()
    except PrinterError as error:
        failure = error
    echo_order(orders.get_order(db, found.id), signer, as_json, db)
    report_printer_failure(found, failure)


@order.command("reprint")
@click.argument("number")
@click.option("--ticket", "ticket_serial", required=True, help="The ticket's serial.")
@click.option("--printer", "printer_spec", help="preview:DIR, file:PATH, ... (default: "
              "the config's).")
@click.option("--no-print", is_flag=True)
@_protected_options
def order_reprint(number: str, ticket_serial: str, printer_spec: str | None, no_print: bool,
                  db_path: str | None, username: str, pin: str, reason: str,
                  supervisor: str | None, supervisor_pin: str | None, station: str,
                  as_json: bool) -> None:
    """Reissue a ticket with a new code; the old code is revoked."""
    del station
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        if not no_print:   # a mistyped printer must not cost the ticket its old code
            check_printer(printer_spec)
        found = _find(db, number)
        (ticket_id,) = _ticket_ids(found, ticket_serial) or [0]
        aftersale.reprint(db, actor, ticket_id, reason=reason, now=clock.now(),
                       override=override_of(supervisor, supervisor_pin))
        signer = ticket_signer(db)
        result = orders.get_order(db, found.id)
    failure = None if no_print else print_on_paper(
        db, result, signer, printer_spec, seller=actor.display_name, now=clock.now(),
        kick=False, receipt=False)
    echo_order(orders.get_order(db, found.id), signer, as_json, db)
    if failure is not None:
        click.echo(f"Ticket {ticket_serial}'s old code is revoked; its new code is not on "
                   "paper yet.", err=True)
    report_printer_failure(result, failure)


def _picked_up(db: Database, order_id: int) -> bool:
    from core.sales.lookup import order_detail

    return order_detail(db, order_id).picked_up_at is not None


def _ticket_ids(found: models.Order, serials: str | None) -> list[int] | None:
    if not serials:
        return None
    by_serial = {t.serial: t.id for t in found.tickets}
    ids = []
    for serial in serials.split(","):
        if serial.strip() not in by_serial:
            raise BoxOfficeError(f"ticket {serial.strip()} is not in order {found.number}",
                                 code="unknown_ticket")
        ids.append(by_serial[serial.strip()])
    return ids
