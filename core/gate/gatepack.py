"""Offline gate packs: what a gate device needs for one performance, in a file of its own.

A gate pack is a SQLite database made by `core.schema.open_database` (the same
migrations), so `core.checkin.open_gate` and `scan` run on it unchanged: that is the
offline gate. It holds:

- every venue, event and performance (a few rows, so WRONG EVENT and WRONG DAY name the
  right one offline); the sections and price zones of the event's venues, the seats of
  the pack's tickets, and the price types (for the labels a gate shows);
- the tickets of the performance (state, generation, seat), and the revocations of the
  event's tickets;
- the signing keys' *public* halves (`signing_keys` never holds more: private keys live
  in files beside the box office database and never leave it);
- the active gate users (role `gate`) with their PIN hashes and the role permissions, so
  a gate user can log in on the device offline; no other user is carried;
- the performance's scans up to the export (so a ticket already admitted shows ALREADY
  IN offline; a merge skips them by nonce);
- settings `pack.id`, `pack.source_database_id`, `pack.performance_id`, `pack.made_at`,
  `pack.made_by`.

It carries no order money, customers, payments, carts, prices or non-gate users. The
`tickets.order_id` column keeps the source's order id, but the `orders` table of a pack
is empty (an order is money and a customer); it is the only foreign key left dangling.

A pack is a snapshot: a ticket refunded or reprinted after the export is still admitted
by a gate running from that pack (export a fresh pack, or merge and re-export, to pick
changes up); revocations made before the export are in it (REFUNDED / REVOKED offline).

`merge_pack` folds a pack's scans back into the main database by nonce (a replayed merge
adds nothing). An ADMIT for a ticket whose last counted entry/exit scan in the main
database is already an ADMIT (two gates let the same code in while offline) is kept with
`conflict = 1`: `checkin.counters` leaves it out of `inside`.

Export needs `event_setup` (the pack carries the gate users' PIN hashes, so a coordinator
prepares gate devices); merge needs `gate_scan`.
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.errors import BoxOfficeError, NotFound
from core.free_text import LONG, PATH, clean_text
from core.gate import feed
from core.gate.checkin import ADMIT, EXITED, MODES, SCAN_COLUMNS, WORDS
from core.limits import MAX_ID
from core.people.models import User
from core.people.permissions import authorize
from core.store import journal
from core.store.db import Database, read_snapshot, write
from core.store.schema import database_id, open_database

PACK_ID = "pack.id"
SOURCE = "pack.source_database_id"
PERFORMANCE = "pack.performance_id"
MADE_AT = "pack.made_at"
MADE_BY = "pack.made_by"



class GatePackError(BoxOfficeError):
    """A pack cannot be made or merged: `pack_exists`, `not_a_pack`, `foreign_pack`, ..."""

    code = "gate_pack"


@dataclass(frozen=True)
class PackInfo:
    path: str
    pack_id: str
    source_database_id: str
    performance_id: int
    event_id: int
    event_name: str
    made_at: str
    made_by: str
    performances: int          # of the event (all carried, for WRONG DAY)
    tickets: int               # of the performance, every state
    live_tickets: int
    revocations: int
    keys: int                  # public keys
    gate_users: int
    scans: int                 # scans of the performance carried over (merge skips them)


@dataclass(frozen=True)
class MergeResult:
    path: str
    pack_id: str
    performance_id: int
    scans: int                 # scans in the pack
    added: int                 # new in the main database
    already_merged: int        # nonces the main database already had
    conflicts: int             # of the added: admissions flagged as offline duplicates
    gates: tuple[str, ...]     # gates of the added scans


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise GatePackError("a time needs a time zone", code="naive_time")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _copy(source: Database, pack: Database, table: str,
          where: str, params: Sequence[Any]) -> int:
    """Copy `table`'s rows matching `where` from source to pack, ids kept."""
    wanted = set(source.columns(table))
    columns = [c for c in pack.columns(table) if c in wanted]
    names = ", ".join(columns)
    rows = source.execute(f"SELECT {names} FROM {table} WHERE {where}", list(params)).fetchall()
    marks = ", ".join("?" for _ in columns)
    pack.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
    return len(rows)


