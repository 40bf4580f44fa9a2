"""The `boxoffice` command line. It loads the config once and passes it down."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import click

from core import clock
from core.config import Config, find_config_path, load_config
from core.errors import BoxOfficeError
from core.store.db import Location, as_location, home_path, redacted
from tui.cli.context import Context, fail, open_or_fail


class _Commands(click.Group):
    """The `boxoffice` group: refuses an argument that is not readable text before any
    command sees it (bytes that are not UTF-8 arrive as lone surrogates, which SQLite,
    the printer and the journal cannot store)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        for arg in args:
            try:
                arg.encode("utf-8")
            except UnicodeEncodeError:
                shown = arg.encode("utf-8", "backslashreplace").decode("ascii", "replace")
                ctx.fail(f"the argument {shown[:60]!r} is not UTF-8 text")
        return super().parse_args(ctx, args)


@click.group(cls=_Commands, invoke_without_command=True)
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="The config file (default: $BOXOFFICE_CONFIG, ./config.toml, then "
                   "~/.config/boxoffice/config.toml).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False),
              help="The database file (default: [database] path in the config).")
@click.option("--training", is_flag=True,
              help="Work on the training copy of the database (<name>-training.db, made "
                   "from the real one the first time): every screen and paper says "
                   "TRAINING, and nothing reaches the real database.")
@click.option("--station", "station",
              help="This window's station (its drawer), e.g. window-2 (default: "
                   "$BOXOFFICE_STATION, [window] station, else the terminal's name such "
                   "as window-pts3).")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, db_path: str | None,
         training: bool, station: str | None) -> None:
    """The box office. Without a command, opens the window app."""
    try:
        config = load_config(find_config_path(config_path))
    except BoxOfficeError as error:
        fail(error.message)
    if config.keymap and ctx.invoked_subcommand is not None:
        # strict like the rest of the file; the window app checks it when it starts
        from tui.keys import check_keymap

        try:
            check_keymap(config)
        except BoxOfficeError as error:
            fail(error.message)
    ctx.obj = Context(config, as_location(db_path) if db_path else None)
    # demo makes its own database; `training reset` works on the real one's name
    if training and ctx.invoked_subcommand not in ("demo", "training"):
        ctx.obj = _training_context(config, ctx.obj.db_path())
    ctx.obj.training = training
    ctx.obj.station_option = station
    if ctx.invoked_subcommand is None:
        _run_app(ctx.obj.config, ctx.obj.db_path(), ctx.obj.station())


def _config_dir(config: Config) -> Path | None:
    return config.source.parent if config.source else None


def _training_context(config: Config, real: Location) -> Context:
    """The context of a training session on `real`'s training copy (made if missing)."""
    from core.admin.training import prepare_training_database, training_config

    if not isinstance(real, Path):
        fail("--training works on a SQLite box office: its training copy is a file beside "
             "the real one. On PostgreSQL, train on a demo (`boxoffice demo --training`).")

    if not real.exists():
        fail(f"there is no database at {real} to train on (check --db or [database] path)")
    try:
        path = prepare_training_database(real)
    except BoxOfficeError as error:
        fail(error.message)
    except (sqlite3.Error, OSError) as error:
        fail(f"cannot make the training database from {real}: {error}")
    return Context(training_config(config, path), path, training=True)


def _run_app(config: Config, db_path: Location, station: str) -> None:
    from core.admin.training import is_training, training_config
    from tui.app import BoxOfficeApp
    from tui.keys import check_keymap

    # check_keymap imports every screen to list their keys (150 ms of the start): only
    # when there is a [keymap] to check
    if config.keymap:
        try:
            check_keymap(config)
        except BoxOfficeError as error:
            fail(error.message)
    db = open_or_fail(db_path)
    training = is_training(db)   # however it was opened: the mark is in the database
    if training:
        config = training_config(config, home_path(db_path, _config_dir(config)))
    BoxOfficeApp(db, config, training=training, station=station).run()


