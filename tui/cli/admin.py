"""`boxoffice user|role|event|hold|price ...` and `performance add|copy|cancel|on-sale`:
administration headless. Every command logs in with --user/--pin and the core service
checks the permission; failures exit 1 with the error's code."""

from __future__ import annotations

import json
from datetime import datetime

import click

from core import times
from core.errors import BoxOfficeError
from core.people import accounts, models, permissions, users
from core.venue import inventory, performances, pricing
from tui.cli.context import (
    cli_context,
    done,
    money_text,
    open_db,
    reported,
    sign_in,
    signed_in_options,
)
from tui.cli.sales import performance
from tui.cli.types import BASIS_POINTS, ID


def _new_pin(pin: str | None) -> str:
    """The PIN given, or asked for twice without echo."""
    if pin is not None:
        return pin
    return str(click.prompt("New PIN", hide_input=True, confirmation_prompt=True))


def venue_time(text: str) -> datetime:
    """'2026-12-01 19:30' in the venue's zone (or with an explicit offset)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BoxOfficeError(f"cannot read the time '{text}': use YYYY-MM-DD HH:MM",
                             code="bad_time") from None
    return times.local_time(moment, cli_context().config.zone)


# --- users ------------------------------------------------------------------------------

@click.group("user")
def user() -> None:
    """Users: add, change role, reset a PIN, unlock, deactivate."""


@user.command("init")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="The name shown on screens.")
@click.option("--new-pin", help="The admin's PIN (asked for when left out).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
def user_init(username: str, display_name: str, new_pin: str | None,
              db_path: str | None) -> None:
    """Create the first user of a new database (made here if missing): an admin. Refused
    once there are users."""
    db = open_db(db_path, create=True)
    with reported(False):
        accounts.create_first_admin(db, username, display_name, _new_pin(new_pin))
    click.echo(f"{username}: the first admin")


@user.command("list")
@click.option("--all", "include_inactive", is_flag=True, help="Deactivated users too.")
@signed_in_options
def user_list(include_inactive: bool, db_path: str | None, username: str, pin: str,
              as_json: bool) -> None:
    """Every user with role, lock and failed PIN count. Needs user_admin."""
    db = open_db(db_path)
    with reported(as_json):
        permissions.authorize(db, sign_in(db, username, pin), "user_admin")
    found = users.list_users(db, include_inactive=include_inactive)
    if as_json:
        click.echo(json.dumps([vars(u) for u in found], indent=2))
        return
    for u in found:
        state = ("locked" if u.locked else "") + ("" if u.active else " inactive")
        click.echo(f"{u.username:<12} {u.role:<12} {u.display_name:<24} {state.strip()}")


@user.command("add")
@click.argument("new_username")
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice(models.ROLES), required=True)
@click.option("--new-pin", help="Their PIN, at least 4 digits (asked for when left out).")
@signed_in_options
def user_add(new_username: str, display_name: str, role: str, new_pin: str | None,
             db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Add a user. Needs user_admin."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        accounts.create_user(db, actor, new_username, display_name, role, _new_pin(new_pin))
    done(as_json, f"{new_username}: added as {role}", username=new_username, role=role)


@user.command("role")
@click.argument("target")
@click.argument("role", type=click.Choice(models.ROLES))
@signed_in_options
def user_role(target: str, role: str, db_path: str | None, username: str, pin: str,
              as_json: bool) -> None:
    """Give a user another role. Needs user_admin."""
    db = open_db(db_path)
    with reported(as_json):
        accounts.change_role(db, sign_in(db, username, pin), target, role)
    done(as_json, f"{target}: now {role}", username=target, role=role)


@user.command("reset-pin")
@click.argument("target")
@click.option("--new-pin", help="The new PIN (asked for when left out).")
@signed_in_options
def user_reset_pin(target: str, new_pin: str | None, db_path: str | None, username: str,
                   pin: str, as_json: bool) -> None:
    """Set a user's PIN (and unlock them). Needs user_admin."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        accounts.reset_pin(db, actor, target, _new_pin(new_pin))
    done(as_json, f"{target}: PIN reset", username=target)


@user.command("change-pin")
@click.option("--new-pin", help="Your new PIN (asked for twice when left out).")
@signed_in_options
def user_change_pin(new_pin: str | None, db_path: str | None, username: str, pin: str,
                    as_json: bool) -> None:
    """Change your own PIN: --user and --pin are you, with the PIN you have now (a wrong
    one counts towards the lock, as at sign-in)."""
    db = open_db(db_path)
    with reported(as_json):
        users.change_pin(db, username, pin, _new_pin(new_pin))
    done(as_json, f"{username}: PIN changed", username=username)


def _user_action(name: str, service_name: str, words: str, doc: str) -> None:
    @user.command(name, help=doc)
    @click.argument("target")
    @signed_in_options
    def command(target: str, db_path: str | None, username: str, pin: str,
                as_json: bool) -> None:
        db = open_db(db_path)
        with reported(as_json):
            getattr(accounts, service_name)(db, sign_in(db, username, pin), target)
        done(as_json, f"{target}: {words}", username=target)


