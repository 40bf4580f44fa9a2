"""`boxoffice gate-pack export|merge`: offline gate packs (see core/gatepack.py).

    boxoffice gate-pack export --performance 3 -o north.pack --user cora --pin 3333
    boxoffice gate-pack merge north.pack --user gia --pin 2222

Failures exit 1 with `error [code]: message` (a JSON object with --json).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

import click

from core import clock
from core.gate import gatepack
from tui.cli.context import open_db, reported, sign_in
from tui.cli.types import ID


def _who(username: str | None, pin: str | None) -> tuple[str, str]:
    if not username or not pin:
        click.echo("boxoffice: who is it? --user and --pin (or BOXOFFICE_USER and "
                   "BOXOFFICE_PIN)", err=True)
        sys.exit(2)
    return username, pin


_USER = click.option("--user", "username", envvar="BOXOFFICE_USER",
                     help="Who does it (or BOXOFFICE_USER).")
_PIN = click.option("--pin", envvar="BOXOFFICE_PIN", help="Their PIN (or BOXOFFICE_PIN).")
_DB = click.option("--db", "db_path", type=click.Path(dir_okay=False))
_JSON = click.option("--json", "as_json", is_flag=True)


@click.group("gate-pack")
def gate_pack() -> None:
    """Offline gate packs: export one for a gate device, merge its scans back."""


@gate_pack.command("export")
@click.option("--performance", "performance_id", type=ID, required=True)
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), required=True,
              help="The pack file to write (never overwritten).")
@_USER
@_PIN
@_DB
@_JSON
def export(performance_id: int, output: str, username: str | None, pin: str | None,
           db_path: str | None, as_json: bool) -> None:
    """Write a gate pack for one performance (needs event_setup)."""
    username, pin = _who(username, pin)
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        info = gatepack.export_pack(db, actor, performance_id, output, now=clock.now())
    if as_json:
        click.echo(json.dumps(asdict(info), indent=2))
        return
    click.echo(f"Gate pack {info.pack_id} written to {info.path}")
    click.echo(f"  {info.event_name}, performance #{info.performance_id}: "
               f"{info.tickets} tickets ({info.live_tickets} live), {info.revocations} "
               f"revocations, {info.keys} public keys, {info.gate_users} gate users, "
               f"{info.scans} earlier scans")
    click.echo("  A snapshot: changes after now (refunds, reprints) reach the gate only "
               "with a new pack.")


@gate_pack.command("merge")
@click.argument("pack", type=click.Path(dir_okay=False))
@_USER
@_PIN
@_DB
@_JSON
def merge(pack: str, username: str | None, pin: str | None, db_path: str | None,
          as_json: bool) -> None:
    """Fold a gate pack's scans into the database (needs gate_scan; safe to repeat)."""
    username, pin = _who(username, pin)
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        result = gatepack.merge_pack(db, actor, pack, now=clock.now())
    if as_json:
        click.echo(json.dumps({**asdict(result), "gates": list(result.gates)}, indent=2))
        return
    gates = ", ".join(result.gates) or "none"
    click.echo(f"Merged gate pack {result.pack_id} (performance #{result.performance_id}): "
               f"{result.added} new scans of {result.scans}, {result.already_merged} "
               f"already merged, {result.conflicts} conflicts (gates: {gates})")
