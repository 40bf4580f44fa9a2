"""`boxoffice web online|site|page ...`: what a coordinator sets for the storefront: each
performance's online sales (on or off, an online window, price types, the per-order
limit, an online fee), the site's name, colour, logo, hours, address and banner, and its
information pages in Markdown. Core checks the permission (`event_setup`) and journals
every change; a refusal exits 1 with its reason."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path

import click

from core import clock
from core.admin import site
from core.money import parse_money
from core.sales import online_settings, waiting_room
from tui.cli.admin import venue_time
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


def _local(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return f"{moment.astimezone(cli_context().config.zone):%Y-%m-%d %H:%M}"


@click.command("online")
@click.argument("performance_id", type=ID)
@click.option("--on/--off", "enabled", default=None, help="Sell it online, or not.")
@click.option("--from", "opens", help="Online from 'YYYY-MM-DD HH:MM' ('' = the "
                                      "performance's own on-sale time).")
@click.option("--until", "closes", help="Online until 'YYYY-MM-DD HH:MM' ('' = its own).")
@click.option("--price-types", help="Sold online, e.g. ADULT,CHILD ('' = the standard ones).")
@click.option("--max-tickets", type=click.IntRange(0, 200),
              help="Per order (0 = the site's [web] max_tickets).")
@click.option("--fee", help="Online fee per ticket, e.g. 1.50 (0 = none).")
@signed_in_options
def online(performance_id: int, enabled: bool | None, opens: str | None, closes: str | None,
           price_types: str | None, max_tickets: int | None, fee: str | None,
           db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Show or change how PERFORMANCE_ID sells online."""
    db = open_db(db_path)
    with reported(as_json):
        current = online_settings.online_settings(db, performance_id)
        changes: dict[str, object] = {}
        if enabled is not None:
            changes["enabled"] = enabled
        if opens is not None:
            changes["on_sale_at"] = venue_time(opens) if opens else None
        if closes is not None:
            changes["off_sale_at"] = venue_time(closes) if closes else None
        if price_types is not None:
            changes["price_types"] = tuple(p for p in price_types.split(",") if p.strip())
        if max_tickets is not None:
            changes["max_tickets"] = max_tickets or None
        if fee is not None:
            changes["fee_cents"] = parse_money(fee)
        if changes:
            current = dataclasses.replace(current, **changes)  # type: ignore[arg-type]
            online_settings.set_online_settings(db, sign_in(db, username, pin), current)
        else:
            sign_in(db, username, pin)
    words = (f"performance #{performance_id}: "
             f"{'sold online' if current.enabled else 'NOT sold online'}, "
             f"from {_local(current.on_sale_at)} until {_local(current.off_sale_at)}, "
             f"price types {','.join(current.price_types) or 'standard'}, "
             f"at most {current.max_tickets or 'the site limit of'} "
             f"{'' if current.max_tickets else cli_context().config.web.max_tickets} "
             f"tickets an order, online fee {money_text(current.fee_cents)}")
    done(as_json, " ".join(words.split()), enabled=current.enabled,
         price_types=list(current.price_types), max_tickets=current.max_tickets,
         fee_cents=current.fee_cents)


@click.command("site")
@click.option("--name")
@click.option("--colour", help="The brand colour, #RRGGBB, dark enough for white text.")
@click.option("--hours", help="The box office's opening hours ('' clears).")
@click.option("--address", help="The box office's address ('' clears).")
@click.option("--banner", help="A notice across every page ('' clears).")
@click.option("--logo", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A PNG or JPEG, at most 200 KB.")
@click.option("--no-logo", is_flag=True, help="Remove the logo.")
@signed_in_options
def site_command(name: str | None, colour: str | None, hours: str | None,
                 address: str | None, banner: str | None, logo: Path | None, no_logo: bool,
                 db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Show or change the storefront's name, colour, logo, hours, address and banner."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        if any(v is not None for v in (name, colour, hours, address, banner)):
            site.set_site_info(db, actor, name=name, colour=colour, hours=hours,
                               address=address, banner=banner)
        if logo is not None or no_logo:
            site.set_logo(db, actor, logo.read_bytes() if logo is not None else None)
        info = site.site_info(db, cli_context().config)
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(info)))
        return
    click.echo(f"{info.name}  colour {info.colour}  logo {'yes' if info.has_logo else 'no'}")
    for label, value in (("hours", info.hours), ("address", info.address),
                         ("banner", info.banner)):
        click.echo(f"  {label}: {value or '-'}")