_user_action("unlock", "unlock_user", "unlocked",
             "Unlock a user after wrong PINs. Needs user_admin or override.")
_user_action("deactivate", "deactivate_user", "deactivated",
             "Stop a user logging in (kept for the record). Needs user_admin.")
_user_action("reactivate", "reactivate_user", "active again",
             "Let a deactivated user log in again. Needs user_admin.")


# --- roles ------------------------------------------------------------------------------

@click.group("role")
def role() -> None:
    """Roles and their permissions (deny by default)."""


@role.command("list")
@signed_in_options
def role_list(db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """The role x permission matrix."""
    db = open_db(db_path)
    with reported(as_json):
        sign_in(db, username, pin)
    matrix = permissions.permission_matrix(db)
    if as_json:
        click.echo(json.dumps({r: [p for p in matrix.permissions if matrix.allows(r, p)]
                               for r in matrix.roles}, indent=2))
        return
    click.echo(f"{'permission':<16}" + "".join(f"{r:>13}" for r in matrix.roles))
    for perm in matrix.permissions:
        click.echo(f"{perm:<16}" + "".join(
            f"{'yes' if matrix.allows(r, perm) else '-':>13}" for r in matrix.roles))


def _role_change(name: str, doc: str) -> None:
    @role.command(name, help=doc)
    @click.argument("role_name")
    @click.argument("permission")
    @signed_in_options
    def command(role_name: str, permission: str, db_path: str | None, username: str,
                pin: str, as_json: bool) -> None:
        db = open_db(db_path)
        with reported(as_json):
            change = getattr(permissions, name)
            changed = change(db, sign_in(db, username, pin), role_name, permission)
        verb = "granted to" if name == "grant" else "revoked from"
        done(as_json, f"{permission} {verb} {role_name}" if changed
              else f"{role_name}: no change", changed=changed)


_role_change("grant", "Let a role do something. Needs user_admin.")
_role_change("revoke", "Take a permission from a role. Needs user_admin.")


# --- events and performances ------------------------------------------------------------

@click.group("event")
def event() -> None:
    """Events (a show, a match) and their performances."""


@event.command("list")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def event_list(db_path: str | None, as_json: bool) -> None:
    """Every event with its number of performances."""
    found = performances.list_events(open_db(db_path))
    if as_json:
        click.echo(json.dumps([vars(e) for e in found], indent=2))
        return
    for e in found:
        click.echo(f"#{e.id:<4} {e.name}  ({e.producer or 'no producer'}, "
                   f"{e.performances} performances)")


@event.command("add")
@click.argument("name")
@click.option("--producer", default="")
@signed_in_options
def event_add(name: str, producer: str, db_path: str | None, username: str, pin: str,
              as_json: bool) -> None:
    """Create an event. Needs event_setup."""
    db = open_db(db_path)
    with reported(as_json):
        event_id = performances.create_event(db, sign_in(db, username, pin), name,
                                             producer=producer)
    done(as_json, f"event #{event_id}: {name}", id=event_id)


@event.command("reentry")
@click.argument("event_id", type=ID)
@click.argument("allowed", type=click.Choice(["on", "off"]))
@signed_in_options
def event_reentry(event_id: int, allowed: str, db_path: str | None, username: str, pin: str,
                  as_json: bool) -> None:
    """Re-entry for an event: on, a scan after an exit scan admits again; off, it is
    refused as already in. Needs event_setup."""
    from core.gate import checkin

    db = open_db(db_path)
    with reported(as_json):
        checkin.set_reentry(db, sign_in(db, username, pin), event_id, allowed == "on")
    done(as_json, f"event #{event_id}: re-entry {allowed}", id=event_id, reentry=allowed == "on")


@performance.command("add")
@click.option("--event", "event_id", type=ID, required=True)
@click.option("--venue", "venue_code", required=True, help="The venue's code.")
@click.option("--starts", required=True, help="'YYYY-MM-DD HH:MM' in the venue's zone.")
@click.option("--doors", help="When doors open, the same way.")
@signed_in_options
def performance_add(event_id: int, venue_code: str, starts: str, doors: str | None,
                    db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Schedule a performance. Needs event_setup."""
    from core.venue import venues

    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        venue = next((v for v in venues.list_venues(db) if v.code == venue_code), None)
        if venue is None:
            raise BoxOfficeError(f"there is no venue '{venue_code}'", code="unknown_venue")
        show = performances.create_performance(db, actor, event_id, venue.id, venue_time(starts),
                                               doors_at=venue_time(doors) if doors else None)
    done(as_json, f"performance #{show}", id=show)


@performance.command("copy")
@click.argument("performance_id", type=ID)
@click.option("--starts", required=True, help="'YYYY-MM-DD HH:MM' in the venue's zone.")
@signed_in_options
def performance_copy(performance_id: int, starts: str, db_path: str | None, username: str,
                     pin: str, as_json: bool) -> None:
    """A new performance like this one (prices, holds, kills) at another time."""
    db = open_db(db_path)
    with reported(as_json):
        copy = performances.copy_performance(db, sign_in(db, username, pin), performance_id,
                                             venue_time(starts))
    done(as_json, f"performance #{copy}, copied from #{performance_id}", id=copy)


@performance.command("cancel")
@click.argument("performance_id", type=ID)
@click.option("--reason", required=True)
@signed_in_options
def performance_cancel(performance_id: int, reason: str, db_path: str | None, username: str,
                       pin: str, as_json: bool) -> None:
    """Cancel a performance: no more sales; its tickets stay live for refunds."""
    db = open_db(db_path)
    with reported(as_json):
        live = performances.cancel_performance(db, sign_in(db, username, pin),
                                               performance_id, reason=reason)
    done(as_json, f"performance #{performance_id} cancelled; {live} live tickets to refund",
          live_tickets=live)


@performance.command("on-sale")
@click.argument("performance_id", type=ID)
@click.option("--from", "on_sale", help="On sale from 'YYYY-MM-DD HH:MM' (default: now).")
@click.option("--until", "off_sale", help="Off sale at 'YYYY-MM-DD HH:MM' (default: never).")
@signed_in_options
def performance_on_sale(performance_id: int, on_sale: str | None, off_sale: str | None,
                        db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Set when a performance may be sold."""
    db = open_db(db_path)
    with reported(as_json):
        performances.set_on_sale_window(
            db, sign_in(db, username, pin), performance_id,
            venue_time(on_sale) if on_sale else None, venue_time(off_sale) if off_sale else None)
    done(as_json, f"performance #{performance_id}: on sale {on_sale or 'now'} until "
          f"{off_sale or 'the end'}")


# --- prices and holds -------------------------------------------------------------------

@click.group("price")
def price() -> None:
    """A performance's prices: price zones x price types."""


@price.command("grid")
@click.option("--performance", "performance_id", type=ID, required=True)
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
def price_grid(performance_id: int, db_path: str | None) -> None:
    """The price grid (base price of each zone and price type; '-' has no price)."""
    db = open_db(db_path)
    with reported(False):
        grid = pricing.price_grid(db, performance_id)
    click.echo(f"{'zone':<6}" + "".join(f"{code:>10}" for code, _ in grid.price_types))
    for zone, _name in grid.zones:
        cells = [grid.get(zone, code) for code, _ in grid.price_types]
        click.echo(f"{zone:<6}" + "".join(
            f"{money_text(c.base_cents) if c else '-':>10}" for c in cells))


@price.command("set")
@click.argument("performance_id", type=ID)
@click.argument("zone")
@click.argument("price_type")
@click.argument("amount")
@click.option("--fee", help="The fee (default: [pricing] fee_cents).")
@click.option("--tax-basis-points", type=BASIS_POINTS, help="Default: [pricing] tax_basis_points.")
@signed_in_options
def price_set(performance_id: int, zone: str, price_type: str, amount: str, fee: str | None,
              tax_basis_points: int | None, db_path: str | None, username: str, pin: str,
              as_json: bool) -> None:
    """Set one price, e.g. `price set 3 A ADULT 125.00`. Needs price_change."""
    from core.money import parse_money

    db = open_db(db_path)
    with reported(as_json):
        result = pricing.set_price(
            db, sign_in(db, username, pin), performance_id, zone, price_type,
            parse_money(amount), defaults=cli_context().config.pricing,
            fee_cents=parse_money(fee) if fee else None, tax_basis_points=tax_basis_points)
    done(as_json, f"{zone} {result.price_type}: {money_text(result.total_cents)} with fee and tax",
          total_cents=result.total_cents)


@click.group("hold")
def hold() -> None:
    """Hold codes (house seats, press, a group's block)."""


@hold.command("list")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
def hold_list(db_path: str | None) -> None:
    """Every hold code in use."""
    for code in inventory.list_hold_codes(open_db(db_path)):
        click.echo(f"{code.code:<8} {code.name:<24} sold by {','.join(sorted(code.sell_roles))}"
                   f"; released by {','.join(sorted(code.release_roles))}")


@hold.command("add")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--color", default="magenta", show_default=True)
@click.option("--sell-roles", default="coordinator,admin", show_default=True)
@click.option("--release-roles", default="coordinator,admin", show_default=True)
@signed_in_options
def hold_add(code: str, name: str, color: str, sell_roles: str, release_roles: str,
             db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Create a hold code. Needs hold."""
    db = open_db(db_path)
    with reported(as_json):
        inventory.create_hold_code(db, sign_in(db, username, pin), code, name, color,
                                   sell_roles=sell_roles.split(","),
                                   release_roles=release_roles.split(","))
    done(as_json, f"hold code {code.upper()} added")


@hold.command("delete")
@click.argument("code")
@signed_in_options
def hold_delete(code: str, db_path: str | None, username: str, pin: str,
                as_json: bool) -> None:
    """Remove a hold code that holds nothing. Needs hold."""
    db = open_db(db_path)
    with reported(as_json):
        inventory.delete_hold_code(db, sign_in(db, username, pin), code)
    done(as_json, f"hold code {code.upper()} removed")
