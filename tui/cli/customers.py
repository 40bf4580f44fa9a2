"""`boxoffice customer ...`: find, show, note, flag and edit customers; their likely
duplicates and merging them; consent, a copy of their data, forgetting them. Every
command signs in with --user/--pin; core checks the permission, refuses card numbers in
free text and journals the change; a failure exits 1 with the error's code."""

from __future__ import annotations

import json
from pathlib import Path

import click

from core import clock
from core.errors import BoxOfficeError
from core.sales import credit, customer_data, customer_merge, customer_orders, customers
from core.sales.customers import FLAGS, Customer
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


@customer.command("add")
@click.argument("name")
@click.option("--phone", default="")
@click.option("--email", default="")
@signed_in_options
def customer_add(name: str, phone: str, email: str, db_path: str | None, username: str,
                 pin: str, as_json: bool) -> None:
    """A new customer (their id is printed: sell to them with `--customer ID`)."""
    db = open_db(db_path)
    with reported(as_json):
        found = customers.create_customer(db, sign_in(db, username, pin), name, phone=phone,
                                          email=email, now=clock.now())
    done(as_json, f"customer #{found.id}: {found.name}", customer=_customer_json(found))


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




@customer.command("credit")
@click.argument("customer_id", type=ID)
@signed_in_options
def customer_credit(customer_id: int, db_path: str | None, username: str, pin: str,
                    as_json: bool) -> None:
    """The customer's account credit: the balance and every credit given and spent (spend
    it with `boxoffice sell ... --customer ID --tender credit`)."""
    db = open_db(db_path)
    with reported(as_json):
        moves = credit.credit_history(db, sign_in(db, username, pin), customer_id)
        balance = credit.credit_balance(db, customer_id)
        if credit.credit_from_journal(db, customer_id) != balance:
            raise BoxOfficeError("the payments and the journal disagree on this customer's "
                                 "credit: run `boxoffice journal verify`",
                                 code="credit_mismatch")
    if as_json:
        click.echo(json.dumps({"balance_cents": balance, "moves": [
            {"at": m.at.isoformat(), "order": m.order_number, "amount_cents": m.amount_cents,
             "reason": m.reason} for m in moves]}))
        return
    for move in moves:
        click.echo(f"{move.at:%Y-%m-%d %H:%M} UTC  order {move.order_number}  "
                   f"{'+' if move.amount_cents > 0 else ''}{money_text(move.amount_cents)}  "
                   f"{move.reason}")
    click.echo(f"credit: {money_text(balance)} (the journal agrees)")
