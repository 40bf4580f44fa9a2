"""What every test agrees on: the pinned instant, the venue's zone, where the repository is,
and which test modules meet dates."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

# The demo's performances are dated from "now": tests pin now, so screens are repeatable.
FIXED_NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
ZONE = ZoneInfo("America/New_York")
REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"

# The modules that meet dates (on-sale windows, doors, due dates, days of reports and
# deposits, shifts, gate times): `make test` runs them again on a shifted machine clock.
DATE_SENSITIVE = {
    "test_clock", "test_date_edges", "test_cli", "test_cli_admin", "test_cli_scan",
    "test_cli_sales", "test_cli_closeout", "test_checkin", "test_gatepack", "test_groups",
    "test_customers", "test_shifts", "test_deposits", "test_reports", "test_app_admin",
    "test_app_admin_events", "test_app_orders", "test_tokens", "test_backup", "test_training",
    "test_selling", "test_consignment", "test_settlement", "test_card_reconciliation",
    "test_gate_screen", "test_worklist", "test_app_groups", "test_app_pending_card",
    "test_cli_desk", "test_window_demo", "test_lanes", "test_lanes_online",
    "test_app_admin_lanes", "test_admissions_page", "test_gate_lane_screen",
    "test_subscriptions", "test_cli_subscriptions",
}

# The modules that race processes against the clock or each other (contention, kill -9,
# backups under load): they run alone after the parallel run, so a busy neighbour in the
# other worker cannot starve them.
SERIAL = {"test_selling_contention", "test_selling_crash", "test_subscription_race",
          "test_backup", "test_lanes_online",
          "test_gate_lane_screen"}
