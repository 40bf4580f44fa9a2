"""`boxoffice lane issue|list|revoke|sections|signs` and `boxoffice report lanes`: tokens
shown once, stored hashed, refused after revoking; sections signed to gates; the plan and
the signs."""

from __future__ import annotations

import json
from pathlib import Path

from pypdf import PdfReader

from core.gate import lanes
from core.gate.lanes import LaneAuthError
from core.store.schema import open_database
from tests.support.constants import FIXED_NOW
from tests.support.fixture_types import Cli


def test_a_coordinator_issues_lists_and_revokes_a_lane_token(cli: Cli,
                                                            demo_path: Path) -> None:
    code, output = cli("lane", "issue", "--performance", "3", "--name", "North 1",
                       "--user", "cora", "--pin", "3333", "--json")
    assert code == 0, output
    issued = json.loads(output)
    db = open_database(demo_path)
    assert lanes.authenticate_lane(db, issued["token"], now=FIXED_NOW).name == "North 1"
    code, output = cli("lane", "issue", "--performance", "3", "--name", "North 2",
                       "--user", "gia", "--pin", "2222")
    assert code == 1 and "permission" in output
    code, output = cli("lane", "list", "--json")
    assert code == 0 and [row["name"] for row in json.loads(output)] == ["North 1"]
    code, output = cli("lane", "revoke", str(issued["id"]), "--user", "cora", "--pin", "3333")
    assert code == 0 and "revoked" in output
    try:
        lanes.authenticate_lane(db, issued["token"], now=FIXED_NOW)
        raise AssertionError("a revoked token still works")
    except LaneAuthError as error:
        assert error.code == "revoked_token"
    code, output = cli("lane", "list")
    assert "revoked" in output
    db.close()


def test_sections_to_gates_the_plan_and_the_signs(cli: Cli, tmp_path: Path) -> None:
    code, output = cli("lane", "sections", "--venue", "harbor", "--gate", "North",
                       "101", "102", "--user", "cora", "--pin", "3333")
    assert code == 0 and "2 section(s) of HARBOR now use gate North" in output
    code, output = cli("lane", "sections", "--venue", "HARBOR", "--gate", "North", "999",
                       "--user", "cora", "--pin", "3333")
    assert code == 1 and "999" in output
    code, output = cli("report", "lanes", "--performance", "3", "--user", "cora",
                       "--pin", "3333")
    assert code == 0, output
    assert "Lane plan" in output and "North" in output
    signs = tmp_path / "signs.pdf"
    code, output = cli("lane", "signs", "--performance", "3", "-o", str(signs))
    assert code == 0, output
    assert "GATE NORTH" in PdfReader(signs).pages[0].extract_text()
