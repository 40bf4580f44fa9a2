"""The storefront: page renders, the availability state, requests a second under
concurrent clients, and reservations end to end, each next to a bare baseline measured
in the same run.

    python bench/bench_storefront.py [--renders 200] [--requests 2000] [--buyers 50]

1. Server time per render, in process (Starlette's TestClient, no socket): the hall's
   performance page (1,256 seats) and a stadium section's page, against a bare
   Starlette + Jinja2 page of the same size (a template looping over as many circles).
   The availability state: p50/p99 for a changed map (200) and an unchanged one (304).
2. Requests a second and p99 at 50 and 200 concurrent clients (asyncio + httpx, one
   process) against the storefront under uvicorn (one worker, its own process, its
   clock travelled to the demo's day) for the hall's page and its state; the same
   clients against the bare page served the same way. Clients and server share the 2
   cores.
3. Reservations end to end: --buyers concurrent buyers (threads with their own cookies)
   each open the page, take the best 2 seats and reserve them, over HTTP; next to
   bench_sales' window sale in one process (core calls, no HTTP) in the same run.
   Double sales are counted (must be 0).
Prints Markdown; figures go in bench/README.md by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_sales import build_template

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)

SERVER = """
import os, datetime, time_machine, uvicorn
with time_machine.travel(datetime.datetime.fromisoformat(os.environ["BENCH_NOW"]), tick=True):
    uvicorn.run(os.environ["BENCH_APP"], factory=True, host="127.0.0.1",
                port=int(os.environ["BENCH_PORT"]), log_level="warning", access_log=False)
"""

BARE = """
from jinja2 import Environment
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

PAGE = Environment(autoescape=True).from_string(
    "<!doctype html><html><body><h1>{{ title }}</h1><svg>{% for s in seats %}"
    "<circle id='s-{{ s }}' class='seat' cx='{{ loop.index }}' cy='1' r='5'>"
    "<title>{{ s }}</title></circle>{% endfor %}</svg><ul>{% for s in seats %}"
    "<li><label><input type=checkbox name=seat value='{{ s }}'> {{ s }}</label></li>"
    "{% endfor %}</ul></body></html>")
SEATS = [f"ORCH-{r}-{n}" for r in range(40) for n in range(31)]


def page(request):
    return HTMLResponse(PAGE.render(title="bare", seats=SEATS))


def create_app():
    return Starlette(routes=[Route("/", page)])
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def timed(call: Callable[[], object], count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def row(label: str, times: list[float]) -> str:
    return (f"| {label} | {statistics.median(times):.1f} | {percentile(times, 0.99):.1f} "
            f"| {len(times)} |")


def shows(db_path: Path) -> tuple[int, int, str]:
    conn = sqlite3.connect(db_path)
    hall = conn.execute("SELECT p.id FROM performances p JOIN venues v ON v.id = p.venue_id "
                        "WHERE v.kind = 'hall' ORDER BY p.starts_at LIMIT 1").fetchone()[0]
    stadium = conn.execute("SELECT p.id FROM performances p JOIN venues v ON v.id = "
                           "p.venue_id WHERE v.kind = 'stadium'").fetchone()[0]
    section = conn.execute(
        "SELECT c.code FROM sections c JOIN seats s ON s.section_id = c.id JOIN venues v ON "
        "v.id = c.venue_id WHERE v.kind = 'stadium' GROUP BY c.id ORDER BY count(*) DESC "
        "LIMIT 1").fetchone()[0]
    conn.close()
    return hall, stadium, section


def in_process(db_path: Path, renders: int) -> list[str]:
    import time_machine
    from starlette.testclient import TestClient

    from web.app import create_app

    namespace: dict[str, object] = {}
    exec(BARE, namespace)
    bare_app = namespace["create_app"]
    hall, stadium, section = shows(db_path)
    lines = ["| in process (ms) | p50 | p99 | n |", "| --- | --- | --- | --- |"]
    with time_machine.travel(NOW + timedelta(hours=1), tick=True):
        client = TestClient(create_app(db_path))
        bare = TestClient(bare_app())  # type: ignore[operator]
        for _ in range(5):
            client.get(f"/performances/{hall}")
            client.get(f"/performances/{stadium}/sections/{section}")
            bare.get("/")
        size = len(client.get(f"/performances/{hall}").content)
        lines.append(row(f"hall page, 1,256 seats ({size // 1024} KB)",
                         timed(lambda: client.get(f"/performances/{hall}"), renders)))
        seats = client.get(f"/performances/{stadium}/sections/{section}").text.count(
            "<circle")
        lines.append(row(f"stadium section {section} page ({seats} seats)",
                         timed(lambda: client.get(
                             f"/performances/{stadium}/sections/{section}"), renders)))
        size = len(bare.get("/").content)
        lines.append(row(f"bare Starlette+Jinja2 page, 1,240 seats ({size // 1024} KB)",
                         timed(lambda: bare.get("/"), renders)))
        state = f"/performances/{hall}/state"
        lines.append(row("state, 200", timed(lambda: client.get(state), renders * 2)))
        tag = client.get(state).headers["etag"]
        lines.append(row("state, 304", timed(lambda: client.get(
            state, headers={"If-None-Match": tag}), renders * 2)))
    return lines


def start(app: str, db_path: Path, extra_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "BOXOFFICE_DB": str(db_path), "BENCH_PORT": str(port),
           "BENCH_APP": app, "BENCH_NOW": (NOW + timedelta(hours=1)).isoformat(),
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]),
                                          str(extra_path)])}
    env.pop("BOXOFFICE_CONFIG", None)
    process = subprocess.Popen([sys.executable, "-c", SERVER], env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            httpx.get(url + "/", timeout=0.5)
            return process, url
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"{app} did not start")


