"""Gate validation latency at 50,000 sold tickets, on SQLite and on PostgreSQL (same
host) in one run: `checkin.scan` (verify + judge + record in one write transaction) next
to bare signature verification, a bare ticket lookup and a bare `SELECT 1`, in the same run.

    tools/with_postgres.sh .venv/bin/python bench/bench_checkin.py \
        [--engines sqlite,postgresql] [--postgresql URL] [--scans 2000] [--tickets 50000] \
        [--repeat 3]

Per engine the demo is built and its stadium match gets `--tickets` live tickets
inserted in one write (reserved seats first, then the field's general admission); the
codes scanned are signed with the database's own key. Measured, one scan at a time and
interleaved: first scans (ADMIT), repeat scans (ALREADY IN) and garbage (INVALID), in
`--repeat` rounds of `--scans` different tickets. No camera decode here: that is the
decoder's own benchmark. Each figure is the median of the rounds with the lowest and
highest in brackets. Prints Markdown; figures go in bench/README.md by hand. Budget
(bench/README.md): frame decode + verify + record p99 < 10 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engines import Engine, add_arguments, open_engines, percentile, spread

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
NAMES = ("bare verify", "bare lookup", "bare SELECT 1", "scan: ADMIT (first)",
         "scan: ALREADY IN (repeat)", "scan: INVALID (garbage)")


def filler(keys: Path, tickets: int) -> Callable[[Any], None]:
    def build(db: Any) -> None:
        """The demo, a signing key and `tickets` live tickets for the stadium match."""
        from core.admin.demo import build_demo
        from core.gate import keys as gate_keys
        from core.store.db import insert, write

        build_demo(db, now=NOW, zone=ZoneInfo("America/New_York"))
        gate_keys.ensure_signing_key(db, keys)
        match = db.execute("SELECT p.id FROM performances p JOIN venues v ON "
                           "v.id = p.venue_id WHERE v.kind = 'stadium'").fetchone()[0]
        seats = db.execute("SELECT s.id, s.section_id FROM seats s JOIN sections c ON "
                           "c.id = s.section_id JOIN venues v ON v.id = c.venue_id WHERE "
                           "v.kind = 'stadium' AND c.kind != 'ga' ORDER BY s.id").fetchall()
        field = db.execute("SELECT c.id FROM sections c JOIN venues v ON v.id = c.venue_id "
                           "WHERE v.kind = 'stadium' AND c.kind = 'ga'").fetchone()[0]
        adult = db.execute("SELECT id FROM price_types WHERE code = 'ADULT'").fetchone()[0]
        cora = db.execute("SELECT id FROM users WHERE username = 'cora'").fetchone()[0]
        stamp = NOW.isoformat(timespec="seconds")
        with write(db):
            order = insert(db, "INSERT INTO orders (number, user_id, station, channel, "
                           "status, total_cents, created_at) VALUES ('BENCH', ?, 'bench', "
                           "'window', 'complete', 0, ?)", [cora, stamp])
            first = 1 + (db.execute("SELECT max(id) FROM tickets").fetchone()[0] or 0)
            rows = []
            for n in range(tickets):
                seat, section = seats[n] if n < len(seats) else (None, field)
                rows.append((first + n, order, match, section, seat, adult,
                             f"B{first + n:08d}", stamp))
            db.executemany(
                "INSERT INTO tickets (id, order_id, performance_id, section_id, seat_id, "
                "price_type_id, serial, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            if db.engine == "postgresql":   # explicit ids: move the identity past them
                db.execute("SELECT setval(pg_get_serial_sequence('tickets', 'id'), "
                           "(SELECT max(id) FROM tickets))")
    return build


def measure(engine: Engine, scans: int, tickets: int, repeat: int
            ) -> tuple[dict[str, list[list[float]]], dict[str, set[str]], float, str]:
    from core.gate import checkin
    from core.gate import codes as gate_codes
    from core.gate import keys as gate_keys
    from core.people.users import get_user
    from core.store.db import connect

    keys = engine.directory / "keys"
    started = time.perf_counter()
    location = engine.template(filler(keys, tickets))
    print(f"{engine.name}: built {tickets} tickets in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    db = connect(location)
    signer = gate_keys.load_signer(db, keys)
    match, starts = db.execute("SELECT p.id, p.starts_at FROM performances p JOIN venues v "
                               "ON v.id = p.venue_id WHERE v.kind = 'stadium'").fetchone()
    first = db.execute("SELECT min(id) FROM tickets WHERE serial LIKE 'B%'").fetchone()[0]
    at_gate = datetime.fromisoformat(starts) - timedelta(hours=1)
    if at_gate.tzinfo is None:
        at_gate = at_gate.replace(tzinfo=UTC)
    session = checkin.open_gate(db, get_user(db, "gia"), match, "North")
    rng = random.Random(7)
    every = rng.sample(range(first, first + tickets), scans * repeat)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

    def garble(code: str) -> str:
        at = rng.randrange(len(code) - 1)
        swapped = code[:at] + alphabet[(alphabet.index(code[at]) + 1) % 32] + code[at + 1:]
        return rng.choice([swapped, code[:60], code + "Q",
                           "".join(rng.choices(alphabet, k=122))])

    rounds: dict[str, list[list[float]]] = {name: [] for name in NAMES}
    verdicts: dict[str, set[str]] = {name: set() for name in NAMES}

    def timed(times: dict[str, list[float]], name: str, call: Callable[[], object]) -> None:
        begin = time.perf_counter()
        result = call()
        times[name].append((time.perf_counter() - begin) * 1000)
        if isinstance(result, checkin.Verdict):
            verdicts[name].add(result.code)

    def verify(code: str) -> object:
        return gate_codes.verify_token(code, session.keys, session.revoked)

    def lookup(ticket_id: int) -> object:
        return db.execute("SELECT status, generation FROM tickets WHERE id = ?",
                          [ticket_id]).fetchone()

    def gate(text: str) -> object:
        return checkin.scan(db, session, text, now=at_gate)

    for number in range(repeat):
        ids = every[number * scans:(number + 1) * scans]
        codes = [signer.sign(ticket_id, match, 1) for ticket_id in ids]
        garbage = [garble(code) for code in codes]
        times: dict[str, list[float]] = {name: [] for name in NAMES}
        for ticket_id, code, junk in zip(ids, codes, garbage, strict=True):
            timed(times, "bare verify", partial(verify, code))
            timed(times, "bare lookup", partial(lookup, ticket_id))
            timed(times, "bare SELECT 1", lambda: db.execute("SELECT 1").fetchone())
            timed(times, "scan: ADMIT (first)", partial(gate, code))
            timed(times, "scan: ALREADY IN (repeat)", partial(gate, code))
            timed(times, "scan: INVALID (garbage)", partial(gate, junk))
        for name in NAMES:
            rounds[name].append(times[name])
    started = time.perf_counter()
    figures = checkin.counters(db, match, "North", at_gate)
    counters_ms = (time.perf_counter() - started) * 1000
    db.close()
    return rounds, verdicts, counters_ms, f"admitted {figures.admitted_here}, sold {figures.sold}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=2000, help="scans per round")
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds")
    add_arguments(parser)
    args = parser.parse_args()
    engines = open_engines(args)
    try:
        results = {engine.name: measure(engine, args.scans, args.tickets, args.repeat)
                   for engine in engines}
        load = os.getloadavg()
        print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores, load "
              f"average {load[0]:.1f} at the end; {args.repeat} rounds of {args.scans} "
              f"scans each against {args.tickets:,} live tickets; median (min-max) of "
              "the rounds")
        for engine in engines:
            print(f"- {engine.name}: {engine.describe()}")
        print("\n| engine | what | p50 ms | p99 ms | max ms | verdicts |")
        print("| --- | --- | --- | --- | --- | --- |")
        for engine in engines:
            rounds, verdicts, counters_ms, counted = results[engine.name]
            for name in NAMES:
                p50 = [statistics.median(r) for r in rounds[name]]
                p99 = [percentile(r, 0.99) for r in rounds[name]]
                most = max(max(r) for r in rounds[name])
                print(f"| {engine.name} | {name} | {spread(p50, 3)} | {spread(p99, 3)} | "
                      f"{most:.3f} | {', '.join(sorted(verdicts[name])) or '-'} |")
            print(f"| {engine.name} | counters (after {3 * args.scans * args.repeat} scans) "
                  f"| {counters_ms:.3f} | | | {counted} |")
    finally:
        for engine in engines:
            engine.close()


if __name__ == "__main__":
    main()
