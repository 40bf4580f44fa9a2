"""`boxoffice gate-server` (the LAN check-in server) and `boxoffice lane` (device tokens).

    boxoffice gate-server --host 10.0.5.2 --port 8470
    boxoffice lane issue --performance 3 --name "North 3" --user cora --pin 3333
    boxoffice lane list [--performance 3]
    boxoffice lane revoke 7 --user cora --pin 3333

The server runs in its own process (uvicorn), apart from any storefront; it is handed to
uvicorn as an import string so tui never imports gateserver (front ends stay apart).
"""

from __future__ import annotations

import json
import os
import sys

import click

from core import clock
from core.gate import lanes
from tui.cli.context import cli_context, open_db, reported, sign_in
from tui.cli.types import ID
from tui.format import local_time

_USER = click.option("--user", "username", envvar="BOXOFFICE_USER",
                     help="A coordinator (or BOXOFFICE_USER).")
_PIN = click.option("--pin", envvar="BOXOFFICE_PIN", help="Their PIN (or BOXOFFICE_PIN).")
_DB = click.option("--db", "db_path", type=click.Path(dir_okay=False))
_JSON = click.option("--json", "as_json", is_flag=True)


def _who(username: str | None, pin: str | None) -> tuple[str, str]:
    if not username or not pin:
        click.echo("boxoffice: who is it? --user and --pin (or BOXOFFICE_USER and "
                   "BOXOFFICE_PIN)", err=True)
        sys.exit(2)
    return username, pin


@click.command("gate-server")
@click.option("--host", help="The address to listen on: the host's LAN address "
              "([gate_server] host; 127.0.0.1 by default).")
@click.option("--port", type=click.IntRange(1, 65535),
              help="[gate_server] port; 8470 by default.")
@click.option("--certfile", type=click.Path(dir_okay=False, exists=True),
              help="Serve HTTPS with this certificate (PEM) ...")
@click.option("--keyfile", type=click.Path(dir_okay=False, exists=True),
              help="... and this private key.")
@_DB
def gate_server(host: str | None, port: int | None, certfile: str | None,
                keyfile: str | None, db_path: str | None) -> None:
    """Serve the check-in API to the lanes on the LAN (see docs/gates.md)."""
    if (certfile is None) != (keyfile is None):
        click.echo("boxoffice: give --certfile and --keyfile together", err=True)
        sys.exit(2)
    import uvicorn

    context = cli_context()
    settings = context.config.gate_server
    open_db(db_path).close()        # migrated, and refused on a network filesystem
    if context.config.source is not None:
        os.environ["BOXOFFICE_CONFIG"] = str(context.config.source)
    os.environ["BOXOFFICE_GATE_DB"] = str(context.db_path(db_path))
    uvicorn.run("gateserver.app:app_from_environment", factory=True,
                host=host or settings.host, port=port or settings.port,
                ssl_certfile=certfile, ssl_keyfile=keyfile, log_level="warning",
                access_log=False)


@click.group("lane")
def lane() -> None:
    """Device tokens for online gate lanes: issue, list, revoke (coordinators)."""


@lane.command("issue")
@click.option("--performance", "performance_id", type=ID, required=True)
@click.option("--name", required=True, help="The lane's name, e.g. \"North 3\".")
@_USER
@_PIN
@_DB
@_JSON
def issue(performance_id: int, name: str, username: str | None, pin: str | None,
          db_path: str | None, as_json: bool) -> None:
    """Issue a lane's device token; it is shown this once (only its hash is kept)."""
    username, pin = _who(username, pin)
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        issued = lanes.issue_lane_token(db, actor, performance_id, name, now=clock.now())
    if as_json:
        click.echo(json.dumps({"id": issued.lane.id, "name": issued.lane.name,
                               "performance_id": performance_id, "token": issued.token}))
        return
    click.echo(f"Lane #{issued.lane.id} {issued.lane.name} (performance #{performance_id})")
    click.echo(f"  token: {issued.token}")
    click.echo("  Shown once: only its hash is kept. Start the lane with\n"
               f"  boxoffice gate --server http://HOST:PORT --token {issued.token} "
               "--gate NAME")


