"""`boxoffice scan`: one verdict, headless, for scripts, tests and a gate without a screen.
Exit status 0 on ADMIT (or EXIT OK / VALID in the other modes), 1 otherwise."""

from __future__ import annotations

import json
import os
import secrets
import sys
from datetime import UTC, datetime

import click

from core import checkin
from core.errors import BoxOfficeError
from tui.cli_sales import _database, _login, _obj


@click.command("scan")
@click.argument("code", required=False)
@click.option("--performance", "performance_id", type=int, required=True)
@click.option("--gate", "gate_name", required=True, help="The gate's name, e.g. North.")
@click.option("--image", "image_path", type=click.Path(dir_okay=False),
              help="Read the code from a picture (a photo or a printed ticket's preview).")
@click.option("--mode", type=click.Choice(["entry", "exit", "status"]), default="entry",
              show_default=True)
@click.option("--user", "username", envvar="BOXOFFICE_USER",
              help="The gate user (or BOXOFFICE_USER).")
@click.option("--pin", envvar="BOXOFFICE_PIN", help="Their PIN (or BOXOFFICE_PIN).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def scan(code: str | None, performance_id: int, gate_name: str, image_path: str | None,
         mode: str, username: str | None, pin: str | None, db_path: str | None,
         as_json: bool) -> None:
    """Judge one ticket code (typed, or read from --image) at a gate and print the verdict."""
    if (code is None) == (image_path is None):
        click.echo("boxoffice: give the CODE or --image FILE (one of them)", err=True)
        sys.exit(2)
    if not username or not pin:
        click.echo("boxoffice: who is scanning? --user and --pin (or BOXOFFICE_USER and "
                   "BOXOFFICE_PIN)", err=True)
        sys.exit(2)
    db = _database(db_path)
    try:
        actor = _login(db, username, pin)
        session = checkin.open_gate(db, actor, performance_id, gate_name, mode=mode,
                                    zone=_obj().config.zone)
        text = code if code is not None else _code_from_image(image_path or "")
        verdict = checkin.scan(db, session, text, now=datetime.now(UTC),
                               nonce=secrets.token_hex(12), device=f"cli-{os.getpid()}")
    except BoxOfficeError as error:
        if as_json:
            click.echo(json.dumps({"error": error.code, "message": error.message}))
        else:
            click.echo(f"error [{error.code}]: {error.message}", err=True)
        sys.exit(1)
    ok = verdict.admitted or verdict.code in (checkin.EXITED, checkin.STATUS)
    if as_json:
        click.echo(json.dumps({"verdict": verdict.code, "word": verdict.word,
                               "detail": verdict.detail, "ticket_id": verdict.ticket_id,
                               "reason": verdict.reason, "admitted": verdict.admitted}))
    else:
        click.echo(f"{verdict.word}  {verdict.detail}".rstrip())
    sys.exit(0 if ok else 1)


def _code_from_image(path: str) -> str:
    """The first QR code in the picture, or "" (judged INVALID) when there is none."""
    try:
        import cv2

        from hardware.qr import make_decoder
    except ImportError as error:   # the decoders arrive with the gate's camera work
        raise BoxOfficeError(f"reading pictures needs hardware.qr: {error}",
                             code="no_decoder") from error
    frame = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    if frame is None:
        raise BoxOfficeError(f"cannot read the picture {path}", code="bad_image")
    found = make_decoder(_obj().config.camera.decoder).decode(frame)
    return found[0] if found else ""
