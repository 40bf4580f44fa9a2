"""`boxoffice group|consignment ...`: the counter's work beyond a sale, headless (the
customers' commands are in tui/cli/customers.py).
Every command signs in with --user/--pin; core checks the permission, refuses card
numbers in free text and journals the change; a failure exits 1 with the error's code."""

from __future__ import annotations

import json
from datetime import date

import click

from core import clock
from core.errors import BoxOfficeError
from core.money import parse_money
from core.sales import (
    consignment,
    customers,
    groups,
)
from core.sales.orders import find_order, get_order
from core.sales.tenders import Tender
from core.venue import inventory
from tui.cli.context import (
    cli_context,
    done,
    money_text,
    open_db,
    reported,
    sign_in,
    signed_in_options,
)
from tui.cli.types import ID


def _money_tender(spec: str, amount_cents: int) -> Tender:
    """cash, or check:NUMBER."""
    kind, _, number = spec.partition(":")
    if kind == "cash":
        return Tender("cash", amount_cents, tendered_cents=amount_cents)
    if kind == "check" and number:
        return Tender("check", amount_cents, check_number=number)
    raise BoxOfficeError(f"cannot read tender '{spec[:20]}': use cash or check:NUMBER",
                         code="bad_tender")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BoxOfficeError(f"'{text[:20]}' is not a date such as 2027-01-31",
                             code="bad_date") from None


# --- groups ------------------------------------------------------------------------------

@click.group("group")
def group() -> None:
    """Group sales: a block held, sold with a deposit, the balance, the unsold released."""


@group.command("list")
@signed_in_options
def group_list(db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Every group with its block, tickets, and what it owes by when."""
    db = open_db(db_path)
    with reported(as_json):
        sign_in(db, username, pin)
        lines = groups.list_groups(db)
    if as_json:
        click.echo(json.dumps([{"id": g.group.id, "name": g.group.name, "contact": g.contact,
                                "hold": g.group.hold_code, "held": g.held, "tickets": g.sold,
                                "owed_cents": g.owed_cents,
                                "next_due": g.next_due.isoformat() if g.next_due else None}
                               for g in lines], indent=2))
        return
    for g in lines:
        due = f"due {g.next_due.isoformat()}" if g.next_due else ""
        click.echo(f"#{g.group.id:<4} {g.group.name:<26} {g.contact:<18} held {g.held:<4} "
                   f"tickets {g.sold:<4} owes {money_text(g.owed_cents)} {due}")


@group.command("add")
@click.argument("name")
@click.option("--contact", required=True, help="The contact's name (a new customer).")
@click.option("--phone", default="")
@click.option("--email", default="")
@signed_in_options
def group_add(name: str, contact: str, phone: str, email: str, db_path: str | None,
              username: str, pin: str, as_json: bool) -> None:
    """A new group and its contact; its block's hold code is GRP<id>."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        person = customers.create_customer(db, actor, contact, phone=phone, email=email,
                                           now=clock.now())
        made = groups.create_group(db, actor, name, customer_id=person.id, now=clock.now())
    done(as_json, f"group #{made.id} {made.name}: hold code {made.hold_code}",
         group_id=made.id, hold=made.hold_code)


@group.command("hold")
@click.argument("group_id", type=ID)
@click.option("--performance", "performance_id", type=ID, required=True)
@click.option("--seats", required=True, help="e.g. ORCH-S-101..120,ORCH-T-101")
@signed_in_options
def group_hold(group_id: int, performance_id: int, seats: str, db_path: str | None,
               username: str, pin: str, as_json: bool) -> None:
    """Hold seats for the group's block."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        held = groups.hold_block(db, actor, group_id, performance_id,
                                 inventory.seats_by_label(db, performance_id, seats),
                                 clock.now())
    done(as_json, f"{held} seat(s) held for group #{group_id}", held=held)


@group.command("sell")
@click.argument("group_id", type=ID)
@click.option("--performance", "performance_id", type=ID, required=True)
@click.option("--seats", help="Seats of the block (default: every seat still held).")
@click.option("--paid", required=True, help="What is paid now: the whole price or a deposit.")
@click.option("--tender", "tender_spec", default="cash", show_default=True,
              help="cash or check:NUMBER")
@click.option("--due", help="The balance due date, YYYY-MM-DD (default: today).")
@signed_in_options
def group_sell(group_id: int, performance_id: int, seats: str | None, paid: str,
               tender_spec: str, due: str | None, db_path: str | None, username: str,
               pin: str, as_json: bool) -> None:
    """Sell seats of the block at the GROUP price, in full or with a deposit."""
    db = open_db(db_path)
    context = cli_context()
    with reported(as_json):
        actor = sign_in(db, username, pin)
        ids = (inventory.seats_by_label(db, performance_id, seats) if seats
               else groups.held_in_block(db, group_id, performance_id))
        now = clock.now()
        order = groups.group_order(
            db, actor, group_id, performance_id, ids,
            [_money_tender(tender_spec, parse_money(paid))],
            balance_due=_day(due) if due else now.astimezone(context.config.zone).date(),
            station=context.station(), now=now, zone=context.config.zone)
    owes = (f", {money_text(order.balance_cents)} still due" if order.status == "deposit"
            else ", paid in full")
    done(as_json, f"order {order.number}: {len(order.tickets)} ticket(s){owes}",
         number=order.number, status=order.status, balance_cents=order.balance_cents)


@group.command("pay")
@click.argument("number")
@click.option("--amount", required=True)
@click.option("--tender", "tender_spec", default="cash", show_default=True,
              help="cash or check:NUMBER")
@signed_in_options
def group_pay(number: str, amount: str, tender_spec: str, db_path: str | None,
              username: str, pin: str, as_json: bool) -> None:
    """A balance payment on a group order (by its number)."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        order = groups.pay_balance(db, actor, find_order(db, number).id,
                                   [_money_tender(tender_spec, parse_money(amount))],
                                   station=cli_context().station(), now=clock.now())
    done(as_json, f"order {order.number}: " + ("paid in full" if order.status == "complete"
                                               else f"{money_text(order.balance_cents)} due"),
         number=order.number, status=order.status, balance_cents=order.balance_cents)