@main.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default="demo.db",
              show_default=True, help="The demo database (created if missing, else reused).")
@click.option("--no-tui", is_flag=True, help="Print the demo users and performances, then exit.")
@click.option("--json", "as_json", is_flag=True, help="With --no-tui: print JSON.")
@click.pass_obj
def demo(obj: Context, db_path: str, no_tui: bool, as_json: bool) -> None:
    """Create (or reuse) the demo database, then open the window app on it."""
    from core.admin import demo as admin_demo
    from core.seatmap import SeatMapInvalid
    from core.venue import performances

    location = as_location(db_path)
    db = open_or_fail(location, create=True)
    try:
        created = admin_demo.build_demo(db, now=clock.now(), zone=obj.config.zone,
                                       gate_open_now=True)
    except SeatMapInvalid as error:
        fail(f"a shipped venue file is invalid: {error}")
    from core.config import ticket_key_dir
    from core.gate import keys as gate_keys
    from core.store.schema import database_id

    key_dir = ticket_key_dir(obj.config, home_path(location, _config_dir(obj.config)),
                             database_id(db))
    try:   # the key that signs ticket codes is made when the database is set up
        gate_keys.ensure_signing_key(db, key_dir, actor="demo")
    except (BoxOfficeError, OSError) as error:
        fail(f"cannot create the ticket signing key in {key_dir}: {error}")
    if no_tui:
        users = admin_demo.demo_users(db)
        shows = performances.list_performances(db)
        if as_json:
            click.echo(json.dumps({
                "database": redacted(db_path), "created": created,
                "users": [vars(u) for u in users],
                "performances": [{
                    "id": p.id, "event": p.event_name, "venue": p.venue_name,
                    "venue_kind": p.venue_kind, "starts_at": p.starts_at.isoformat(),
                    "local_time": p.starts_at.astimezone(obj.config.zone).isoformat(),
                } for p in shows]}, indent=2))
            return
        click.echo(f"Demo database: {redacted(db_path)} "
                   f"({'created' if created else 'reused'})")
        click.echo("Users:")
        for user in users:
            click.echo(f"  {user.username:<6} {user.role:<12} PIN {user.pin}")
        click.echo("Performances:")
        for show in shows:
            when = show.starts_at.astimezone(obj.config.zone).strftime("%a %d %b %Y %H:%M")
            click.echo(f"  #{show.id}  {when}  {show.event_name}  ({show.venue_name})")
        return
    if obj.training:   # the demo's own training copy
        session = _training_context(obj.config, location)
        _run_app(session.config, session.db_path(), obj.station())
        return
    _run_app(obj.config, location, obj.station())


@main.group()
def journal() -> None:
    """The append-only journal."""


@journal.command("verify")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.pass_obj
def journal_verify(obj: Context, db_path: str | None) -> None:
    """Check the hash chain, and the chain against every head pinned outside it (Z
    reports, backups) and against the orders and payments it must record: exit 0 when
    it holds, else name the first broken row, exit 1. Compare with a `journal anchor`
    kept off the machine for what this cannot see."""
    from core.store import journal as store_journal

    result = store_journal.verify_pinned(open_or_fail(obj.db_path(db_path)))
    if result.ok:
        click.echo(f"journal OK: {result.rows} rows, the chain holds and every pinned head "
                   "is in it")
        return
    click.echo(f"journal BROKEN at row {result.first_broken}: {result.reason}", err=True)
    sys.exit(1)


@journal.command("anchor")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
@click.option("--print", "to_printer", is_flag=True,
              help="Also print it on the receipt printer (to keep with the Z report).")