@click.group("page")
def page() -> None:
    """The storefront's information pages (directions, parking, FAQ), in Markdown."""


@page.command("list")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
def page_list(db_path: str | None) -> None:
    """The pages, in the order the site lists them."""
    for found in site.list_pages(open_db(db_path)):
        click.echo(f"{found.position:4}  /info/{found.slug}  {found.title}  "
                   f"({len(found.body):,} characters)")


@page.command("set")
@click.argument("slug")
@click.option("--title", required=True)
@click.option("--file", "source", required=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The page's text, in Markdown (raw HTML is shown as text).")
@click.option("--position", type=click.IntRange(-1000, 1000), default=0, show_default=True)
@signed_in_options
def page_set(slug: str, title: str, source: Path, position: int, db_path: str | None,
             username: str, pin: str, as_json: bool) -> None:
    """Create or replace the page at /info/SLUG."""
    db = open_db(db_path)
    with reported(as_json):
        try:
            body = source.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise site.SiteError(f"{source} is not UTF-8 text", code="bad_page") from None
        saved = site.set_page(db, sign_in(db, username, pin), slug, title=title, body=body,
                              position=position, now=clock.now())
    done(as_json, f"/info/{saved.slug} saved: {saved.title}", slug=saved.slug)


@page.command("delete")
@click.argument("slug")
@signed_in_options
def page_delete(slug: str, db_path: str | None, username: str, pin: str,
                as_json: bool) -> None:
    """Remove the page at /info/SLUG."""
    db = open_db(db_path)
    with reported(as_json):
        site.delete_page(db, sign_in(db, username, pin), slug)
    done(as_json, f"/info/{slug} removed", slug=slug)


@click.command("queue")
@click.option("--on/--off", "enabled", default=None,
              help="Put a waiting line in front of the cart and checkout, or take it away.")
@click.option("--capacity", type=click.IntRange(1, 100_000),
              help="Buyers choosing seats at once.")
@click.option("--per-minute", type=click.IntRange(1, 100_000),
              help="Buyers let in a minute at most.")
@click.option("--opens", help="The on-sale time 'YYYY-MM-DD HH:MM': whoever is in line "
                              "before it is shuffled ('' for none).")
@signed_in_options
def queue(enabled: bool | None, capacity: int | None, per_minute: int | None,
          opens: str | None, db_path: str | None, username: str, pin: str,
          as_json: bool) -> None:
    """Show or change the on-sale rush's waiting line (off by default)."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        current = waiting_room.queue_settings(db)
        changes: dict[str, object] = {}
        if enabled is not None:
            changes["enabled"] = enabled
        if capacity is not None:
            changes["capacity"] = capacity
        if per_minute is not None:
            changes["per_minute"] = per_minute
        if opens is not None:
            changes["opens_at"] = venue_time(opens) if opens else None
        if changes:
            current = dataclasses.replace(current, **changes)  # type: ignore[arg-type]
            waiting_room.set_queue(db, actor, current)
        active, waiting = waiting_room.queue_figures(db, clock.now())
    done(as_json, f"waiting line {'ON' if current.enabled else 'off'}: {current.capacity} "
                  f"buyers at once, {current.per_minute} let in a minute"
                  + (f", shuffled before {_local(current.opens_at)}" if current.opens_at
                     else "") + f"; now {active} buying, {waiting} waiting",
         enabled=current.enabled, capacity=current.capacity, per_minute=current.per_minute,
         active=active, waiting=waiting)
