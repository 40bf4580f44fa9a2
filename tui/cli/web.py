"""`boxoffice web ...`: the storefront's reservations waiting to be paid, paying one at
this window, and the log of emails sent to patrons (`boxoffice serve` runs the site)."""

from __future__ import annotations

import json
import sys

import click

from core import clock
from core.errors import BoxOfficeError
from core.sales import card_checkout, online, reservations
from core.sales.card_provider import provider_from_config
from core.sales.reservations import WebOrder
from tui.cli import web_setup
from tui.cli.context import (
    cli_context,
    done,
    fail,
    money_text,
    open_db,
    reported,
    sign_in,
    signed_in_options,
)
from tui.cli.sales import tenders_from_specs


@click.group("web")
def web() -> None:
    """Online sales: reservations to pay at the window, emails sent to patrons."""


def _line(order: WebOrder) -> str:
    zone = cli_context().config.zone
    pay_by = order.pay_by.astimezone(zone).strftime("%a %d %b %H:%M") if order.pay_by else ""
    return (f"{order.number}  {order.name} <{order.email}>  {order.cart.ticket_count} "
            f"ticket(s)  {money_text(order.total_cents)}  pay by {pay_by}")


@web.command("reservations")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def list_reservations(db_path: str | None, as_json: bool) -> None:
    """The reservations waiting to be paid, soonest deadline first (overdue ones are
    cancelled: their seats went back on sale at the deadline)."""
    db = open_db(db_path)
    with reported(as_json):
        found = reservations.open_reservations(db, clock.now())
    if as_json:
        click.echo(json.dumps([{"number": o.number, "name": o.name, "email": o.email,
                                "tickets": o.cart.ticket_count, "total_cents": o.total_cents,
                                "pay_by": o.pay_by.isoformat() if o.pay_by else None}
                               for o in found]))
        return
    for order in found:
        click.echo(_line(order))
    if not found:
        click.echo("No reservation is waiting to be paid.")


@web.command("pay")
@signed_in_options
@click.argument("number")
@click.option("--tender", "tender_specs", multiple=True, required=True,
              help="cash, cash:HANDED, card:BRAND:LAST4:APPROVAL, check:NUMBER; with "
                   "@AMOUNT to split; repeat for a split tender.")
@click.option("--station", default="cli", show_default=True)
def pay(db_path: str | None, username: str, pin: str, as_json: bool, number: str,
        tender_specs: tuple[str, ...], station: str) -> None:
    """Take payment for reservation NUMBER (in your open shift) and issue its tickets
    (print them from the window's order lookup, or `boxoffice order print`)."""
    db = open_db(db_path)
    with reported(as_json):
        seller = sign_in(db, username, pin)
        order = reservations.find_reservation(db, number)
        paid = reservations.pay_reservation(db, seller, order.id,
                                            tenders_from_specs(tender_specs, order.total_cents),
                                            station=station, now=clock.now())
    done(as_json, f"Order {paid.number} paid: {paid.cart.ticket_count} ticket(s) issued.",
         number=paid.number, status=paid.status)


@web.command("messages")
@signed_in_options
@click.option("--failed", is_flag=True, help="Only the emails that could not be sent.")
def messages(db_path: str | None, username: str, pin: str, as_json: bool,
             failed: bool) -> None:
    """The emails sent to patrons (newest first), and why one failed."""
    db = open_db(db_path)
    with reported(as_json):
        found = online.messages(db, sign_in(db, username, pin), failed_only=failed)
    if as_json:
        click.echo(json.dumps([{"order": m.order_number, "kind": m.kind, "to": m.recipient,
                                "status": m.status, "error": m.error,
                                "at": m.at.isoformat()} for m in found]))
        return
    zone = cli_context().config.zone
    for m in found:
        click.echo(f"{m.at.astimezone(zone):%Y-%m-%d %H:%M}  order {m.order_number}  "
                   f"{m.kind}  {m.recipient}  {m.status.upper()}"
                   + (f"  {m.error}" if m.error else ""))
    if not found:
        click.echo("No email has been sent." if not failed else "No email failed.")



@web.command("refunds")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
def refunds(db_path: str | None) -> None:
    """Send back the online payments still owed to patrons (a payment that arrived after
    its seats were sold, when the card provider could not be reached to refund it)."""
    db = open_db(db_path)
    due = card_checkout.pending_refunds(db)
    if not due:
        click.echo("No refund is due.")
        return
    provider = provider_from_config(cli_context().config)
    if provider is None:
        fail(f"{len(due)} refund(s) are due but no card provider is set up ([payments])", 1)
    failed = 0
    for attempt_id in due:
        try:
            card_checkout.refund(db, provider, attempt_id, clock.now())
            click.echo(f"payment attempt {attempt_id}: refunded")
        except BoxOfficeError as error:
            failed += 1
            click.echo(f"payment attempt {attempt_id}: NOT refunded: {error.message}")
    if failed:
        sys.exit(1)


web.add_command(web_setup.online)
web.add_command(web_setup.site_command, "site")
web.add_command(web_setup.page)
web.add_command(web_setup.queue)
