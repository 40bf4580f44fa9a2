"""Training mode: a marked copy of the real database with its own identity and keys,
TRAINING on every paper, and nothing of it admitted or restored into the real one."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.admin.training import (
    is_training,
    prepare_training_database,
    reset_training_database,
    training_config,
    training_path,
)
from core.config import Config, TicketsConfig, ticket_key_dir
from core.gate import codes, keys
from core.gate.checkin import open_gate, scan
from core.sales import carts, checkout, models, orders
from core.sales.tenders import Tender
from core.store import backup, journal
from core.store.db import Database
from core.store.schema import database_id, open_database
from core.venue import performances
from hardware.escpos_render import text_lines
from hardware.file_printers import FilePrinter
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.selling_helpers import cart_with, hall_performance, user
from tui.printing import print_order

pytestmark = pytest.mark.sqlite_only   # a training copy is a SQLite file beside the real one

NOW = FIXED_NOW


def _sell(db: Database, key_dir: Path) -> tuple[models.Order, codes.Signer]:
    keys.ensure_signing_key(db, key_dir)
    signer = keys.load_signer(db, key_dir)
    sam = user(db, "sam")
    show = hall_performance(db)
    cart_id = cart_with(db, sam, show, ["ORCH-E-101"], NOW)
    order = checkout.checkout(db, sam, cart_id,
                            [Tender("cash", carts.view_cart(db, cart_id).total_cents)],
                            station="window-1", now=NOW)
    return order, signer


def test_the_training_database_is_a_marked_copy_with_its_own_identity(demo_path: Path) -> None:
    real = open_database(demo_path)
    real_id = database_id(real)
    real_users = real.execute("SELECT username, pin_hash FROM users ORDER BY id").fetchall()
    real.close()

    path = prepare_training_database(demo_path, now=NOW)
    assert path == training_path(demo_path) == demo_path.with_name("demo-training.db")
    trainee = open_database(path)
    assert is_training(trainee) and database_id(trainee) != real_id
    assert trainee.execute("SELECT count(*) FROM signing_keys").fetchone()[0] == 0
    assert trainee.execute("SELECT username, pin_hash FROM users ORDER BY id"
                           ).fetchall() == real_users                 # same PINs
    assert journal.verify(trainee).ok
    trainee.close()
    real = open_database(demo_path)
    assert not is_training(real) and database_id(real) == real_id
    real.close()
    assert prepare_training_database(demo_path) == path              # reused, not remade


def test_a_training_ticket_is_refused_at_a_real_gate(demo_path: Path, tmp_path: Path) -> None:
    config = Config(tickets=TicketsConfig(key_dir=str(tmp_path / "keys")))   # one key dir
    real = open_database(demo_path)
    real_keys = ticket_key_dir(config, demo_path, database_id(real))
    keys.ensure_signing_key(real, real_keys)
    path = prepare_training_database(demo_path, now=NOW)
    trainee = open_database(path)
    session_config = training_config(config, path)
    training_keys = ticket_key_dir(session_config, path, database_id(trainee))
    assert training_keys != real_keys and not training_keys.is_relative_to(tmp_path / "keys")
    order, signer = _sell(trainee, training_keys)
    code = orders.ticket_code(signer, order.tickets[0])

    show = order.tickets[0].performance_id
    doors = performances.get_performance(real, show).doors_at
    assert doors is not None
    gate = open_gate(real, user(real, "gia"), show, "North", zone=ZONE)
    verdict = scan(real, gate, code, now=doors)
    assert not verdict.admitted and verdict.code == "INVALID", verdict
    # the same ticket sold for real is admitted: the refusal is the key, not the seat
    real_order, real_signer = _sell(real, real_keys)
    assert scan(real, gate, orders.ticket_code(real_signer, real_order.tickets[0]),
                now=doors).admitted


def test_every_printed_ticket_and_receipt_says_training(demo_path: Path,
                                                        tmp_path: Path) -> None:
    trainee = open_database(prepare_training_database(demo_path, now=NOW))
    order, signer = _sell(trainee, tmp_path / "keys")
    printer = FilePrinter(tmp_path / "paper.bin")
    result = print_order(trainee, Config(), order, signer, printer, seller="Sam", now=NOW)
    assert result.complete
    lines = text_lines((tmp_path / "paper.bin").read_bytes())
    assert lines.count("TRAINING - NOT VALID") == 3      # top and foot of the ticket, receipt
    real = open_database(demo_path)
    real_order, real_signer = _sell(real, tmp_path / "real-keys")
    print_order(real, Config(), real_order, real_signer, FilePrinter(tmp_path / "real.bin"),
                seller="Sam", now=NOW)
    assert not any("TRAINING" in line
                   for line in text_lines((tmp_path / "real.bin").read_bytes()))


def test_a_training_database_never_replaces_the_real_one(demo_path: Path,
                                                          tmp_path: Path) -> None:
    path = prepare_training_database(demo_path, now=NOW)
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(path, demo_path, confirm=True)
    assert refused.value.code == "training_database"
    assert not is_training(open_database(demo_path))


def test_reset_makes_the_copy_afresh_and_leaves_a_stranger_alone(demo_path: Path) -> None:
    path = prepare_training_database(demo_path, now=NOW)
    first_id = database_id(open_database(path))
    reset_training_database(demo_path, now=NOW)
    assert database_id(open_database(path)) != first_id
    stranger = demo_path.with_name("other.db")
    open_database(stranger).close()
    stranger.rename(training_path(stranger.with_name("real.db")))
    with pytest.raises(Exception) as refused:
        prepare_training_database(stranger.with_name("real.db"))
    assert getattr(refused.value, "code", "") == "not_training"


def test_a_training_gate_pack_is_foreign_to_the_real_database(demo_path: Path,
                                                              tmp_path: Path) -> None:
    from core.gate.gatepack import GatePackError, export_pack, merge_pack

    trainee = open_database(prepare_training_database(demo_path, now=NOW))
    pack = tmp_path / "training.pack"
    export_pack(trainee, user(trainee, "cora"), hall_performance(trainee), pack, now=NOW)
    real = open_database(demo_path)
    with pytest.raises(GatePackError) as foreign:
        merge_pack(real, user(real, "gia"), pack, now=NOW)
    assert foreign.value.code == "foreign_pack"