def _remove(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):
            leftover.unlink()


def export_pack(db: Database, actor: User, performance_id: int,
                path: str | Path, *, now: datetime) -> PackInfo:
    """Write a gate pack for `performance_id` to a new file at `path`.

    Needs `event_setup`; journaled on the main database (`gatepack.export`). Raises
    PermissionDenied, NotFound (no such performance), GatePackError `pack_exists` (never
    overwrites a file) or `pack_write` (the file cannot be written).
    """
    _stamp(now)
    authorize(db, actor, "event_setup")
    return write_pack(db, actor.username, performance_id, path, now=now, gate_users=True)


def write_pack(db: Database, made_by: str, performance_id: int, path: str | Path, *,
               now: datetime, gate_users: bool) -> PackInfo:
    """`export_pack` without the permission check, for a caller that authorized another
    way: the check-in server hands a lane its pack on the lane's device token
    (`core.gate.lanes.lane_pack`), without gate users (`gate_users=False`: a lane signs
    in with its token, not a PIN). The pack records the changes-feed cursor it is current
    to (`pack.cursor`). Same errors as `export_pack` but PermissionDenied.
    """
    made_at = _stamp(now)
    row = db.execute("SELECT p.event_id, e.name FROM performances p JOIN events e "
                     "ON e.id = p.event_id WHERE p.id = ?", [performance_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no performance {performance_id}")
    event_id, event_name = row
    target = Path(path)
    clean_text(str(target), "gate pack file name", max_length=PATH)   # it is journaled
    try:
        with open(target, "xb"):       # claim the name: never overwrite, even in a race
            pass
    except FileExistsError as error:
        raise GatePackError(f"{target} already exists: a gate pack never overwrites a file; "
                            "choose another name or remove the old pack",
                            code="pack_exists") from error
    except OSError as error:
        raise GatePackError(f"cannot write the gate pack {target}: {error}",
                            code="pack_write") from error
    pack_id = secrets.token_hex(8)
    source_id = database_id(db)
    try:
        pack = open_database(target, check_location=False)
        try:
            counts = _fill(db, pack, performance_id, event_id, {
                PACK_ID: pack_id, SOURCE: source_id, PERFORMANCE: str(performance_id),
                MADE_AT: made_at, MADE_BY: made_by}, gate_users=gate_users)
            pack.execute("PRAGMA journal_mode = DELETE")   # one file to carry
        finally:
            pack.close()
    except BaseException as error:
        _remove(target)
        if isinstance(error, (sqlite3.Error, OSError)):
            raise GatePackError(f"cannot write the gate pack {target}: {error}",
                                code="pack_write") from error
        raise
    info = PackInfo(str(target), pack_id, source_id, performance_id, event_id, event_name,
                    made_at, made_by, **counts)
    journal.append(db, actor=made_by, action="gatepack.export",
                   subject=f"performance:{performance_id}",
                   data={"pack_id": pack_id, "path": str(target), "tickets": info.tickets,
                         "revocations": info.revocations, "gate_users": info.gate_users})
    return info


def _fill(db: Database, pack: Database, performance_id: int,
          event_id: int, settings: dict[str, str], *, gate_users: bool) -> dict[str, int]:
    """Copy what the gate needs; one read snapshot of the source, one pack transaction."""
    with read_snapshot(db):     # a read snapshot: nothing is written inside it
        pack.execute("PRAGMA foreign_keys = OFF")   # tickets.order_id stays dangling
        with write(pack):
            for table in ("price_types", "role_permissions", "hold_codes"):
                pack.execute(f"DELETE FROM {table}")      # the migration's seeds
            perfs = "SELECT id FROM performances WHERE event_id = ?"
            venues = "SELECT venue_id FROM performances WHERE event_id = ?"
            # every venue, event and performance (a few rows): WRONG EVENT and WRONG DAY
            # name the right one offline too
            _copy(db, pack, "venues", "1 = 1", [])
            _copy(db, pack, "events", "1 = 1", [])
            _copy(db, pack, "performances", "1 = 1", [])
            performances = int(pack.execute("SELECT count(*) FROM performances WHERE "
                                            "event_id = ?", [event_id]).fetchone()[0])
            _copy(db, pack, "price_zones", f"venue_id IN ({venues})", [event_id])
            _copy(db, pack, "sections", f"venue_id IN ({venues})", [event_id])
            _copy(db, pack, "price_types", "1 = 1", [])
            _copy(db, pack, "seats", "id IN (SELECT seat_id FROM tickets WHERE "
                  "performance_id = ? AND seat_id IS NOT NULL)", [performance_id])
            tickets = _copy(db, pack, "tickets", "performance_id = ?", [performance_id])
            revocations = _copy(db, pack, "revocations", "ticket_id IN (SELECT id FROM "
                                f"tickets WHERE performance_id IN ({perfs}))", [event_id])
            keys = _copy(db, pack, "signing_keys", "1 = 1", [])
            users = _copy(db, pack, "users", "role = 'gate' AND active = 1" if gate_users
                          else "1 = 0", [])
            _copy(db, pack, "role_permissions", "1 = 1", [])
            scans = _copy(db, pack, "scans", "performance_id = ?", [performance_id])
            settings[feed.CURSOR_SETTING] = feed.current_cursor(db)
            pack.executemany("INSERT INTO settings (key, value) VALUES (?, ?)",
                                  list(settings.items()))
            live = pack.execute("SELECT count(*) FROM tickets WHERE status = 'live'"
                                ).fetchone()[0]
            journal.append(pack, actor=settings[MADE_BY], action="gatepack.made",
                           subject=f"performance:{performance_id}",
                           data={"pack_id": settings[PACK_ID],
                                 "source_database_id": settings[SOURCE]})
        pack.execute("PRAGMA foreign_keys = ON")
    return {"performances": performances, "tickets": tickets, "live_tickets": int(live),
            "revocations": revocations, "keys": keys, "gate_users": users,
            "scans": scans}


def _read_only(path: Path) -> sqlite3.Connection:
    """The pack opened read-only, checked to be a gate pack; raises GatePackError."""
    if not path.is_file():
        raise GatePackError(f"there is no gate pack at {path}", code="not_a_pack")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                           isolation_level=None, check_same_thread=False)
    try:
        rows = dict(conn.execute("SELECT key, value FROM settings WHERE key IN (?, ?, ?)",
                                 [PACK_ID, SOURCE, PERFORMANCE]).fetchall())
        conn.execute("SELECT nonce FROM scans LIMIT 0")
    except sqlite3.Error as error:
        conn.close()
        raise GatePackError(f"{path} is not a gate pack (not a box office database: "
                            f"{error})", code="not_a_pack") from error
    if set(rows) != {PACK_ID, SOURCE, PERFORMANCE}:
        conn.close()
        raise GatePackError(f"{path} is not a gate pack: it is a box office database, but "
                            "not one made by `boxoffice gate-pack export`", code="not_a_pack")
    return conn


def pack_settings(path: str | Path) -> dict[str, str]:
    """A pack's `pack.*` settings (read-only). Raises GatePackError `not_a_pack`."""
    conn = _read_only(Path(path))
    try:
        return dict(conn.execute("SELECT key, value FROM settings WHERE key LIKE 'pack.%'"))
    finally:
        conn.close()


def open_pack(path: str | Path) -> Database:
    """Open a gate pack for a gate device (read-write: scans are recorded in it).

    Checks that it is a pack first. Use it as the database for `core.users.authenticate`,
    `core.checkin.open_gate`, `scan` and `counters`. Raises GatePackError `not_a_pack`.
    """
    _read_only(Path(path)).close()
    return open_database(path, check_location=False)


def merge_pack(db: Database, actor: User, path: str | Path, *,
               now: datetime) -> MergeResult:
    """Fold a gate pack's scans into the main database; the pack is only read.

    Scans are matched by nonce: one the main database already has is skipped, so a
    replayed merge adds nothing. An entry ADMIT for a ticket already inside by the main
    database's record (its last counted ADMIT/EXIT is an ADMIT) is added with
    `conflict = 1`: kept, flagged, and left out of `inside` by `checkin.counters`. Needs
    `gate_scan`; journaled (`gatepack.merge`). Raises PermissionDenied, GatePackError
    `not_a_pack`, `foreign_pack`, `bad_pack` (a row no gate could have recorded: named),
    `naive_time`.
    """
    _stamp(now)
    authorize(db, actor, "gate_scan")
    source = Path(path)
    clean_text(str(source), "gate pack file name", max_length=PATH)   # it is journaled
    conn = _read_only(source)
    try:
        settings = dict(conn.execute("SELECT key, value FROM settings WHERE key LIKE 'pack.%'"))
        if settings[SOURCE] != database_id(db):
            raise GatePackError(
                f"{source} was exported from another box office database "
                f"({settings[SOURCE]}, this one is {database_id(db)}): its scans do not "
                "belong here", code="foreign_pack")
        names = ", ".join(SCAN_COLUMNS)
        rows = conn.execute(f"SELECT {names} FROM scans ORDER BY id").fetchall()
    except sqlite3.Error as error:
        raise GatePackError(f"cannot read the gate pack {source}: {error}",
                            code="not_a_pack") from error
    finally:
        conn.close()
    for number, row in enumerate(rows, start=1):
        _check_scan_row(db, source, number, dict(zip(SCAN_COLUMNS, row, strict=True)),
                        int(settings[PERFORMANCE]))
    try:
        result = _fold(db, actor, source, settings, rows)
    except sqlite3.IntegrityError as error:
        raise GatePackError(f"the gate pack {source} holds scans this database cannot take "
                            f"({error}); nothing was merged", code="bad_pack") from error
    return result


def _check_scan_row(db: Database, source: Path, number: int,
                    scan: dict[str, Any], performance_id: int) -> None:
    """Refuse the whole pack (GatePackError `bad_pack`, naming the row) when one of its
    scans could not have been recorded by a gate running it: a pack is a file, and a
    hand-edited one must not add admissions, verdicts or times the gate never made."""
    def bad(why: str) -> GatePackError:
        nonce = str(scan.get("nonce"))[:40]
        return GatePackError(f"the gate pack {source} is refused, nothing was merged: scan "
                             f"row {number} (nonce {nonce}) {why}", code="bad_pack")

    if not isinstance(scan["nonce"], str) or not 1 <= len(scan["nonce"].strip()) <= 100:
        raise bad("has no proper nonce")
    if scan["performance_id"] != performance_id:
        raise bad(f"is for performance {scan['performance_id']!r}, but the pack is for "
                  f"performance {performance_id}")
    if scan["verdict"] not in WORDS:
        raise bad(f"has the verdict {str(scan['verdict'])[:20]!r}, which no gate gives")
    if scan["direction"] not in MODES:
        raise bad(f"has the direction {str(scan['direction'])[:20]!r}")
    if scan["conflict"] not in (0, 1):
        raise bad("has a conflict flag that is neither 0 nor 1")
    for column in ("ticket_id", "generation"):
        value = scan[column]
        if value is not None and (not isinstance(value, int) or not 0 < value <= MAX_ID):
            raise bad(f"has {column} {str(value)[:20]!r}")
    try:
        when = datetime.fromisoformat(str(scan["scanned_at"]))
    except ValueError:
        raise bad(f"has an unreadable time {str(scan['scanned_at'])[:40]!r}") from None
    if when.tzinfo is None:
        raise bad("has a time without a time zone")
    for column, required in (("gate", True), ("device", False), ("actor", False),
                             ("reason", False), ("detail", False)):
        value = scan[column]
        if not isinstance(value, str):
            raise bad(f"has a {column} that is not text")
        try:
            clean_text(value, column, max_length=LONG, required=required)
        except BoxOfficeError as error:
            raise bad(f"has a bad {column}: {error.message}") from None
    if scan["verdict"] in (ADMIT, EXITED):
        ticket = db.execute("SELECT performance_id FROM tickets WHERE id = ?",
                            [scan["ticket_id"]]).fetchone()
        if ticket is None or ticket[0] != performance_id:
            raise bad(f"lets in or out ticket {scan['ticket_id']!r}, which is not a ticket "
                      "of this performance")


def _fold(db: Database, actor: User, source: Path, settings: dict[str, str],
          rows: list[Any]) -> MergeResult:
    pack_id = settings[PACK_ID]
    scans = [dict(zip(SCAN_COLUMNS, row, strict=True)) for row in rows]
    for scan in scans:
        if not scan["device"]:
            scan["device"] = f"pack:{pack_id}"
    with write(db):
        folded = fold_scans(db, scans)
        result = MergeResult(str(source), pack_id, int(settings[PERFORMANCE]), len(rows),
                             folded.added, len(rows) - folded.added, folded.conflicts,
                             folded.gates)
        journal.append(db, actor=actor.username, action="gatepack.merge",
                       subject=f"performance:{result.performance_id}",
                       data={"pack_id": pack_id, "path": str(source), "scans": len(rows),
                             "added": folded.added, "conflicts": folded.conflicts})
    return result


@dataclass(frozen=True)
class Folded:
    added: int                 # scans new to the database
    conflicts: int             # of the added: admissions flagged as offline duplicates
    gates: tuple[str, ...]     # gates of the added scans
    added_nonces: tuple[str, ...] = ()


def fold_scans(db: Database, scans: Sequence[Mapping[str, Any]]) -> Folded:
    """Fold scans judged elsewhere (a gate pack, a lane that was offline) into `db`,
    never re-judging them: a nonce `db` already has is skipped; an entry ADMIT for a
    ticket already inside by `db`'s record (its last counted ADMIT/EXIT is an ADMIT) is
    added with `conflict = 1`. Each scan maps every column of `SCAN_COLUMNS`. Runs in one
    write transaction (the caller's, if it holds one). Raises sqlite3.IntegrityError for
    a scan the schema refuses (nothing is added then).
    """
    added: list[str] = []
    conflicts = 0
    gates: set[str] = set()
    names = ", ".join(SCAN_COLUMNS)
    with write(db):
        for given in scans:
            scan = dict(given)
            if db.execute("SELECT 1 FROM scans WHERE nonce = ?",
                          [scan["nonce"]]).fetchone() is not None:
                continue
            if scan["verdict"] == ADMIT and scan["direction"] == "entry" and \
                    scan["ticket_id"] is not None:
                last = db.execute(
                    "SELECT verdict FROM scans WHERE performance_id = ? AND ticket_id = ? "
                    "AND verdict IN (?, ?) AND direction != 'status' AND conflict = 0 "
                    "ORDER BY id DESC LIMIT 1",
                    [scan["performance_id"], scan["ticket_id"], ADMIT, EXITED]).fetchone()
                if last is not None and last[0] == ADMIT:
                    scan["conflict"] = 1
            conflicts += int(bool(scan["conflict"]))
            db.execute(f"INSERT INTO scans ({names}) VALUES "
                       f"({', '.join('?' for _ in SCAN_COLUMNS)})",
                       [scan[c] for c in SCAN_COLUMNS])
            added.append(str(scan["nonce"]))
            gates.add(str(scan["gate"]))
    return Folded(len(added), conflicts, tuple(sorted(gates)), tuple(added))