@click.option("--printer", "printer_spec", help="The printer (default: [printer]).")
@click.pass_obj
def journal_anchor(obj: Context, db_path: str | None, as_json: bool, to_printer: bool,
                   printer_spec: str | None) -> None:
    """Print the journal's head (last row and its hash) and row count, to keep off the
    machine (write it down, photograph it, mail it, or --print it and file it with the
    Z report): `journal verify` cannot tell a journal rewritten after its last pin, but
    the head you kept no longer matches."""
    from core.store import journal as store_journal
    from tui.cli.report import print_rows

    path = obj.db_path(db_path)
    obj.opened = path   # a training database's paper says TRAINING
    pinned = store_journal.anchor(open_or_fail(path))
    now = clock.now()
    when = now.isoformat(timespec="seconds")
    if as_json:
        click.echo(json.dumps({"head_id": pinned.head_id, "head_hash": pinned.head_hash,
                               "rows": pinned.rows, "at": when}))
    else:
        click.echo(f"journal anchor at {when}: row {pinned.head_id} of {pinned.rows}, "
                   f"hash {pinned.head_hash}")
    if to_printer:
        quarters = [pinned.head_hash[i:i + 16] for i in range(0, len(pinned.head_hash), 16)]
        rows = [("At", f"{now.astimezone(obj.config.zone):%Y-%m-%d %H:%M}"),
                ("Head row", str(pinned.head_id)), ("Rows", str(pinned.rows)),
                *[(f"Hash {n}/{len(quarters)}", part) for n, part in enumerate(quarters, 1)]]
        where = print_rows("JOURNAL ANCHOR", rows, printer_spec, "journal-anchor")
        if not as_json:
            click.echo(f"printed on {where}")


@main.command("keys")
def keys() -> None:
    """List every key binding id (for [keymap] in config.toml)."""
    from tui.keys import all_bindings

    for binding_id, key, description in all_bindings():
        click.echo(f"{binding_id:<24} {key:<10} {description}")


from tui.cli.admin import event, hold, price, role, user  # noqa: E402
from tui.cli.backup import backup_command, restore_command, training  # noqa: E402
from tui.cli.database import database_group  # noqa: E402
from tui.cli.gate import gate, scan  # noqa: E402
from tui.cli.gatepack import gate_pack  # noqa: E402
from tui.cli.gateserver import gate_server, lane  # noqa: E402
from tui.cli.orders import order  # noqa: E402
from tui.cli.plans import plan_group  # noqa: E402
from tui.cli.printing import drawer, print_test  # noqa: E402
from tui.cli.sales import performance, sell  # noqa: E402
from tui.cli.seatmap import seatmap  # noqa: E402
from tui.cli.serve import serve  # noqa: E402
from tui.cli.web import web  # noqa: E402

for _command in (seatmap, performance, sell, order, print_test, drawer, scan, gate,
                 gate_pack, user, role, event, price, hold, backup_command, restore_command,
                 training, gate_server, lane, serve, web, plan_group, database_group):
    main.add_command(_command)

# closing out: shifts and their Z reports, deposits, card reconciliation; every report
from tui.cli.closeout import cards, deposit  # noqa: E402
from tui.cli.report import extract, report, what_if_command  # noqa: E402
from tui.cli.shift import shift  # noqa: E402
from tui.cli.stock import item  # noqa: E402

for _command in (shift, deposit, cards, report, extract, what_if_command, item):
    main.add_command(_command)

# the counter beyond a sale, and the keys that sign tickets
from tui.cli.cases import case_group, notices_group  # noqa: E402
from tui.cli.customers import customer  # noqa: E402
from tui.cli.desk import consignment_group, group  # noqa: E402
from tui.cli.flex import flex_group  # noqa: E402
from tui.cli.renewals import renewal  # noqa: E402
from tui.cli.signing import signing_key  # noqa: E402
from tui.cli.subscriptions import series, subscription  # noqa: E402

for _command in (customer, group, consignment_group, signing_key, case_group,
                 notices_group, series, subscription, flex_group, renewal):
    main.add_command(_command)
