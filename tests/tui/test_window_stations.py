"""Several windows on one host: each has its own station (drawer) name, the sign-in screen
says which, and two windows on one database each take money in their own shift."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.store.db import Database
from core.store.schema import open_database
from core.till import shifts
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.support.fixture_types import Cli
from tests.tui.test_app_selling import confirm_and_print, open_hall, pay_cash
from tui.screens.payment import SaleDone
from tui.station import DEFAULT_STATION, StationError, station_name, terminal_station


def no_tty(fd: int) -> str:
    raise OSError("not a terminal")


def test_the_station_name_comes_from_the_option_env_config_then_the_terminal() -> None:
    pts = {0: "/dev/pts/3"}.__getitem__

    def tty(fd: int) -> str:
        try:
            return pts(fd)
        except KeyError:
            raise OSError from None

    assert station_name("window-2", "box-a", environ={"BOXOFFICE_STATION": "env"},
                        ttyname=tty) == "window-2"
    assert station_name(None, "box-a", environ={"BOXOFFICE_STATION": "env"},
                        ttyname=tty) == "env"
    assert station_name(None, "box-a", environ={}, ttyname=tty) == "box-a"
    assert station_name(None, "", environ={}, ttyname=tty) == "window-pts3"
    assert terminal_station(lambda fd: "/dev/tty1") == "window-tty1"
    assert station_name(None, "", environ={}, ttyname=no_tty) == DEFAULT_STATION
    with pytest.raises(StationError, match="--station"):
        station_name("window 2; rm", "", environ={}, ttyname=no_tty)


def test_shift_open_takes_the_windows_station_and_refuses_a_bad_name(cli: Cli) -> None:
    code, output = cli("--station", "bad name", "shift", "open", "--float", "2000x2",
                       "--user", "sam", "--pin", "1111")
    assert code != 0 and "--station: a station name is 1-32 letters" in output
    # sam's shift is open at window-1 already: the message names the drawer it took
    code, output = cli("--station", "window-7", "shift", "open", "--float", "2000x2",
                       "--user", "sam", "--pin", "1111")
    assert code != 0 and "window-1" in output


async def test_two_windows_on_one_database_each_take_money_in_their_own_shift(
        bare_demo_db: Database, tmp_path: Path) -> None:
    second_db = open_database(bare_demo_db.location)
    first = make_app(bare_demo_db, tmp_path / "one", station="window-1")
    second = make_app(second_db, tmp_path / "two", station="window-2")
    async with first.run_test(size=(80, 24)) as one:
        assert "window window-1  drawer: no shift open" in text_of(first, "#title")
        await sign_in(one, "sam", "1111", float_twenties=5)
        async with second.run_test(size=(80, 24)) as two:
            assert "window window-2  drawer: no shift open" in text_of(second, "#title")
            await sign_in(two, "cora", "3333", float_twenties=5)
            await open_hall(two)
            await two.press("space")
            await two.pause()
            await pay_cash(two, "500")
            await confirm_and_print(two)
            assert isinstance(second.screen, SaleDone)
        await open_hall(one)
        await one.press("right", "right", "space")
        await one.pause()
        await pay_cash(one, "500")
        await confirm_and_print(one)
        assert isinstance(first.screen, SaleDone)
    second_db.close()
    open_now = {s.username: s.station for s in shifts.list_shifts(bare_demo_db)
                if s.status == "open"}
    assert open_now == {"sam": "window-1", "cora": "window-2"}
    taken = dict(bare_demo_db.execute(
        "SELECT s.station, count(*) FROM payments p JOIN shifts s ON s.id = p.shift_id "
        "GROUP BY s.station").fetchall())
    assert taken == {"window-1": 1, "window-2": 1}
    # a third window signing in shows whose shift its drawer is in
    third = make_app(bare_demo_db, tmp_path / "three", station="window-1")
    async with third.run_test(size=(80, 24)):
        assert "window window-1  drawer in sam's shift" in text_of(third, "#title")
