"""The gate on the command line.

`boxoffice scan`: one verdict, headless, for scripts, tests and a gate without a screen.
Exit status 0 on ADMIT (or EXIT OK / VALID in the other modes), 1 otherwise.

`boxoffice gate`: the full-screen gate lane (tui.gate_app), fed by a camera, a replayed
video or folder of pictures, and a handheld scanner typing into it."""

from __future__ import annotations

import json
import os
import secrets
import sys
from typing import TYPE_CHECKING, Any

import click

from core import clock
from core.errors import BoxOfficeError
from core.gate import checkin
from tui.cli.context import cli_context, open_db, sign_in
from tui.cli.types import ID

if TYPE_CHECKING:
    from core.config import Config
    from hardware.camera import FrameSource


def _lane_options(command: Any) -> Any:
    """The options every gate command shares: mode, who is at the gate, the database."""
    for option in reversed([
        click.option("--mode", type=click.Choice(["entry", "exit", "status"]),
                     default="entry", show_default=True),
        click.option("--user", "username", envvar="BOXOFFICE_USER",
                     help="The gate user (or BOXOFFICE_USER)."),
        click.option("--pin", envvar="BOXOFFICE_PIN", help="Their PIN (or BOXOFFICE_PIN)."),
        click.option("--db", "db_path", type=click.Path(dir_okay=False)),
    ]):
        command = option(command)
    return command


@click.command("scan")
@click.argument("code", required=False)
@click.option("--performance", "performance_id", type=ID, required=True)
@click.option("--gate", "gate_name", required=True, help="The gate's name, e.g. North.")
@click.option("--image", "image_path", type=click.Path(dir_okay=False),
              help="Read the code from a picture (a photo or a printed ticket's preview).")
@_lane_options
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
    db = open_db(db_path)
    try:
        actor = sign_in(db, username, pin)
        session = checkin.open_gate(db, actor, performance_id, gate_name, mode=mode,
                                    zone=cli_context().config.zone)
        text = code if code is not None else _code_from_image(image_path or "")
        verdict = checkin.scan(db, session, text, now=clock.now(),
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
    found = make_decoder(cli_context().config.camera.decoder).decode(frame)
    return found[0] if found else ""


@click.command("gate")
@click.option("--performance", "performance_id", type=ID,
              help="The performance (not with --server: the lane's token names it).")
@click.option("--gate", "gate_name", required=True, help="The gate's name, e.g. North.")
@click.option("--camera", help="A camera: its index (0, 1, ...) or device path.")
@click.option("--video", "video_path", type=click.Path(dir_okay=False),
              help="Replay a video file as the camera (demos and tests).")
@click.option("--images", "images_dir", type=click.Path(file_okay=False),
              help="Replay a folder of pictures as the camera (demos and tests).")
@click.option("--interval", type=float, default=2.0, show_default=True,
              help="With --images: seconds between pictures.")
@_lane_options
@click.option("--pack", "pack_path", type=click.Path(dir_okay=False),
              help="Run offline from a gate pack (boxoffice gate-pack export); its scans "
                   "are kept in the pack until `boxoffice gate-pack merge`. With --server: "
                   "the lane's own pack (fetched from the server when missing).")
@click.option("--server", "server_url", help="An online lane: the check-in server's URL, "
              "e.g. http://10.0.5.2:8470 (boxoffice gate-server).")
@click.option("--token", envvar="BOXOFFICE_LANE_TOKEN",
              help="With --server: the lane's device token (or BOXOFFICE_LANE_TOKEN).")
@click.option("--timeout", type=float, help="With --server: seconds to wait for a verdict "
              "before judging from the pack ([gate_server] lane_timeout_ms; 1 s).")
def gate(performance_id: int | None, gate_name: str, camera: str | None,
         video_path: str | None, images_dir: str | None, interval: float, mode: str,
         username: str | None, pin: str | None, db_path: str | None, pack_path: str | None,
         server_url: str | None, token: str | None, timeout: float | None) -> None:
    """Run a full-screen gate lane. Without --camera, --video or --images, codes come
    from a handheld scanner (it types the code and Enter) or are typed by hand. With
    --server and --token it is an online lane that falls back to its pack offline."""
    if sum(option is not None for option in (camera, video_path, images_dir)) > 1:
        click.echo("boxoffice: give at most one of --camera, --video and --images", err=True)
        sys.exit(2)
    config = cli_context().config
    if server_url is not None:
        _online_lane(server_url, token, gate_name, mode, pack_path, timeout,
                     _frame_source(camera, video_path, images_dir, interval, config))
        return
    if performance_id is None:
        click.echo("boxoffice: which performance? --performance N (or --server and "
                   "--token for an online lane)", err=True)
        sys.exit(2)
    if not username or not pin:
        click.echo("boxoffice: who is at the gate? --user and --pin (or BOXOFFICE_USER "
                   "and BOXOFFICE_PIN)", err=True)
        sys.exit(2)
    try:
        if pack_path:
            from core.gate.gatepack import open_pack

            db = open_pack(pack_path)
        else:
            db = open_db(db_path)
        actor = sign_in(db, username, pin)
        session = checkin.open_gate(db, actor, performance_id, gate_name, mode=mode,
                                    zone=config.zone)
        source = _frame_source(camera, video_path, images_dir, interval, config)
    except BoxOfficeError as error:
        click.echo(f"error [{error.code}]: {error.message}", err=True)
        sys.exit(1)
    from tui.gate_app import GateApp

    GateApp(db, config, session, source=source).run()


def _online_lane(server_url: str, token: str | None, gate_name: str, mode: str,
                 pack_path: str | None, timeout: float | None,
                 source: FrameSource | None) -> None:
    import hashlib
    from pathlib import Path

    from tui.lane import LaneClient

    if not token:
        click.echo("boxoffice: an online lane needs its --token (boxoffice lane issue)",
                   err=True)
        sys.exit(2)
    config = cli_context().config
    wait = timeout if timeout is not None else config.gate_server.lane_timeout_ms / 1000
    if wait <= 0:
        click.echo("boxoffice: --timeout is a number of seconds above 0", err=True)
        sys.exit(2)
    path = Path(pack_path) if pack_path else Path.cwd() / (
        f"lane-{hashlib.sha256(token.encode()).hexdigest()[:10]}.pack")
    lane = LaneClient(server_url, token, gate=gate_name, mode=mode, pack_path=path,
                      timeout=wait, zone=config.zone)
    try:
        lane.connect()
    except BoxOfficeError as error:
        lane.close()
        click.echo(f"error [{error.code}]: {error.message}", err=True)
        sys.exit(1)
    from tui.gate_app import GateApp

    try:
        GateApp(lane.pack, config, lane.session, source=source, lane=lane).run()
    finally:
        lane.close()


def _frame_source(camera: str | None, video_path: str | None, images_dir: str | None,
                  interval: float, config: Config) -> FrameSource | None:
    from hardware.camera import CameraSource, ImageFolderSource, VideoFileSource

    if camera is not None:
        return CameraSource(camera, config.camera.width, config.camera.height)
    if video_path is not None:
        return VideoFileSource(video_path, realtime=True)
    if images_dir is not None:
        return ImageFolderSource(images_dir, interval_seconds=interval)
    return None
