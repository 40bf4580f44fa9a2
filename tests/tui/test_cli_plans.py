"""Payment plans from the command line: a group order's balance put on a plan, shown,
an instalment paid, the overdue list; refusals say why and change nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from core.sales import plans
from core.sales.orders import find_order
from core.store.db import Database
from tests.core.test_notices import late_group_order
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.fixture_types import Cli

CORA = ("--user", "cora", "--pin", "3333")


def test_a_group_balance_on_a_plan(cli: Cli, demo_db: Database) -> None:
    number = late_group_order(demo_db, "St Anne's School", "Anne Hale",
                              ["ORCH-S-101", "ORCH-S-102"])
    balance = find_order(demo_db, number).balance_cents
    today = FIXED_NOW.astimezone(ZONE).date()
    first, second = today + timedelta(days=7), today + timedelta(days=14)
    half = balance // 2
    rest = balance - half
    code, said = cli("plan", "agree", number, "--plan",                  # a dollar over
                     f"{first}:{half / 100:.2f},{second}:{(rest + 100) / 100:.2f}", *CORA)
    assert code == 1 and "must come to" in said
    code, said = cli("plan", "agree", number, "--plan",
                     f"{first}:{half / 100:.2f},{second}:{rest / 100:.2f}", *CORA)
    assert code == 0, said
    code, said = cli("plan", "show", number)
    assert code == 0 and str(first) in said and str(second) in said
    code, said = cli("plan", "pay", number, "--tender", "cash", "--user", "cora", "--pin",
                     "3333", "--station", "window-1-cora")
    assert code == 0, said
    plan = plans.get_plan(demo_db, find_order(demo_db, number).id)
    assert plan.instalments[0].settled and not plan.instalments[1].settled
    code, said = cli("plan", "agree", number, "--plan", f"{first}:1.00", *CORA)
    assert code == 1 and "already has a plan" in said


def test_tickets_when_paid_in_full_and_reminders(cli: Cli, demo_path: Path,
                                                 tmp_path: Path) -> None:
    """sell --plan --plan-tickets paid-in-full: no codes, order print refused; plan remind
    writes a letter and emails, once per instalment; the last payment issues the tickets."""
    from core.store.schema import open_database
    from tests.support.selling_helpers import later_hall_performance
    from tests.support.smtp import smtp_server

    db = open_database(demo_path)
    show = later_hall_performance(db)
    db.conn.close()
    today = FIXED_NOW.astimezone(ZONE).date()
    code, said = cli("customer", "add", "Rosa Diaz", "--email", "rosa@example.org", *CORA)
    assert code == 0, said
    rosa = said.split("#")[1].split(":")[0]
    code, said = cli("customer", "consent", rosa, "--set", "mail,email", *CORA)
    assert code == 0, said
    first, last = today + timedelta(days=3), today + timedelta(days=30)
    code, said = cli("sell", "--performance", str(show), "--seats", "ORCH-F-107",
                     "--customer", rosa, "--tender", "cash:60", "--plan",
                     f"{first}:50.00,{last}:50.24", "--plan-tickets", "paid-in-full",
                     "--printer", f"preview:{tmp_path / 'prints'}", "--json",
                     "--station", "window-1-cora", *CORA)
    assert code == 0, said
    sold = json.loads(said)
    number = sold["number"]
    assert sold["withheld"] and [t["code"] for t in sold["tickets"]] == [None]
    assert not list((tmp_path / "prints").glob("*ticket*"))          # the receipt only
    code, said = cli("order", "print", number, "--printer", f"preview:{tmp_path / 'p2'}",
                     *CORA)
    assert code == 1 and "not_issued" in said and "paid in full" in said
    code, said = cli("plan", "show", number)
    assert "tickets issued when paid in full; not issued yet" in said
    # reminders: listed, then a letter and an email, then nothing more to send
    code, said = cli("plan", "remind", "--due-within", "2", *CORA)
    assert code == 0 and "No instalment is due within 2 day(s)" in said
    code, said = cli("plan", "remind", *CORA)
    assert code == 0 and number in said and "letter, email" in said
    config = tmp_path / "config.toml"
    with smtp_server() as (inbox, port):
        config.write_text(config.read_text() + f'[mail]\nhost = "127.0.0.1"\nport = {port}\n'
                          'sender = "box@example.org"\n')
        letters = tmp_path / "letters.pdf"
        code, said = cli("plan", "remind", "--out", str(letters), "--email", *CORA)
        assert code == 0, said
        assert "1 letter(s) written" in said and "emailed to rosa@example.org" in said
        code, said = cli("plan", "remind", "--email", "--json", *CORA)
        assert code == 0 and json.loads(said)["emailed"] == []       # not twice
        again = tmp_path / "again.pdf"
        code, said = cli("plan", "remind", "--out", str(again), "--email", *CORA)
        assert code == 0 and "no letter to write" in said and not again.exists()
        code, said = cli("plan", "remind", "--email", "--again", "--json", *CORA)
        assert json.loads(said)["emailed"] == [number]
    assert len(inbox.messages) == 2 and "instalment 1" in inbox.messages[0]["Subject"]
    code, said = cli("notices", "log", "--json", *CORA)
    assert sorted((n["kind"], n["instalment"], n["channel"]) for n in json.loads(said)) == [
        ("instalment", 1, "email"), ("instalment", 1, "email"), ("instalment", 1, "mail")]
    # paid at two windows: the last payment issues the tickets
    code, said = cli("plan", "pay", number, "--tender", "cash", "--user", "sam", "--pin",
                     "1111", "--station", "window-1")
    assert code == 0 and "tickets are issued" not in said
    code, said = cli("plan", "pay", number, "--tender", "cash", "--station", "window-1-cora",
                     *CORA)
    assert code == 0 and f"its tickets are issued: boxoffice order print {number}" in said
    code, said = cli("order", "print", number, "--printer", f"preview:{tmp_path / 'p3'}",
                     *CORA)
    assert code == 0, said
    assert len(list((tmp_path / "p3").glob("*ticket*.png"))) == 1
