"""`boxoffice key list|rotate|retire|export`: the keys that sign ticket codes. Rotating
and retiring need `user_admin` (core checks) and are journaled; the export is the public
keys a gate device needs, never a private key."""

from __future__ import annotations

import json
from pathlib import Path

import click

from core.config import ticket_key_dir
from core.gate import keys
from core.store.schema import database_id
from tui.cli.context import (
    cli_context,
    done,
    fail,
    open_db,
    reported,
    sign_in,
    signed_in_options,
)


@click.group("key")
def signing_key() -> None:
    """Ticket signing keys: list, rotate, retire, export the public keys."""


@signing_key.command("list")
@signed_in_options
def key_list(db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Every signing key: the one signing new tickets, the ones still valid, the retired."""
    db = open_db(db_path)
    with reported(as_json):
        sign_in(db, username, pin)
        found = keys.list_keys(db)
    if as_json:
        click.echo(json.dumps([{"key_id": k.key_id, "status": k.status,
                                "created_at": k.created_at.isoformat(),
                                "retired_at": k.retired_at.isoformat() if k.retired_at
                                else None} for k in found], indent=2))
        return
    zone = cli_context().config.zone
    for k in found:
        made = k.created_at.astimezone(zone)
        click.echo(f"#{k.key_id:<4} {k.status:<8} made {made:%Y-%m-%d %H:%M}")


@signing_key.command("rotate")
@signed_in_options
def key_rotate(db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """A new key signs new tickets; tickets already sold stay valid until retired."""
    db = open_db(db_path)
    context = cli_context()
    with reported(as_json):
        actor = sign_in(db, username, pin)
        key_dir = ticket_key_dir(context.config, context.home(), database_id(db))
        made = keys.rotate_signing_key(db, actor, key_dir)
    done(as_json, f"key #{made} now signs new tickets; export the public keys to the "
                  "gates that work offline", key_id=made)


@signing_key.command("retire")
@click.argument("key_id", type=click.IntRange(1, 255))
@signed_in_options
def key_retire(key_id: int, db_path: str | None, username: str, pin: str,
               as_json: bool) -> None:
    """Stop accepting the tickets a key signed (the last signing key cannot be)."""
    db = open_db(db_path)
    with reported(as_json):
        keys.retire_key(db, sign_in(db, username, pin), key_id)
    done(as_json, f"key #{key_id} retired: its tickets no longer scan", key_id=key_id)


@signing_key.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@signed_in_options
def key_export(output: str, db_path: str | None, username: str, pin: str,
               as_json: bool) -> None:
    """Write the public keys for gate devices (JSON)."""
    db = open_db(db_path)
    with reported(as_json):
        sign_in(db, username, pin)
        exported = keys.export_public_keys(db)
    try:
        Path(output).write_text(json.dumps(exported, indent=2) + "\n")
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror or error}", code=1)
    done(as_json, f"{len(exported)} public key(s) written to {output}", keys=sorted(exported))
