"""`boxoffice customer|group|consignment ...`: the counter's work beyond a sale, headless.
Every command signs in with --user/--pin; core checks the permission, refuses card
numbers in free text and journals the change; a failure exits 1 with the error's code."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from core import clock
from core.errors import BoxOfficeError
from core.money import parse_money
from core.sales import (
    consignment,
    customer_data,
    customer_merge,
    customer_orders,
    customers,
    groups,
)
from core.sales.customers import FLAGS, Customer
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


def _customer_json(customer: Customer) -> dict[str, object]:
    return {"id": customer.id, "name": customer.name, "phone": customer.phone,
            "email": customer.email, "flags": sorted(customer.flags),
            "notes": customer.notes}


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


# --- customers ---------------------------------------------------------------------------

@click.group("customer")
def customer() -> None:
    """Customers: find, show with their orders, note, flag, edit, merge duplicates."""


@customer.command("search")
@click.argument("query")
@signed_in_options
def customer_search(query: str, db_path: str | None, username: str, pin: str,
                    as_json: bool) -> None:
    """Customers by name, phone digits or email."""
    db = open_db(db_path)
    with reported(as_json):
        sign_in(db, username, pin)
        found = customers.search_customers(db, query)
    if as_json:
        click.echo(json.dumps([_customer_json(c) for c in found], indent=2))
        return
    for c in found:
        click.echo(f"#{c.id:<5} {c.name:<28} {c.phone:<14} {c.email:<28} "
                   f"{','.join(sorted(c.flags))}")
    if not found:
        click.echo(f"no customer matches '{query}'")


@customer.command("show")
@click.argument("customer_id", type=ID)
@signed_in_options
def customer_show(customer_id: int, db_path: str | None, username: str, pin: str,
                  as_json: bool) -> None:
    """A customer with their notes and every order they made."""
    db = open_db(db_path)
    with reported(as_json):
        sign_in(db, username, pin)
        found = customers.get_customer(db, customer_id)
        history = customer_orders.order_history(db, customer_id)
    if as_json:
        click.echo(json.dumps({**_customer_json(found), "orders": [
            {"number": o.number, "status": o.status, "created_at": o.created_at.isoformat(),
             "tickets": o.tickets, "live_tickets": o.live_tickets,
             "total_cents": o.total_cents} for o in history]}, indent=2))
        return
    click.echo(f"{found.name}  #{found.id}  {found.phone}  {found.email}  "
               f"{','.join(sorted(found.flags))}")
    for line in found.notes.splitlines():
        click.echo(f"  note: {line}")
    zone = cli_context().config.zone
    for o in history:
        click.echo(f"  {o.number}  {o.created_at.astimezone(zone):%Y-%m-%d %H:%M}  "
                   f"{o.status:<10} {o.live_tickets}/{o.tickets} tickets  "
                   f"{money_text(o.total_cents)}")
    live = [o for o in history if o.status not in ("voided", "cancelled")]
    click.echo(f"{len(history)} order(s), spent {money_text(sum(o.total_cents for o in live))}")


@customer.command("note")
@click.argument("customer_id", type=ID)
@click.argument("text")
@signed_in_options
def customer_note(customer_id: int, text: str, db_path: str | None, username: str, pin: str,
                  as_json: bool) -> None:
    """Add a dated note, signed with your name."""
    db = open_db(db_path)
    with reported(as_json):
        found = customers.add_note(db, sign_in(db, username, pin), customer_id, text,
                                   now=clock.now())
    done(as_json, f"{found.name}: note added", customer_id=found.id)


@customer.command("flag")
@click.argument("customer_id", type=ID)
@click.option("--set", "flags", default="", show_default=False,
              help=f"The flags, comma-separated ({', '.join(FLAGS)}); empty clears them.")
@signed_in_options
def customer_flag(customer_id: int, flags: str, db_path: str | None, username: str,
                  pin: str, as_json: bool) -> None:
    """Replace a customer's flags."""
    db = open_db(db_path)
    with reported(as_json):
        found = customers.set_flags(db, sign_in(db, username, pin), customer_id,
                                    [f.strip() for f in flags.split(",") if f.strip()])
    done(as_json, f"{found.name}: flags {','.join(sorted(found.flags)) or 'none'}",
         customer_id=found.id, flags=sorted(found.flags))


