"""`boxoffice flex ...`: flex passes of a series sold, redeemed by their number or
scanned code, an admission taken back, and the list with the admissions left (docs/
subscriptions.md). A refusal exits 1 with the error's code and changes nothing."""

from __future__ import annotations

import json
import sys

import click

from core import clock
from core.errors import BoxOfficeError
from core.limits import parse_whole
from core.sales import flex, orders, subscriptions
from core.venue import pricing
from core.venue import series as series_service
from tui.cli.context import (
    done,
    money_text,
    open_db,
    override_of,
    reported,
    sign_in,
    signed_in_options,
    ticket_signer,
)
from tui.cli.sales import check_printer, print_on_paper, report_printer_failure, tenders_from_specs
from tui.cli.types import ID


@click.group("flex")
def flex_group() -> None:
    """Flex passes: N admissions on a series' performances, redeemed at the window."""


@flex_group.command("sell")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--user", "username", required=True)
@click.option("--pin", required=True)
@click.option("--package", "package_id", type=ID, required=True)
@click.option("--price-type", default="ADULT", show_default=True)
@click.option("--customer", "customer_id", type=ID, help="The pass holder.")
@click.option("--new-customer", "new_customer", help="Or a new pass holder's name ...")
@click.option("--phone", default="", help="... with their phone ...")
@click.option("--email", default="", help="... and email.")
@click.option("--tender", "tender_specs", multiple=True, required=True,
              help="cash:HANDED | card:BRAND:LAST4:APPROVAL | check:NUMBER, with @AMOUNT "
                   "to split.")
