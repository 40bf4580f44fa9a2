"""Offline gate packs: two gates admit the same ticket offline, the merges keep one entry
and flag one conflict, a replayed merge changes nothing; a pack is a snapshot; it carries
no money, customers or private keys; foreign and non-pack files are refused; the CLI."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from core.errors import NotFound
from core.gate import codes as gate_codes
from core.gate import gatepack
from core.gate import keys as gate_keys
from core.gate.checkin import counters, open_gate, scan
from core.gate.gatepack import GatePackError, export_pack, merge_pack, open_pack
from core.people.accounts import create_first_admin, create_user
from core.people.permissions import PermissionDenied
from core.people.users import authenticate
from core.sales import aftersale
from core.store.db import Database
from core.store.schema import open_database
from tests.core.test_checkin import CURTAIN, OPERA_NIGHT, Box
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.fixture_types import Cli
from tests.support.selling_helpers import STATION, hall_performance, stadium_performance


@pytest.fixture
def box(demo_db: Database, tmp_path: Path) -> Box:
    return Box(demo_db, tmp_path / "keys")


def at_gate(db: Database, performance_id: int) -> datetime:
    """Inside the gate window: the start minus 30 minutes."""
    starts = db.execute("SELECT starts_at FROM performances WHERE id = ?",
                        [performance_id]).fetchone()[0]
    return datetime.fromisoformat(starts) - timedelta(minutes=30)


def offline_scans(path: Path, performance_id: int, gate: str, codes: list[str],
                  now: datetime) -> list[str]:
    """A gate device on its own: log in from the pack, open the lane, scan; verdicts."""
    pack = open_pack(path)
    try:
        gia = authenticate(pack, "gia", "2222")
        lane = open_gate(pack, gia, performance_id, gate, zone=ZONE)
        return [scan(pack, lane, code, now=now + timedelta(seconds=i), nonce=f"{gate}-{i}",
                     device=f"{gate}-handheld").code for i, code in enumerate(codes)]
    finally:
        pack.close()


def count(db: Database, sql: str = "SELECT count(*) FROM scans") -> int:
    return int(db.execute(sql).fetchone()[0])


def test_two_offline_gates_admit_one_ticket_one_entry_one_conflict_replay_idempotent(
        box: Box, tmp_path: Path) -> None:
    match = stadium_performance(box.db)
    first, second, third = box.sell(match, ["101-1-1", "101-1-2", "101-1-3"]).tickets
    now = at_gate(box.db, match)
    # admitted online before the export: the packs know it (ALREADY IN offline)
    online = open_gate(box.db, box.gia, match, "Main", zone=ZONE)
    assert scan(box.db, online, box.code(third), now=now - timedelta(minutes=5),
                nonce="online-1").admitted
    north = export_pack(box.db, box.cora, match, tmp_path / "north.pack", now=FIXED_NOW)
    south = export_pack(box.db, box.cora, match, tmp_path / "south.pack", now=FIXED_NOW)
    assert north.pack_id != south.pack_id and north.scans == 1
    assert north.live_tickets == north.tickets == 3 and north.gate_users >= 1

    assert offline_scans(tmp_path / "north.pack", match, "North",
                         [box.code(first), box.code(second), box.code(third)],
                         now) == ["ADMIT", "ADMIT", "ALREADY_IN"]
    assert offline_scans(tmp_path / "south.pack", match, "South", [box.code(first)],
                         now + timedelta(minutes=2)) == ["ADMIT"]
    assert count(box.db) == 1                        # the main database has seen nothing yet

    merged_north = merge_pack(box.db, box.gia, tmp_path / "north.pack", now=FIXED_NOW)
    assert (merged_north.scans, merged_north.added, merged_north.already_merged,
            merged_north.conflicts, merged_north.gates) == (4, 3, 1, 0, ("North",))
    merged_south = merge_pack(box.db, box.gia, tmp_path / "south.pack", now=FIXED_NOW)
    assert (merged_south.added, merged_south.already_merged, merged_south.conflicts) == (1, 1, 1)

    admits = box.db.execute("SELECT gate, conflict FROM scans WHERE ticket_id = ? AND "
                            "verdict = 'ADMIT' ORDER BY id", [first.id]).fetchall()
    assert admits == [("North", 0), ("South", 1)]    # both kept, the second flagged
    figures = counters(box.db, match, "North", now + timedelta(minutes=3))
    assert figures.inside == 3                      # first, second, third: one each
    assert counters(box.db, match, "South", now).admitted_here == 1

    rows = count(box.db)
    journal_rows = count(box.db, "SELECT count(*) FROM journal WHERE action = 'gatepack.merge'")
    for path in ("north.pack", "south.pack", "north.pack"):
        again = merge_pack(box.db, box.gia, tmp_path / path, now=FIXED_NOW)
        assert (again.added, again.conflicts) == (0, 0)
    assert count(box.db) == rows
    assert counters(box.db, match, "North", now + timedelta(minutes=3)).inside == 3
    assert count(box.db, "SELECT count(*) FROM scans WHERE conflict = 1") == 1
    assert count(box.db, "SELECT count(*) FROM journal WHERE action = 'gatepack.merge'"
                 ) == journal_rows + 3             # each merge is journaled all the same
    # back online, the ticket is inside
    assert scan(box.db, online, box.code(first), now=now + timedelta(minutes=4)
                ).code == "ALREADY_IN"


def test_a_pack_is_a_snapshot_with_the_revocations_made_before_it(box: Box,
                                                                   tmp_path: Path) -> None:
    match = stadium_performance(box.db)
    before = box.sell(match, ["101-2-1"])
    after = box.sell(match, ["101-2-2"])
    reprinted = box.sell(match, ["101-2-3"]).tickets[0]
    old_code = box.code(reprinted)
    new_ticket = aftersale.reprint(box.db, box.cora, reprinted.id, reason="torn", now=FIXED_NOW)
    aftersale.refund(box.db, box.cora, before.id, reason="cannot come", station=STATION,
                  now=FIXED_NOW)
    info = export_pack(box.db, box.cora, match, tmp_path / "gate.pack", now=FIXED_NOW)
    assert info.revocations == 2 and info.live_tickets == 2
    aftersale.refund(box.db, box.cora, after.id, reason="changed plans", station=STATION,
                  now=FIXED_NOW)
    verdicts = offline_scans(tmp_path / "gate.pack", match, "North",
                             [box.code(before.tickets[0]), old_code, box.code(new_ticket),
                              box.code(after.tickets[0])], at_gate(box.db, match))
    # refunded before the export: refused offline; after it: the pack does not know
    assert verdicts == ["REFUNDED", "REVOKED", "ADMIT", "ADMIT"]


def test_wrong_day_and_wrong_event_name_the_right_one_offline(box: Box, tmp_path: Path) -> None:
    opera = hall_performance(box.db)
    matinee = box.db.execute("SELECT id FROM performances WHERE event_id = (SELECT event_id "
                             "FROM performances WHERE id = ?) AND id != ?",
                             [opera, opera]).fetchone()[0]
    code = box.code(box.sell(opera, ["ORCH-A-101"]).tickets[0])
    export_pack(box.db, box.cora, matinee, tmp_path / "matinee.pack", now=FIXED_NOW)
    match = stadium_performance(box.db)
    export_pack(box.db, box.cora, match, tmp_path / "match.pack", now=FIXED_NOW)
    for path, performance, word, detail in (
            ("matinee.pack", matinee, "WRONG_DAY", f"this ticket is for {OPERA_NIGHT}"),
            ("match.pack", match, "WRONG_EVENT",
             f"this ticket is for The Marriage of Figaro, {OPERA_NIGHT}")):
        pack = open_pack(tmp_path / path)
        lane = open_gate(pack, authenticate(pack, "gia", "2222"), performance, "North",
                         zone=ZONE)
        verdict = scan(pack, lane, code, now=CURTAIN + timedelta(days=2))
        pack.close()
        assert (verdict.code, verdict.detail) == (word, detail)


def test_a_pack_carries_no_money_customers_or_private_keys(box: Box, tmp_path: Path) -> None:
    match = stadium_performance(box.db)
    box.sell(match, ["101-3-1", "101-3-2"])
    path = tmp_path / "gate.pack"
    export_pack(box.db, box.cora, match, path, now=FIXED_NOW)
    assert not Path(f"{path}-wal").exists()          # one file to carry
    pack = open_database(path, check_location=False)
    try:
        for table in ("orders", "order_lines", "payments", "customers", "carts", "cart_items",
                      "prices", "seat_claims", "groups", "consignments", "seat_maps"):
            assert count(pack, f"SELECT count(*) FROM {table}") == 0, table
        assert {row[0] for row in pack.execute("SELECT role FROM users")} == {"gate"}
        assert pack.execute("SELECT public_key FROM signing_keys").fetchall() == \
            box.db.execute("SELECT public_key FROM signing_keys").fetchall()
        assert count(pack, "SELECT count(*) FROM tickets") == 2
        # the tickets' order ids are the only foreign keys left dangling (no orders)
        assert {row[0] for row in pack.execute("PRAGMA foreign_key_check")} <= {"tickets"}
        settings = gatepack.pack_settings(path)
        assert settings["pack.source_database_id"] != pack.execute(
            "SELECT value FROM settings WHERE key = 'database_id'").fetchone()[0]
    finally:
        pack.close()
    material = path.read_bytes()
    key_file = next((tmp_path / "keys").glob("*.pem"))
    private = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    assert raw not in material and b"PRIVATE KEY" not in material
    assert key_file.read_bytes() not in material


def test_export_needs_event_setup_and_never_overwrites(box: Box, tmp_path: Path) -> None:
    match = stadium_performance(box.db)
    with pytest.raises(PermissionDenied):
        export_pack(box.db, box.gia, match, tmp_path / "a.pack", now=FIXED_NOW)
    with pytest.raises(NotFound):
        export_pack(box.db, box.cora, 9999, tmp_path / "a.pack", now=FIXED_NOW)
    assert not (tmp_path / "a.pack").exists()
    taken = tmp_path / "taken.pack"
    taken.write_text("keep me")
    with pytest.raises(GatePackError) as refused:
        export_pack(box.db, box.cora, match, taken, now=FIXED_NOW)
    assert refused.value.code == "pack_exists" and taken.read_text() == "keep me"
    info = export_pack(box.db, box.cora, match, tmp_path / "a.pack", now=FIXED_NOW)
    entry = box.db.execute("SELECT actor, data FROM journal WHERE action = 'gatepack.export'"
                           ).fetchone()
    assert entry[0] == "cora" and json.loads(entry[1])["pack_id"] == info.pack_id


def test_foreign_packs_and_files_that_are_not_packs_are_refused(box: Box, demo_path: Path,
                                                                 tmp_path: Path) -> None:
    match = stadium_performance(box.db)
    export_pack(box.db, box.cora, match, tmp_path / "gate.pack", now=FIXED_NOW)
    other = open_database(tmp_path / "other.db")
    create_user(other, create_first_admin(other, "otto", "Otto Admin", "4444"), "gina",
                "Gina Gate", "gate", "2222")
    with pytest.raises(GatePackError) as foreign:
        merge_pack(other, authenticate(other, "gina", "2222"), tmp_path / "gate.pack",
                   now=FIXED_NOW)
    assert foreign.value.code == "foreign_pack" and "another box office" in foreign.value.message
    other.close()

    text = tmp_path / "notes.txt"
    text.write_text("not a database at all\n" * 100)
    empty = tmp_path / "empty.pack"
    empty.write_bytes(b"")
    for path in (text, empty, demo_path, tmp_path / "missing.pack"):
        with pytest.raises(GatePackError) as refused:
            merge_pack(box.db, box.gia, path, now=FIXED_NOW)
        assert refused.value.code == "not_a_pack", path
        assert "not a gate pack" in refused.value.message or "no gate pack" in \
            refused.value.message
    with pytest.raises(GatePackError):
        open_pack(text)
    assert text.read_text().startswith("not a database")    # read only, untouched


def test_merge_reads_the_pack_read_only(box: Box, tmp_path: Path) -> None:
    match = stadium_performance(box.db)
    ticket = box.sell(match, ["101-4-1"]).tickets[0]
    path = tmp_path / "gate.pack"
    export_pack(box.db, box.cora, match, path, now=FIXED_NOW)
    offline_scans(path, match, "North", [box.code(ticket)], at_gate(box.db, match))
    path.chmod(0o444)
    before = path.read_bytes()
    assert merge_pack(box.db, box.gia, path, now=FIXED_NOW).added == 1
    assert path.read_bytes() == before
    with pytest.raises(sqlite3.OperationalError):   # the pack really was not writable
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        conn.execute("INSERT INTO settings VALUES ('x', 'y')")


@pytest.fixture
def cli_with_gate_pack(cli: Cli) -> Cli:
    """The `cli` fixture, with the gate-pack group registered if tui/cli.py does not yet."""
    from tui.cli import main
    from tui.cli.gatepack import gate_pack

    if "gate-pack" not in main.commands:
        main.add_command(gate_pack)
    return cli


def test_cli_round_trip(cli_with_gate_pack: Cli, demo_path: Path, tmp_path: Path) -> None:
    cli = cli_with_gate_pack
    code, output = cli("sell", "--user", "sam", "--pin", "1111", "--performance", "3",
                       "--ga", "FIELD:1", "--tender", "cash", "--no-print", "--json")
    assert code == 0, output
    ticket_code = json.loads(output)["tickets"][0]["code"]
    pack = tmp_path / "north.pack"
    code, output = cli("gate-pack", "export", "--performance", "3", "-o", str(pack),
                       "--user", "cora", "--pin", "3333")
    assert code == 0, output
    assert "written to" in output and pack.exists()
    code, output = cli("gate-pack", "export", "--performance", "3", "-o", str(pack),
                       "--user", "cora", "--pin", "3333")
    assert code == 1 and "error [pack_exists]:" in output
    code, output = cli("gate-pack", "export", "--performance", "3", "-o",
                       str(tmp_path / "x.pack"), "--user", "gia", "--pin", "2222", "--json")
    assert code == 1 and json.loads(output)["error"] == "permission_denied"

    db = open_database(demo_path)
    now = at_gate(db, 3)
    db.close()
    assert offline_scans(pack, 3, "North", [ticket_code, ticket_code], now) == \
        ["ADMIT", "ALREADY_IN"]

    code, output = cli("gate-pack", "merge", str(pack), "--user", "gia", "--pin", "2222",
                       "--json")
    assert code == 0, output
    result = json.loads(output)
    assert (result["added"], result["conflicts"], result["gates"]) == (2, 0, ["North"])
    code, output = cli("gate-pack", "merge", str(pack), "--user", "gia", "--pin", "2222")
    assert code == 0 and "0 new scans of 2, 2 already merged" in output
    junk = tmp_path / "junk.pack"
    junk.write_text("junk")
    code, output = cli("gate-pack", "merge", str(junk), "--user", "gia", "--pin", "2222")
    assert code == 1 and "error [not_a_pack]:" in output

    db = open_database(demo_path)
    assert counters(db, 3, "North", now).inside == 1
    assert db.execute("SELECT count(*) FROM scans").fetchone()[0] == 2
    db.close()


def test_gatepack_uses_only_public_keys(box: Box, tmp_path: Path) -> None:
    """The pack's keys verify the box office's codes, and nothing in it can sign."""
    match = stadium_performance(box.db)
    ticket = box.sell(match, ["101-5-1"]).tickets[0]
    path = tmp_path / "gate.pack"
    export_pack(box.db, box.cora, match, path, now=FIXED_NOW)
    pack = open_pack(path)
    try:
        keys = gate_keys.public_keys(pack)
        assert keys and gate_codes.verify_token(box.code(ticket), keys, frozenset()).record
        with pytest.raises(gate_keys.SigningKeyError):
            gate_keys.load_signer(pack, tmp_path / "no-keys-here")
    finally:
        pack.close()
