"""The check-in server under lanes: scans a second and p50/p99 per scan through HTTP for 1,
8 and 60 concurrent lanes, a paced run at a 60,000-seat stadium's peak (22 scans a second
over 60 lanes), and a direct `core.gate.checkin.scan` in the same run.

    python bench/bench_gateserver.py [--tickets 50000] [--scans 3000] [--paced-seconds 15]

The database is bench_checkin's (the demo with `--tickets` live stadium tickets). The
server is `gateserver` under uvicorn in its own process on 127.0.0.1 (one worker, its
clock moved to an hour before kick-off); each lane is a thread with its own HTTP client
and token posting `POST /v1/scans` one scan at a time, every scan a first scan (ADMIT).
Clients and server share the machine's cores. Prints a Markdown table; figures go in
bench/README.md by hand. Budget (DESIGN.md): p99 < 20 ms per scan at 60 concurrent lanes.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_checkin import NOW, build, percentile

SERVER = """
import os, datetime, time_machine, uvicorn
with time_machine.travel(datetime.datetime.fromisoformat(os.environ["BENCH_NOW"]), tick=True):
    uvicorn.run("gateserver.app:app_from_environment", factory=True, host="127.0.0.1",
                port=int(os.environ["BENCH_PORT"]), log_level="warning", access_log=False)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(db_path: Path, at_gate: object) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "BOXOFFICE_GATE_DB": str(db_path), "BENCH_PORT": str(port),
           "BENCH_NOW": at_gate.isoformat(),  # type: ignore[attr-defined]
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    env.pop("BOXOFFICE_CONFIG", None)
    process = subprocess.Popen([sys.executable, "-c", SERVER], env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            if httpx.get(f"{url}/v1/health", timeout=0.5).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("the gate server did not start")


def run_lanes(url: str, tokens: list[str], codes: list[str], *,
              pace: float | None = None) -> tuple[float, list[float], dict[str, int]]:
    """Each lane (thread) posts its share of `codes` one at a time; with `pace`, at that
    many scans a second in all. Returns (seconds, per-scan ms, verdict counts)."""
    lanes = len(tokens)
    shares = [codes[n::lanes] for n in range(lanes)]
    times: list[float] = []
    verdicts: dict[str, int] = {}
    lock = threading.Lock()
    start = threading.Barrier(lanes + 1)

    def lane(n: int) -> None:
        mine: list[float] = []
        seen: dict[str, int] = {}
        with httpx.Client(base_url=url, timeout=10,
                          headers={"Authorization": f"Bearer {tokens[n]}"}) as client:
            start.wait()
            begun = time.perf_counter()
            for i, code in enumerate(shares[n]):
                if pace:
                    due = begun + (i * lanes + n) / pace
                    wait = due - time.perf_counter()
                    if wait > 0:
                        time.sleep(wait)
                t = time.perf_counter()
                answer = client.post("/v1/scans", json={
                    "gate": f"Gate {n % 4}", "mode": "entry",
                    "nonce": secrets.token_hex(12), "code": code})
                mine.append((time.perf_counter() - t) * 1000)
                word = answer.json()["verdict"]["code"] if answer.status_code == 200 else (
                    f"HTTP {answer.status_code}")
                seen[word] = seen.get(word, 0) + 1
        with lock:
            times.extend(mine)
            for word, count in seen.items():
                verdicts[word] = verdicts.get(word, 0) + count

    threads = [threading.Thread(target=lane, args=(n,)) for n in range(lanes)]
    for thread in threads:
        thread.start()
    start.wait()
    begun = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - begun, times, verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--scans", type=int, default=3000, help="per row")
    parser.add_argument("--paced-seconds", type=float, default=15.0)
    args = parser.parse_args()

    from core.gate import checkin, lanes
    from core.people.users import get_user

    rows: list[tuple[str, float, list[float], dict[str, int]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        db, signer, match, first, at_gate = build(Path(tmp), args.tickets)
        print(f"built {args.tickets} tickets in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
        paced = int(22 * args.paced_seconds)
        needed = args.scans * 4 + paced
        if needed > args.tickets:
            raise SystemExit(f"--tickets must be at least {needed}")
        ids = list(range(first, first + needed))
        codes = [signer.sign(ticket_id, match, 1) for ticket_id in ids]
        batches = [codes[i * args.scans:(i + 1) * args.scans] for i in range(4)]
        cora = get_user(db, "cora")
        tokens = [lanes.issue_lane_token(db, cora, match, f"Bench {n}", now=NOW).token
                  for n in range(60)]

        # direct core, in this process, one scan at a time
        session = checkin.open_gate(db, get_user(db, "gia"), match, "Direct")
        direct: list[float] = []
        seen: dict[str, int] = {}
        begun = time.perf_counter()
        for code in batches[0]:
            t = time.perf_counter()
            verdict = checkin.scan(db, session, code, now=at_gate,
                                   nonce=secrets.token_hex(12))
            direct.append((time.perf_counter() - t) * 1000)
            seen[verdict.code] = seen.get(verdict.code, 0) + 1
        rows.append(("direct core.checkin.scan, 1 caller", time.perf_counter() - begun,
                      direct, seen))
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

        process, url = start_server(Path(tmp) / "gate.db", at_gate)
        try:
            for lane_count, batch in zip((1, 8, 60), batches[1:], strict=True):
                seconds, times, verdicts = run_lanes(url, tokens[:lane_count], batch)
                rows.append((f"HTTP, {lane_count} lane{'s' if lane_count > 1 else ''}",
                             seconds, times, verdicts))
            seconds, times, verdicts = run_lanes(url, tokens, codes[4 * args.scans:],
                                                 pace=22.0)
            rows.append(("HTTP, 60 lanes paced at 22 scans/s", seconds, times, verdicts))
        finally:
            process.kill()
            process.wait()
        db.close()

    print("| what | scans | scans/s | p50 ms | p99 ms | verdicts |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, seconds, times, verdicts in rows:
        counts = ", ".join(f"{word} {count}" for word, count in sorted(verdicts.items()))
        print(f"| {name} | {len(times)} | {len(times) / seconds:,.0f} | "
              f"{statistics.median(times):.2f} | {percentile(times, 0.99):.2f} | {counts} |")


if __name__ == "__main__":
    main()