@group.command("release")
@click.argument("group_id", type=ID)
@click.option("--performance", "performance_id", type=ID, required=True)
@signed_in_options
def group_release(group_id: int, performance_id: int, db_path: str | None, username: str,
                  pin: str, as_json: bool) -> None:
    """Put the block's unsold seats back on sale."""
    db = open_db(db_path)
    with reported(as_json):
        released = groups.release_unused(db, sign_in(db, username, pin), group_id,
                                         performance_id, clock.now())
    done(as_json, f"{released} seat(s) back on sale", released=released)


# --- consignment -------------------------------------------------------------------------

@click.group("consignment")
def consignment_group() -> None:
    """Consignment: batches issued to outside sellers, settled, collected."""


@consignment_group.command("list")
@signed_in_options
def consignment_list(db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Every batch with its state, live tickets, value and what is on account."""
    db = open_db(db_path)
    with reported(as_json):
        sign_in(db, username, pin)
        lines = consignment.list_consignments(db)
    if as_json:
        click.echo(json.dumps([{"id": b.batch.id, "number": b.batch.number,
                                "performance_id": b.batch.performance_id,
                                "consignee": b.batch.consignee, "state": b.state,
                                "live_tickets": b.live_tickets, "value_cents": b.value_cents,
                                "on_account_cents": b.on_account_cents} for b in lines],
                              indent=2))
        return
    for b in lines:
        click.echo(f"{b.batch.number}  #{b.batch.id:<4} perf {b.batch.performance_id:<4} "
                   f"{b.batch.consignee:<22} {b.state:<10} {b.live_tickets} live  "
                   f"{money_text(b.value_cents)}  on account {money_text(b.on_account_cents)}")


@consignment_group.command("issue")
@click.option("--performance", "performance_id", type=ID, required=True)
@click.option("--consignee", required=True)
@click.option("--seats", required=True, help="e.g. ORCH-T-101..110")
@signed_in_options
def consignment_issue(performance_id: int, consignee: str, seats: str, db_path: str | None,
                      username: str, pin: str, as_json: bool) -> None:
    """Issue a batch on account (print it with `order print NUMBER`)."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        batch = consignment.issue(db, actor, performance_id,
                                  inventory.seats_by_label(db, performance_id, seats),
                                  consignee, station=cli_context().station(), now=clock.now())
        order = get_order(db, batch.order_id)
    done(as_json, f"{batch.number} (#{batch.id}): {len(batch.tickets)} ticket(s) to "
                  f"{batch.consignee}, order {order.number}",
         consignment_id=batch.id, number=batch.number, order=order.number)


@consignment_group.command("settle")
@click.argument("consignment_id", type=ID)
@click.option("--returned", default="", help="The seats that came back (e.g. ORCH-T-105..110).")
@click.option("--paid-by", type=click.Choice(["cash", "check", "account"]), required=True)
@click.option("--check", "check_number", help="The check's number, for --paid-by check.")
@signed_in_options
def consignment_settle(consignment_id: int, returned: str, paid_by: str,
                       check_number: str | None, db_path: str | None, username: str,
                       pin: str, as_json: bool) -> None:
    """Settle a batch: the returned seats' codes are revoked at once, the rest are paid."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        batch = consignment.get_consignment(db, consignment_id)
        back = (inventory.seats_by_label(db, batch.performance_id, returned)
                if returned.strip() else [])
        order = consignment.settle_returning(
            db, actor, consignment_id, returned_seat_ids=back, paid_by=paid_by,
            check_number=check_number, station=cli_context().station(), now=clock.now())
    sold = sum(1 for t in order.tickets if t.status == "live")
    done(as_json, f"{batch.number} settled: {sold} sold, {len(back)} returned",
         sold=sold, returned=len(back), status=order.status)


@consignment_group.command("collect")
@click.argument("consignment_id", type=ID)
@click.option("--amount", required=True)
@click.option("--tender", "tender_spec", default="cash", show_default=True,
              help="cash or check:NUMBER")
@signed_in_options
def consignment_collect(consignment_id: int, amount: str, tender_spec: str,
                        db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Money for what a settled batch left on account."""
    db = open_db(db_path)
    with reported(as_json):
        order = consignment.collect_account(
            db, sign_in(db, username, pin), consignment_id,
            [_money_tender(tender_spec, parse_money(amount))],
            station=cli_context().station(), now=clock.now())
    done(as_json, f"order {order.number}: {order.status}", status=order.status)
