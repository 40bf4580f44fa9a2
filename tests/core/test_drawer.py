"""Opening the cash drawer without a sale: a permission, a reason, a journal row."""

from __future__ import annotations

import json

import pytest

from core.errors import BoxOfficeError
from core.people.permissions import Override, PermissionDenied
from core.store import journal
from core.store.db import Database
from core.till.drawer import record_no_sale
from tests.support.constants import FIXED_NOW
from tests.support.selling_helpers import user


def test_no_sale_needs_the_permission_or_a_supervisor(demo_db: Database) -> None:
    sam = user(demo_db, "sam")
    with pytest.raises(PermissionDenied):
        record_no_sale(demo_db, sam, station="w1", reason="change for the bar", now=FIXED_NOW)
    row_id = record_no_sale(demo_db, sam, station="w1", reason="change for the bar",
                            now=FIXED_NOW, override=Override("cora", "3333"))
    action, data = demo_db.execute("SELECT action, data FROM journal WHERE id = ?",
                                   [row_id]).fetchone()
    assert action == "drawer.no_sale"
    assert json.loads(data) == {"reason": "change for the bar", "approved_by": "cora"}
    assert journal.verify(demo_db).ok


def test_no_sale_needs_a_reason(demo_db: Database) -> None:
    with pytest.raises(BoxOfficeError) as caught:
        record_no_sale(demo_db, user(demo_db, "cora"), station="w1", reason=" ",
                       now=FIXED_NOW)
    assert caught.value.code == "reason_required"