@click.option("--station", default="cli", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def flex_sell(db_path: str | None, username: str, pin: str, package_id: int,
              price_type: str, customer_id: int | None, new_customer: str | None,
              phone: str, email: str, tender_specs: tuple[str, ...], station: str,
              as_json: bool) -> None:
    """Sell a flex pass; shows its number and its signed code."""
    if (customer_id is None) == (new_customer is None):
        click.echo("boxoffice: give one of --customer or --new-customer", err=True)
        sys.exit(2)
    db = open_db(db_path)
    now = clock.now()
    with reported(as_json):
        actor = sign_in(db, username, pin)
        holder: int | subscriptions.NewSubscriber = (
            customer_id if customer_id is not None
            else subscriptions.NewSubscriber(new_customer or "", phone, email))
        package = series_service.get_package(db, package_id)
        type_id, _ = pricing.price_type_id(db, price_type)
        price = series_service.get_package_price(db, package_id, series_service.ANY_ZONE,
                                                 type_id)
        sold = flex.sell_flex_pass(db, actor, package.id, price_type,
                                   tenders_from_specs(tender_specs, price.total_cents),
                                   customer_id=holder, station=station, now=now)
        code = flex.pass_code(ticket_signer(db), sold.id)
    done(as_json, f"flex pass #{sold.id} ({sold.package_code}, {sold.admissions} "
                  f"admissions, at most {sold.per_performance} a performance) for "
                  f"{sold.customer_name}: order {sold.order_number}, "
                  f"{money_text(sold.total_cents)}\n  code {code}",
         pass_id=sold.id, order=sold.order_number, code=code, admissions=sold.admissions)


@flex_group.command("redeem")
@click.argument("pass_ref")
@click.option("--performance", "performance_id", type=ID, required=True)
@click.option("--seats", help="SECTION-ROW-NUMBER, ranges FIRST..LAST")
@click.option("--ga", help="General admission: AREA:N, e.g. FIELD:2")
@click.option("--printer", "printer_spec", help="Print on this printer instead of the "
              "config's.")
@click.option("--no-print", is_flag=True, help="Do not print the tickets now.")
@signed_in_options
def flex_redeem(pass_ref: str, performance_id: int, seats: str | None, ga: str | None,
                printer_spec: str | None, no_print: bool, db_path: str | None,
                username: str, pin: str, as_json: bool) -> None:
    """Redeem admissions of a pass (its number or its scanned code) for a performance."""
    if (seats is None) == (ga is None):
        click.echo("boxoffice: give one of --seats or --ga", err=True)
        sys.exit(2)
    db = open_db(db_path)
    now = clock.now()
    with reported(as_json):
        actor = sign_in(db, username, pin)
        if not no_print:
            check_printer(printer_spec)
        found = flex.find_pass(db, pass_ref)
        area, quantity = None, 1
        if ga is not None:
            area, _, count = ga.partition(":")
            quantity = parse_whole(count or "1", "--ga", minimum=1, code="bad_ga")
        before = {t.id for t in orders.get_order(db, found.order_id).tickets}
        order = flex.redeem(db, actor, found.id, performance_id, seats=seats, area=area,
                            quantity=quantity, now=now)
        signer = ticket_signer(db)
    new = [t for t in order.tickets if t.id not in before]
    failure = None if no_print else print_on_paper(
        db, order, signer, printer_spec, seller=actor.display_name, now=now, kick=False,
        receipt=False)
    left = flex.get_pass(db, found.id).left
    if as_json:
        click.echo(json.dumps({"pass_id": found.id, "left": left, "tickets": [
            {"id": t.id, "serial": t.serial, "label": t.label,
             "performance_id": t.performance_id, "code": orders.ticket_code(signer, t)}
            for t in new]}, indent=2))
    else:
        for t in new:
            click.echo(f"  {t.serial}  {t.label:<22} performance #{t.performance_id}")
        click.echo(f"pass #{found.id}: {left} admission(s) left")
    report_printer_failure(order, failure)


@flex_group.command("return")
@click.argument("pass_ref")
@click.option("--ticket", "serial", required=True, help="The ticket's serial, T00000012.")
@click.option("--reason", required=True)
@click.option("--supervisor", help="A supervisor approving it (needs refund).")
@click.option("--supervisor-pin")
@signed_in_options
def flex_return(pass_ref: str, serial: str, reason: str, supervisor: str | None,
                supervisor_pin: str | None, db_path: str | None, username: str, pin: str,
                as_json: bool) -> None:
    """Take back a ticket redeemed on a pass (its number or code): the seat goes back on
    sale and the pass gets the admission back; no money moves. Needs refund."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        found = flex.find_pass(db, pass_ref)
        ticket_id = next((t.id for t in orders.get_order(db, found.order_id).tickets
                          if t.serial == serial.strip().upper()), None)
        if ticket_id is None:
            raise BoxOfficeError(f"pass #{found.id} has no ticket {serial[:12]}",
                                 code="unknown_ticket")
        back = flex.return_admission(db, actor, ticket_id, reason=reason, now=clock.now(),
                                     override=override_of(supervisor, supervisor_pin))
    done(as_json, f"{serial.upper()} returned: pass #{back.id} has {back.left} "
                  "admission(s) left", pass_id=back.id, left=back.left)


@flex_group.command("list")
@click.option("--package", "package_id", type=ID)
@click.option("--customer", "customer_id", type=ID)
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def flex_list(package_id: int | None, customer_id: int | None, db_path: str | None,
              as_json: bool) -> None:
    """Flex passes with their holder and the admissions left."""
    db = open_db(db_path)
    found = flex.list_passes(db, package_id=package_id, customer_id=customer_id)
    if as_json:
        click.echo(json.dumps([{"id": p.id, "package": p.package_code,
                                "customer_id": p.customer_id, "customer": p.customer_name,
                                "order": p.order_number, "admissions": p.admissions,
                                "used": p.used, "left": p.left, "voided": p.voided}
                               for p in found], indent=2))
        return
    for p in found:
        click.echo(f"#{p.id:<5} {p.package_code:<8} {p.customer_name[:24]:<24} order "
                   f"{p.order_number} {p.used}/{p.admissions} used, {p.left} left"
                   + ("  VOIDED" if p.voided else ""))
