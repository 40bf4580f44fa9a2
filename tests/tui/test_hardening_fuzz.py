"""Issue 24: random bytes and huge numbers in every CLI integer and text option of the
commands a window uses: an answer and an exit status, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import postgres
from tests.support.hardening import run_cli

SAM = ("--user", "sam", "--pin", "1111")
CORA = ("--user", "cora", "--pin", "3333")

# (command words, the option the value goes in, the other arguments)
TARGETS = [
    (("sell",), "--performance", (*SAM, "--best", "1", "--tender", "cash", "--no-print")),
    (("sell",), "--seats", (*SAM, "--performance", "1", "--tender", "cash", "--no-print")),
    (("sell",), "--ga", (*SAM, "--performance", "3", "--tender", "cash", "--no-print")),
    (("sell",), "--best", (*SAM, "--performance", "1", "--tender", "cash", "--no-print")),
    (("sell",), "--item", (*SAM, "--tender", "cash", "--no-print")),
    (("sell",), "--tender", (*SAM, "--performance", "1", "--best", "1", "--no-print")),
    (("sell",), "--station", (*SAM, "--performance", "1", "--best", "1", "--tender", "cash",
                              "--no-print")),
    (("sell",), "--customer", (*SAM, "--performance", "1", "--best", "1", "--tender",
                               "cash", "--no-print")),
    (("shift", "open"), "--float", ("--user", "gia", "--pin", "2222")),
    (("shift", "x"), "--shift", CORA),
    (("shift", "drop"), "--amount", (*CORA, "--reason", "bank")),
    (("scan",), "--gate", ("--performance", "3", "--user", "gia", "--pin", "2222", "X")),
    (("scan",), "--performance", ("--gate", "North", "--user", "gia", "--pin", "2222", "X")),
    (("report", "sales"), "--performance", CORA),
    (("order", "show"), "--user", ("1",)),
    (("event", "add"), "--producer", (*CORA, "Gala")),
    (("hold", "add"), "--color", (*CORA, "--name", "Press", "PRESS")),
    (("item", "count"), "--note", (*CORA, "WATER=1")),
    # the desk commands main added after the hardening branch forked
    (("customer", "edit"), "--name", (*CORA, "1")),
    (("group", "add"), "--contact", (*CORA, "Choir")),
    (("group", "hold"), "--seats", (*CORA, "1", "--performance", "1")),
    (("consignment", "issue"), "--consignee", (*CORA, "--performance", "1", "--seats",
                                               "ORCH-T-101..102")),
]

HUGE = st.integers(min_value=-(10**30), max_value=10**30).map(str)
TEXT = st.one_of(
    HUGE,
    st.text(max_size=60),
    st.binary(max_size=40).map(lambda b: b.decode("utf-8", "surrogateescape")),
    st.sampled_from(["", " ", "-1", "0", "1e9", "9" * 400, "x" * 10_000, "\x00", "²",
                     "4111.1111.1111.1111", "FIELD:99999999999999999999",
                     "ORCH-A-99999999999999999999", "2000x99999999999999999999"]),
)


@pytest.fixture
def fresh(demo_path: Path, tmp_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\n{postgres.database_key()} = "{demo_path}"\n'
                      f'[printer]\nbackend = "preview"\npath = "{tmp_path / "prints"}"\n')
    pristine = tmp_path / "pristine.db"
    shutil.copyfile(demo_path, pristine)
    return config, pristine


@pytest.mark.parametrize("command, option, rest", TARGETS,
                         ids=[f"{' '.join(t[0])} {t[1]}" for t in TARGETS])
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=TEXT)
def test_never_a_traceback(fresh: tuple[Path, Path], command: tuple[str, ...], option: str,
                           rest: tuple[str, ...], value: str) -> None:
    config, _ = fresh
    if "\x00" in value:   # a NUL cannot reach a program through argv at all
        value = value.replace("\x00", "")
    outcome = run_cli(config, *command, option, value, *rest)   # raises on a traceback
    assert "Traceback" not in outcome.output
