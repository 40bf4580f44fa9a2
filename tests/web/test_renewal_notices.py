"""Renewal notices by email (issue 20): `boxoffice renewal letters N --email` sends each
open renewal's notice through [mail] to the subscribers who agreed to email, with the
renewal code and a link that opens the storefront's renewal page, the letter attached;
every email is logged (`renewal notices N`), a second run reaches only those not reached
yet, a mail server that is down is a failure logged and reported, the rest unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from starlette.testclient import TestClient

from core.config import Config, TicketsConfig, WebConfig
from core.sales import renewal_notices
from core.sales.customer_data import set_consent
from core.store.db import Database
from tests.support import postgres
from tests.support.constants import FIXED_NOW
from tests.support.renewal_helpers import rolled_season
from tests.support.selling_helpers import user
from tests.support.smtp import smtp_server
from tui.cli import main
from web.app import create_app

CORA = ("--user", "cora", "--pin", "3333")
SECRET = "a-site-secret-for-the-test"


def _run(tmp_path: Path, demo_path: Path, port: int, *args: str) -> tuple[int, str]:
    config = tmp_path / "config.toml"
    key = "url" if postgres.on_postgresql() else "path"
    config.write_text(f'[database]\n{key} = "{demo_path}"\n\n'
                      f'[mail]\nhost = "127.0.0.1"\nport = {port}\n'
                      'sender = "boxoffice@example.org"\n\n'
                      f'[web]\nbase_url = "https://tickets.example.org"\nsecret = "{SECRET}"\n')
    config.chmod(0o600)
    result = CliRunner().invoke(main, ["--config", str(config), *args])
    return result.exit_code, result.output


def test_renewal_notices_are_emailed_with_consent_and_their_link_opens_the_renewal(
        demo_db: Database, demo_path: Path, tmp_path: Path) -> None:
    season = rolled_season(demo_db)
    series = str(season.series.id)
    cora = user(demo_db, "cora")
    ann = demo_db.execute("SELECT id FROM customers WHERE name = 'Ann Lee'").fetchone()[0]
    set_consent(demo_db, cora, ann, "mail,email", now=FIXED_NOW)   # Ben agreed to nothing
    with smtp_server() as (inbox, port):
        code, output = _run(tmp_path, demo_path, port, "renewal", "letters", series,
                            "--email", "--out", str(tmp_path / "letters.pdf"), *CORA)
        assert code == 0, output
        assert "RN1     Ann Lee" in output and "emailed to ann@example.org" in output
        assert "RN2     Ben Ode" in output and "did not agree to email" in output
        assert "1 emailed, 1 skipped, 0 failed" in output
        assert (tmp_path / "letters.pdf").read_bytes().startswith(b"%PDF")
        # a second run reaches only those not reached yet
        code, output = _run(tmp_path, demo_path, port, "renewal", "letters", series,
                            "--email", "--json", *CORA)
        assert code == 0, output
        assert json.loads(output)["emailed"] == []
    (message,) = inbox.messages
    assert message["To"] == "ann@example.org" and "renew your seat" in message["Subject"]
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    for words in ("Dear Ann Lee", "ORCH A-101", "336.96", "Your renewal code: RN1"):
        assert words in text, words
    assert [a.get_filename() for a in message.iter_attachments()] == ["renewal-RN1.pdf"]
    link = re.search(r"https://tickets\.example\.org(/renew/RN1\?key=[0-9a-f]{32})", text)
    assert link, text
    # the link opens Ann's renewal on the storefront, no lookup needed
    app = create_app(demo_path, Config(tickets=TicketsConfig(key_dir=str(tmp_path / "k")),
                                       web=WebConfig(secret=SECRET)))
    page = TestClient(app).get(link.group(1))
    assert page.status_code == 200 and "Ann Lee" in page.text and "RN1" in page.text
    [logged] = renewal_notices.notices_sent(demo_db, season.series.id)
    assert (logged.code, logged.customer, logged.status, logged.sent_by) == (
        "RN1", "Ann Lee", "sent", "cora")
    code, output = _run(tmp_path, demo_path, port, "renewal", "notices", series)
    assert code == 0 and "RN1     Ann Lee" in output and " sent " in output, output


def test_a_mail_server_down_is_reported_logged_and_retried_next_time(
        demo_db: Database, demo_path: Path, tmp_path: Path) -> None:
    season = rolled_season(demo_db)
    series = str(season.series.id)
    cora = user(demo_db, "cora")
    for name in ("Ann Lee", "Ben Ode"):
        who = demo_db.execute("SELECT id FROM customers WHERE name = ?", [name]).fetchone()[0]
        set_consent(demo_db, cora, who, "email", now=FIXED_NOW)
    with smtp_server() as (_, port):
        pass                                      # a port nobody listens on now
    code, output = _run(tmp_path, demo_path, port, "renewal", "letters", series, "--email",
                        *CORA)
    assert code == 1 and "2 failed" in output and "FAILED" in output, output
    assert [n.status for n in renewal_notices.notices_sent(demo_db, season.series.id)] == [
        "failed", "failed"]
    with smtp_server() as (inbox, port):
        code, output = _run(tmp_path, demo_path, port, "renewal", "letters", series,
                            "--email", *CORA)
    assert code == 0 and "2 emailed" in output, output
    assert sorted(m["To"] for m in inbox.messages) == ["ann@example.org", "ben@example.org"]
    code, output = _run(tmp_path, demo_path, port, "renewal", "notices", series)
    assert code == 0 and output.count(" sent ") == 2 and output.count(" failed ") == 2


def test_letters_need_out_or_email_and_email_needs_a_mail_server(
        demo_db: Database, demo_path: Path, tmp_path: Path) -> None:
    season = rolled_season(demo_db)
    runner = CliRunner()
    config = tmp_path / "plain.toml"
    key = "url" if postgres.on_postgresql() else "path"
    config.write_text(f'[database]\n{key} = "{demo_path}"\n')
    result = runner.invoke(main, ["--config", str(config), "renewal", "letters",
                                  str(season.series.id), *CORA])
    assert result.exit_code == 2 and "--out FILE, --email, or both" in result.output
    result = runner.invoke(main, ["--config", str(config), "renewal", "letters",
                                  str(season.series.id), "--email", *CORA])
    assert result.exit_code == 1 and "mail_off" in result.output, result.output
    assert renewal_notices.notices_sent(demo_db, season.series.id) == []
