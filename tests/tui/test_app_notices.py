"""Balance-due reminders from the palette, and from the command line, as a coordinator
would send them: letters to those who agreed to mail, logged; the others to phone."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from core.sales import notices
from core.sales.customer_data import set_consent
from core.store.db import Database
from core.store.schema import open_database
from tests.core.test_notices import late_group_order
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.support.constants import FIXED_NOW
from tests.support.fixture_types import Cli
from tests.support.selling_helpers import user
from tui.commands import window_commands
from tui.screens.notices import NoticesScreen

CORA = ("--user", "cora", "--pin", "3333")


def consent_to_mail(db: Database, number: str) -> None:
    customer_id = db.execute("SELECT customer_id FROM orders WHERE number = ?",
                             [number]).fetchone()[0]
    set_consent(db, user(db, "cora"), customer_id, "mail", now=FIXED_NOW)


async def test_letters_from_the_palette(demo_db: Database, tmp_path: Path) -> None:
    anne = late_group_order(demo_db, "St Anne's School", "Anne Hale", ["ORCH-S-101"])
    late_group_order(demo_db, "Rotary Club", "Rob Vance", ["ORCH-S-102"])
    consent_to_mail(demo_db, anne)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        next(c for c in window_commands(app, app.screen)
             if c.title.startswith("Notices")).callback()
        await pilot.pause()
        assert isinstance(app.screen, NoticesScreen)
        assert "2 balance(s) past due: 1 letter(s)" in text_of(app, "#info")
        await pilot.press("l")
        await pilot.pause()
        said = text_of(app, "#info")
        assert said.startswith("1 letter(s) written to ")
    path = Path(said.removeprefix("1 letter(s) written to ").split(" and logged")[0])
    assert "Dear Anne Hale" in PdfReader(str(path)).pages[0].extract_text()
    assert [n.customer for n in notices.sent_notices(demo_db, user(demo_db, "cora"))] == [
        "Anne Hale"]


def test_letters_from_the_command_line(cli: Cli, demo_path: Path, tmp_path: Path) -> None:
    db = open_database(demo_path)
    anne = late_group_order(db, "St Anne's School", "Anne Hale", ["ORCH-S-101"])
    rob = late_group_order(db, "Rotary Club", "Rob Vance", ["ORCH-S-102"])
    consent_to_mail(db, anne)
    db.close()
    code, output = cli("notices", "balance-due", *CORA)
    assert code == 0 and f"{anne}" in output and "no consent to mail" in output and rob in output
    out = tmp_path / "letters.pdf"
    code, output = cli("notices", "balance-due", "--letters", str(out), *CORA)
    assert code == 0 and "1 letter(s) written" in output
    code, output = cli("notices", "log", *CORA)
    assert "balance_due" in output and "Anne Hale" in output and "Rob" not in output
    code, output = cli("notices", "balance-due", "--user", "sam", "--pin", "1111")
    assert code == 1 and "permission_denied" in output
