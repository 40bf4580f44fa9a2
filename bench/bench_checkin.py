"""Gate validation latency at 50,000 sold tickets: `checkin.scan` (verify + judge + record
in one BEGIN IMMEDIATE transaction, synchronous=FULL) next to bare signature verification
and a bare ticket lookup, in the same run.

    python bench/bench_checkin.py [--scans 3000] [--tickets 50000]

The demo database is built in a temporary directory; its stadium match gets `--tickets`
live tickets inserted directly with executemany (reserved seats first, then the field's
general admission), and the codes scanned are signed with core.tokens. Measured, one
scan at a time and interleaved: first scans (ADMIT), repeat scans (ALREADY IN) and
garbage (INVALID). No camera decode here: that is the decoder's own benchmark.
Prints a Markdown table; figures go in bench/README.md by hand. Budget (bench/README.md):
frame decode + verify + record p99 < 10 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def build(directory: Path, tickets: int):  # type: ignore[no-untyped-def]
    from core.admin.demo import build_demo
    from core.gate import keys as gate_keys
    from core.store.schema import open_database

    db = open_database(directory / "gate.db")
    build_demo(db, now=NOW, zone=ZoneInfo("America/New_York"))
    gate_keys.ensure_signing_key(db, directory / "keys")
    signer = gate_keys.load_signer(db, directory / "keys")
    match, starts = db.execute("SELECT p.id, p.starts_at FROM performances p JOIN venues v "
                               "ON v.id = p.venue_id WHERE v.kind = 'stadium'").fetchone()
    seats = db.execute("SELECT s.id, s.section_id FROM seats s JOIN sections c ON "
                       "c.id = s.section_id JOIN venues v ON v.id = c.venue_id WHERE "
                       "v.kind = 'stadium' AND c.kind != 'ga' ORDER BY s.id").fetchall()
    field = db.execute("SELECT c.id FROM sections c JOIN venues v ON v.id = c.venue_id "
                       "WHERE v.kind = 'stadium' AND c.kind = 'ga'").fetchone()[0]
    adult = db.execute("SELECT id FROM price_types WHERE code = 'ADULT'").fetchone()[0]
    cora = db.execute("SELECT id FROM users WHERE username = 'cora'").fetchone()[0]
    stamp = NOW.isoformat(timespec="seconds")
    with db.conn:
        db.conn.execute("BEGIN IMMEDIATE")
        order = db.conn.execute(
            "INSERT INTO orders (number, user_id, station, channel, status, total_cents, "
            "created_at) VALUES ('BENCH', ?, 'bench', 'window', 'complete', 0, ?)",
            [cora, stamp]).lastrowid
        first = 1 + (db.execute("SELECT max(id) FROM tickets").fetchone()[0] or 0)
        rows = []
        for n in range(tickets):
            seat, section = seats[n] if n < len(seats) else (None, field)
            rows.append((first + n, order, match, section, seat, adult, f"B{first + n:08d}",
                         stamp))
        db.executemany(
            "INSERT INTO tickets (id, order_id, performance_id, section_id, seat_id, "
            "price_type_id, serial, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        db.conn.execute("COMMIT")
    db.conn.execute("ANALYZE")
    at_gate = datetime.fromisoformat(starts) - timedelta(hours=1)
    return db, signer, match, first, at_gate


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=3000)
    parser.add_argument("--tickets", type=int, default=50_000)
    args = parser.parse_args()

    from core.gate import checkin
    from core.gate import codes as gate_codes
    from core.people.users import get_user

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        db, signer, match, first, at_gate = build(Path(tmp), args.tickets)
        print(f"built {args.tickets} tickets in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
        session = checkin.open_gate(db, get_user(db, "gia"), match, "North")
        rng = random.Random(7)
        ids = rng.sample(range(first, first + args.tickets), args.scans)
        codes = [signer.sign(ticket_id, match, 1) for ticket_id in ids]
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

        def garble(code: str) -> str:
            at = rng.randrange(len(code) - 1)
            swapped = code[:at] + alphabet[(alphabet.index(code[at]) + 1) % 32] + code[at + 1:]
            return rng.choice([swapped, code[:60], code + "Q", "".join(rng.choices(alphabet,
                                                                                 k=122))])

        garbage = [garble(code) for code in codes]
        times: dict[str, list[float]] = {name: [] for name in (
            "bare verify", "bare lookup", "scan: ADMIT (first)", "scan: ALREADY IN (repeat)",
            "scan: INVALID (garbage)")}
        verdicts: dict[str, set[str]] = {name: set() for name in times}

        def timed(name: str, call: Callable[[], object]) -> None:
            begin = time.perf_counter()
            result = call()
            times[name].append((time.perf_counter() - begin) * 1000)
            if isinstance(result, checkin.Verdict):
                verdicts[name].add(result.code)

        keys, revoked = session.keys, session.revoked
        for ticket_id, code, junk in zip(ids, codes, garbage, strict=True):
            def verify(code: str = code) -> object:
                return gate_codes.verify_token(code, keys, revoked)

            def lookup(ticket_id: int = ticket_id) -> object:
                return db.execute("SELECT status, generation FROM tickets WHERE id = ?",
                                  [ticket_id]).fetchone()

            def gate(text: str = code) -> object:
                return checkin.scan(db, session, text, now=at_gate)

            timed("bare verify", verify)
            timed("bare lookup", lookup)
            timed("scan: ADMIT (first)", gate)
            timed("scan: ALREADY IN (repeat)", gate)
            timed("scan: INVALID (garbage)", partial(gate, junk))
        started = time.perf_counter()
        figures = checkin.counters(db, match, "North", at_gate)
        counters_ms = (time.perf_counter() - started) * 1000
        db.close()

    print(f"\n{args.scans} scans each against {args.tickets:,} live tickets "
          "(WAL, synchronous=FULL)\n")
    print("| what | median ms | p99 ms | max ms | verdicts |")
    print("| --- | --- | --- | --- | --- |")
    for name, values in times.items():
        print(f"| {name} | {statistics.median(values):.3f} | {percentile(values, 0.99):.3f} "
              f"| {max(values):.3f} | {', '.join(sorted(verdicts[name])) or '-'} |")
    print(f"| counters (after {3 * args.scans} scans) | {counters_ms:.3f} | | | "
          f"admitted {figures.admitted_here}, sold {figures.sold} |")


if __name__ == "__main__":
    main()