@customer.command("edit")
@click.argument("customer_id", type=ID)
@click.option("--name")
@click.option("--phone")
@click.option("--email")
@signed_in_options
def customer_edit(customer_id: int, name: str | None, phone: str | None, email: str | None,
                  db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Change a customer's name, phone or email (what is left out stays)."""
    db = open_db(db_path)
    with reported(as_json):
        found = customers.update_customer(db, sign_in(db, username, pin), customer_id,
                                          name=name, phone=phone, email=email)
    done(as_json, f"{found.name}: saved", customer=_customer_json(found))


@customer.command("duplicates")
@signed_in_options
def customer_duplicates(db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Likely duplicates: pairs with the same email, phone or name, the older first."""
    db = open_db(db_path)
    with reported(as_json):
        pairs = customer_merge.find_duplicates(db, sign_in(db, username, pin))
    if as_json:
        click.echo(json.dumps([{"keep": _customer_json(p.first),
                                "merge": _customer_json(p.second),
                                "reasons": list(p.reasons)} for p in pairs], indent=2))
        return
    for p in pairs:
        click.echo(f"#{p.first.id:<5} {p.first.name[:24]:<24}  #{p.second.id:<5} "
                   f"{p.second.name[:24]:<24}  {', '.join(p.reasons)}")
    if not pairs:
        click.echo("no likely duplicates")


@customer.command("merge")
@click.argument("keep_id", type=ID)
@click.argument("other_id", type=ID)
@signed_in_options
def customer_merge_command(keep_id: int, other_id: int, db_path: str | None, username: str,
                           pin: str, as_json: bool) -> None:
    """Merge OTHER_ID into KEEP_ID: its orders, groups, batches and cases move."""
    db = open_db(db_path)
    with reported(as_json):
        kept = customer_merge.merge_customers(db, sign_in(db, username, pin), keep_id,
                                              other_id, now=clock.now())
    done(as_json, f"customer {other_id} merged into {kept.id} ({kept.name})",
         customer_id=kept.id, merged=other_id)


@customer.command("consent")
@click.argument("customer_id", type=ID)
@click.option("--set", "consent", required=True, help="none, mail, email or mail,email")
@signed_in_options
def customer_consent(customer_id: int, consent: str, db_path: str | None, username: str,
                     pin: str, as_json: bool) -> None:
    """Record what the customer agreed to be contacted by."""
    db = open_db(db_path)
    with reported(as_json):
        found = customer_data.set_consent(db, sign_in(db, username, pin), customer_id,
                                          consent, now=clock.now())
    done(as_json, f"{found.name}: contact by {found.consent}", customer_id=found.id,
         consent=found.consent)


@customer.command("export")
@click.argument("customer_id", type=ID)
@click.option("--out", type=click.Path(dir_okay=False), required=True)
@signed_in_options
def customer_export(customer_id: int, out: str, db_path: str | None, username: str,
                    pin: str, as_json: bool) -> None:
    """Everything held about a customer (details, orders, cases), as a JSON file."""
    db = open_db(db_path)
    with reported(as_json):
        data = customer_data.export_customer(db, sign_in(db, username, pin), customer_id,
                                             now=clock.now())
        try:
            Path(out).write_text(json.dumps(data, indent=2))
        except OSError as error:
            raise BoxOfficeError(f"cannot write {out}: {error.strerror}",
                                 code="cannot_write") from None
    done(as_json, f"customer {customer_id} exported to {out}", customer_id=customer_id,
         path=out)


@customer.command("forget")
@click.argument("customer_id", type=ID)
@click.option("--yes", is_flag=True, help="Say you mean it: this cannot be undone.")
@signed_in_options
def customer_forget(customer_id: int, yes: bool, db_path: str | None, username: str,
                    pin: str, as_json: bool) -> None:
    """Anonymise a customer who asked to be forgotten; their orders stay."""
    db = open_db(db_path)
    with reported(as_json):
        if not yes:
            raise BoxOfficeError("forgetting a customer cannot be undone: add --yes",
                                 code="confirm_required")
        found = customer_data.anonymise_customer(db, sign_in(db, username, pin),
                                                 customer_id, now=clock.now())
    done(as_json, f"customer {customer_id} forgotten (now '{found.name}')",
         customer_id=customer_id)


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
