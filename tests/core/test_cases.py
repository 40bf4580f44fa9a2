"""Patron cases: logged, followed up, closed with a written disposition, a letter made
from it; only roles with `cases` see them; the worklist and the report count them."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from core.errors import BoxOfficeError, NotFound
from core.money import TenderError
from core.people.permissions import PermissionDenied
from core.report_model import Scope
from core.reports import catalogue
from core.reports.letters import case_letter
from core.sales import cases
from core.store import journal
from core.store.db import Database
from tests.support.constants import FIXED_NOW
from tests.support.order_helpers import customer, sell
from tests.support.selling_helpers import user

NOW = FIXED_NOW
TODAY = NOW.date()
ZONE = ZoneInfo("America/New_York")


def log(db: Database, **more: object) -> cases.Case:
    fields: dict[str, object] = {
        "kind": "complaint", "channel": "phone", "category": "Seating",
        "description": "Seat F-12 had a broken armrest.", "now": NOW}
    fields.update(more)
    return cases.open_case(db, user(db, "sam"), **fields)  # type: ignore[arg-type]


def test_a_complaint_from_logging_to_its_letter(demo_db: Database) -> None:
    who = customer(demo_db, "Wilhelmina Ortiz", email="w@example.org")
    order = sell(demo_db, ["ORCH-B-101"], who=who)
    case = log(demo_db, order_id=order.id, assignee="cora",
               follow_up=TODAY + timedelta(days=2), priority="high")
    # the order's customer is the case's customer
    assert (case.customer_id, case.customer_name, case.order_number) == (
        who.id, "Wilhelmina Ortiz", order.number)
    assert (case.status, case.assignee, case.priority) == ("open", "cora", "high")
    cora = user(demo_db, "cora")
    later = NOW + timedelta(hours=3)
    case = cases.add_note(demo_db, cora, case.id, "Called back: moved to F-14 next time.",
                          now=later)
    case = cases.update_case(demo_db, cora, case.id, status="waiting", now=later)
    assert [n.username for n in case.notes] == ["cora"] and case.status == "waiting"
    case = cases.close_case(demo_db, cora, case.id, now=later + timedelta(days=1),
                            disposition="We repaired the armrest and sent two vouchers.")
    assert (case.status, case.closed_by, case.is_open) == ("resolved", "cora", False)
    # closed is final
    with pytest.raises(cases.CaseError) as closed:
        cases.add_note(demo_db, cora, case.id, "one more thing", now=later)
    assert closed.value.code == "case_closed"
    letter = case_letter(case, house="Aldridge Hall", house_address="1 Harbor Way",
                         patron=case.customer_name or "", patron_address="w@example.org",
                         today=TODAY)
    text = "".join(page.extract_text() for page in PdfReader(
        __import__("io").BytesIO(letter)).pages)
    assert "Dear Wilhelmina Ortiz" in text and "repaired the armrest" in text
    assert f"case {case.id}" in text
    # the journal says who did what, never the words
    actions = [row[0] for row in demo_db.execute(
        "SELECT action FROM journal WHERE subject = ? ORDER BY id", [f"case:{case.id}"])]
    assert actions == ["case.open", "case.note", "case.update", "case.resolved"]
    dump = " ".join(str(row) for row in demo_db.execute("SELECT data FROM journal"))
    assert "armrest" not in dump
    assert journal.verify(demo_db).ok


def test_the_worklist_order_and_what_is_overdue(demo_db: Database) -> None:
    late = log(demo_db, follow_up=TODAY - timedelta(days=1), category="Refund")
    soon_high = log(demo_db, follow_up=TODAY + timedelta(days=1), priority="high")
    soon_low = log(demo_db, follow_up=TODAY + timedelta(days=1), priority="low")
    none = log(demo_db)
    listed = cases.list_cases(demo_db, user(demo_db, "cora"))
    assert [c.id for c in listed] == [late.id, soon_high.id, soon_low.id, none.id]
    assert [c.overdue(TODAY) for c in listed] == [True, False, False, False]
    assert cases.overdue_cases(demo_db, TODAY) == [
        (late.id, (TODAY - timedelta(days=1)).isoformat(), "Refund", "normal", "")]
    scope = Scope(zone=ZONE, now=NOW)
    worklist = catalogue.build_report(demo_db, user(demo_db, "cora"), "worklist", scope)
    assert worklist.fact("Patron cases overdue") == 1
    report = catalogue.build_report(demo_db, user(demo_db, "cora"), "cases", scope)
    rows = {row[0]: row for row in report.table("Cases by category").rows}
    assert rows["Seating"][2:4] == (3, 3) and rows["Refund"][2:4] == (1, 1)


@pytest.mark.parametrize(("field", "value", "code"), [
    ("kind", "rant", "bad_kind"), ("channel", "fax", "bad_channel"),
    ("category", "  ", "bad_category"), ("description", "", "bad_description"),
    ("priority", "urgent!!", "bad_priority"), ("assignee", "nobody", "bad_assignee"),
])
def test_bad_fields_are_refused_and_nothing_is_logged(demo_db: Database, field: str,
                                                       value: str, code: str) -> None:
    with pytest.raises(BoxOfficeError) as refused:
        log(demo_db, **{field: value})
    assert refused.value.code == code
    assert demo_db.execute("SELECT count(*) FROM cases").fetchone()[0] == 0


def test_a_card_number_an_unknown_order_and_the_wrong_role_change_nothing(
        demo_db: Database) -> None:
    with pytest.raises(TenderError):
        log(demo_db, description="Refund to card 4111 1111 1111 1111 please")
    with pytest.raises(NotFound):
        log(demo_db, order_id=999_999)
    with pytest.raises(PermissionDenied):
        cases.open_case(demo_db, user(demo_db, "gia"), kind="inquiry", channel="counter",
                        category="Parking", description="Where?", now=NOW)
    case = log(demo_db)
    with pytest.raises(PermissionDenied):          # the gate sees no case's words
        cases.get_case(demo_db, user(demo_db, "gia"), case.id)
    with pytest.raises(cases.CaseError):
        cases.close_case(demo_db, user(demo_db, "sam"), case.id, disposition=" ", now=NOW)
    assert cases.get_case(demo_db, user(demo_db, "sam"), case.id).status == "open"
    assert demo_db.execute("SELECT count(*) FROM cases").fetchone()[0] == 1


def test_a_letter_waits_for_the_disposition(demo_db: Database) -> None:
    case = log(demo_db)
    with pytest.raises(BoxOfficeError) as refused:
        case_letter(case, house="H", house_address="", patron="", patron_address="",
                    today=TODAY)
    assert refused.value.code == "case_open"


def test_the_disposition_is_emailed_only_with_consent_and_logged(demo_db: Database) -> None:
    from core.config import MailConfig
    from core.reports.letters import email_case_letter
    from core.sales import notices
    from core.sales.customer_data import set_consent
    from tests.support.smtp import smtp_server

    who = customer(demo_db, "Wilhelmina Ortiz", email="w@example.org")
    cora = user(demo_db, "cora")
    case = log(demo_db, customer_id=who.id)
    case = cases.close_case(demo_db, cora, case.id, now=NOW,
                            disposition="We repaired the armrest.")
    with smtp_server() as (inbox, port):
        mail = MailConfig(host="127.0.0.1", port=port, sender="box@example.org")
        with pytest.raises(BoxOfficeError) as refused:
            email_case_letter(demo_db, cora, case, mail=mail, house="Aldridge Hall",
                              house_address="1 Harbor Way", today=TODAY, now=NOW)
        assert refused.value.code == "no_consent" and inbox.messages == []
        set_consent(demo_db, cora, who.id, "email", now=NOW)
        assert email_case_letter(demo_db, cora, case, mail=mail, house="Aldridge Hall",
                                 house_address="1 Harbor Way", today=TODAY,
                                 now=NOW) == "w@example.org"
    (message,) = inbox.messages
    assert f"case {case.id}" in message["Subject"]
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == [f"case-{case.id}.pdf"]
    [logged] = notices.sent_notices(demo_db, cora)
    assert (logged.kind, logged.case_id, logged.channel) == ("case", case.id, "email")