async def load(url: str, path: str, clients: int, requests: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        left = requests

        async def one() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                started = time.perf_counter()
                answer = await client.get(path)
                assert answer.status_code == 200, answer.status_code
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(clients)))
        return requests / (time.perf_counter() - started), latencies


def over_http(db_path: Path, requests: int) -> list[str]:
    hall, _, _ = shows(db_path)
    lines = ["| over HTTP, 1 uvicorn worker | clients | req/s | p50 ms | p99 ms |",
             "| --- | --- | --- | --- | --- |"]
    bare_module = Path(tempfile.mkdtemp()) / "bare_store.py"
    bare_module.write_text(BARE)
    for label, app, path in (("hall page", "web.app:create_app", f"/performances/{hall}"),
                             ("hall state", "web.app:create_app",
                              f"/performances/{hall}/state"),
                             ("bare page", "bare_store:create_app", "/")):
        process, url = start(app, db_path, bare_module.parent)
        try:
            for clients in (50, 200):
                rate, latencies = asyncio.run(load(url, path, clients, requests))
                lines.append(f"| {label} | {clients} | {rate:,.0f} | "
                             f"{statistics.median(latencies):.0f} | "
                             f"{percentile(latencies, 0.99):.0f} |")
        finally:
            process.terminate()
            process.wait(10)
    return lines


def buyer(url: str, show: int, reserved: list[int], refused: list[int], index: int) -> None:
    with httpx.Client(base_url=url, timeout=60, follow_redirects=True) as client:
        page = client.get(f"/performances/{show}")
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found, page.status_code
        csrf = found.group(1)
        cart = client.post(f"/performances/{show}/best", data={"csrf": csrf, "quantity": "2"})
        if cart.url.path != "/cart":
            refused.append(index)
            return
        done = client.post("/checkout", data={"csrf": csrf, "name": f"Buyer {index}",
                                              "email": f"b{index}@example.org",
                                              "method": "reserve"})
        assert done.status_code == 200 and "/orders/" in str(done.url), done.status_code
        reserved.append(index)


def end_to_end(db_path: Path, buyers: int) -> list[str]:
    hall, _, _ = shows(db_path)
    config = db_path.parent / "bench.toml"
    config.write_text(f'[database]\npath = "{db_path}"\n[web]\nposts_per_minute = 100000\n'
                      'reservations_per_email = 1000\n')
    os.environ["BOXOFFICE_CONFIG"] = str(config)
    port = free_port()
    env = {**os.environ, "BOXOFFICE_DB": str(db_path), "BENCH_PORT": str(port),
           "BENCH_APP": "web.app:create_app",
           "BENCH_NOW": (NOW + timedelta(hours=1)).isoformat(),
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    process = subprocess.Popen([sys.executable, "-c", SERVER], env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            httpx.get(url + "/health", timeout=0.5)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    reserved: list[int] = []
    refused: list[int] = []
    try:
        threads = [threading.Thread(target=buyer, args=(url, hall, reserved, refused, i))
                   for i in range(buyers)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(10)
        del os.environ["BOXOFFICE_CONFIG"]
    conn = sqlite3.connect(db_path)
    claimed = conn.execute("SELECT count(*), count(DISTINCT seat_id) FROM seat_claims WHERE "
                           "performance_id = ?", [hall]).fetchone()
    items = conn.execute("SELECT count(*) FROM cart_items i JOIN orders o ON o.cart_id = "
                         "i.cart_id WHERE o.status = 'reserved'").fetchone()[0]
    conn.close()
    doubles = claimed[0] - claimed[1]
    baseline = window_sales(db_path.parent, 100)
    return ["| end to end | buyers | done | per second | double sales |",
            "| --- | --- | --- | --- | --- |",
            f"| web: page, best 2, reserve | {buyers} | {len(reserved)} "
            f"({len(refused)} refused, {items} seats reserved) | "
            f"{len(reserved) / elapsed:.1f} | {doubles} |",
            f"| window sale in core, one process (bench_sales' shape) | 1 | 100 | "
            f"{baseline:.1f} | - |"]


def window_sales(directory: Path, count: int) -> float:
    from bench_sales import _stadium_seats

    from core.people.users import get_user
    from core.sales import carts, checkout
    from core.sales.tenders import Tender
    from core.store.db import connect

    path = directory / "window.db"
    shutil.copy(directory / "template.db", path)
    show, seats = _stadium_seats(str(path))
    db = connect(path)
    seller = get_user(db, "sam")
    started = time.perf_counter()
    for index in range(count):
        cart_id = carts.open_cart(db, seller, "bench", NOW, timedelta(minutes=10))
        cart = carts.add_seats(db, seller, cart_id, show, seats[2 * index: 2 * index + 2],
                               "ADULT", NOW, timedelta(minutes=10))
        checkout.checkout(db, seller, cart_id, [Tender("cash", cart.total_cents)],
                          station="bench", now=NOW)
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--buyers", type=int, default=50)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="bench-store-"))
    template = build_template(directory)
    db_path = directory / "store.db"
    shutil.copy(template, db_path)
    print("\n".join(in_process(db_path, args.renders)) + "\n")
    print("\n".join(over_http(db_path, args.requests)) + "\n")
    fresh = directory / "buyers.db"
    shutil.copy(template, fresh)
    print("\n".join(end_to_end(fresh, args.buyers)))
    shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