@lane.command("list")
@click.option("--performance", "performance_id", type=ID)
@_DB
@_JSON
def list_command(performance_id: int | None, db_path: str | None, as_json: bool) -> None:
    """The lanes and their tokens' state (never the tokens)."""
    db = open_db(db_path)
    found = lanes.list_lanes(db, performance_id)
    if as_json:
        click.echo(json.dumps([{"id": one.id, "name": one.name,
                                "performance_id": one.performance_id,
                                "active": one.active, "queue": one.queue_length,
                                "last_seen_at": one.last_seen_at.isoformat()
                                if one.last_seen_at else None} for one in found]))
        return
    zone = cli_context().config.zone
    for one in found:
        state = ("revoked " + local_time(one.revoked_at, zone) if one.revoked_at
                 else "live")
        seen = local_time(one.last_seen_at, zone) if one.last_seen_at else "never"
        click.echo(f"#{one.id:<4} {one.name:<20} performance #{one.performance_id:<5} "
                   f"{state:<22} last seen {seen}, queue {one.queue_length}")
    if not found:
        click.echo("No lanes yet: boxoffice lane issue --performance N --name NAME")


@lane.command("revoke")
@click.argument("lane_id", type=ID)
@_USER
@_PIN
@_DB
@_JSON
def revoke(lane_id: int, username: str | None, pin: str | None, db_path: str | None,
           as_json: bool) -> None:
    """Revoke a lane's token: its next request is refused."""
    username, pin = _who(username, pin)
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        done = lanes.revoke_lane_token(db, actor, lane_id, now=clock.now())
    if as_json:
        click.echo(json.dumps({"id": done.id, "name": done.name, "active": done.active}))
        return
    click.echo(f"Lane #{done.id} {done.name}: token revoked; its next request is refused.")


@lane.command("sections")
@click.option("--venue", "venue_code", required=True, help="The venue's code, e.g. HARBOR.")
@click.option("--gate", "gate_name", help="The gate these sections' holders use.")
@click.option("--clear", is_flag=True, help="Take the sections off any gate.")
@click.argument("sections", nargs=-1, required=True)
@_USER
@_PIN
@_DB
def sections(venue_code: str, gate_name: str | None, clear: bool, sections: tuple[str, ...],
             username: str | None, pin: str | None, db_path: str | None) -> None:
    """Sign sections to a gate (for the lane plan and the signs)."""
    from core.gate import planning
    from core.venue import venues

    if (gate_name is None) == (not clear):
        click.echo("boxoffice: give --gate NAME or --clear", err=True)
        sys.exit(2)
    username, pin = _who(username, pin)
    db = open_db(db_path)
    found = [v for v in venues.list_venues(db) if v.code.upper() == venue_code.upper()]
    if not found:
        click.echo(f"error [not_found]: there is no venue {venue_code}", err=True)
        sys.exit(1)
    with reported(False):
        actor = sign_in(db, username, pin)
        count = planning.assign_sections(db, actor, found[0].id, sections,
                                         None if clear else gate_name, now=clock.now())
    where = "no gate" if clear else f"gate {gate_name}"
    click.echo(f"{count} section(s) of {found[0].code} now use {where}.")


@lane.command("signs")
@click.option("--performance", "performance_id", type=ID, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="The PDF to write.")
@_DB
def signs(performance_id: int, output: str, db_path: str | None) -> None:
    """Print section-to-gate signs as a PDF: a page per gate and a table for stewards."""
    from pathlib import Path

    from core.gate import planning

    db = open_db(db_path)
    now = clock.now()
    with reported(False):
        plan = planning.lane_plan(db, performance_id)
        data = planning.signage_pdf(plan, when=local_time(plan.starts_at,
                                                         cli_context().config.zone),
                                    generated_at=now)
    Path(output).write_bytes(data)
    gates = [g for g in plan.gates if g.gate != planning.NO_GATE]
    click.echo(f"Signs for {len(gates)} gate(s) written to {output}.")
