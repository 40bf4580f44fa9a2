"""Issue 24, card numbers in free text: one check in core (core.free_text, over
core.money's card-number test), catching the
digits whatever separates them, applied to every text a service stores, prints or
journals; a walk over every public core service keeps a new field from forgetting it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from datetime import timedelta

import pytest

import core
from core.errors import BoxOfficeError
from core.free_text import clean_text
from core.money import contains_card_number
from tests.support.constants import FIXED_NOW

CARD = "4111111111111111"   # Luhn-valid test card

SPELLINGS = [
    "4111 1111 1111 1111", "4111-1111-1111-1111", "4111.1111.1111.1111",
    "4111/1111/1111/1111", "4111_1111_1111_1111", "4111  1111  1111  1111",
    "4111\t1111\t1111\t1111", "4111 - 1111 - 1111 - 1111", "4111\u20131111\u20131111\u20131111",
    "4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1", "(4111)(1111)(1111)(1111)",
    "\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11",
    "card 4111,1111,1111,1111 thanks",
    # mixed separators, as a card is grouped on its face (the gap the hardening branch left)
    "4111 1111-1111 1111", "4111.1111 1111-1111", "4111-1111 1111.1111 ok",
    "3782 822463-10005", "5500/0000 0000-0004",
]

# A service's text parameter that does not go through clean_text (or refuse_card_numbers,
# or a helper that calls it) in its own body must be listed here, under the reason it
# needs no check. A new parameter that stores typed text fails the walk below until it is
# checked: that is the point.
GUARDS = ("clean_text(", "refuse_card_numbers(", "clean_name(", "require_reason(",
          "_change(", "_check_fields(", "_insert_user(", "_take_out(", "_device(",
          "_check_lane(", "_free_text(")

REVIEWED: dict[str, str] = {}
# DELEGATED: passed to a service that checks it (insert_payment and open_cart: station;
#   require_reason and its kin: reason; validate_tender: a check number; a lane's gate
#   goes through session_for's lane check; checkin.scan checks a device's name; move
#   checks reason and approved_by in a loop;
#   backup reasons are the program's own words)
for _name in (
        "concessions.stock.move:approved_by",
        "concessions.stock.move:reason",
        "gate.feed.judge_offline:device",
        "gate.lanes.judge:gate",
        "gate.lanes.lane_session:gate",
        "sales.aftersale.exchange:station",
        "sales.aftersale.refund:station",
        "sales.aftersale.void:station",
        "sales.checkout.resolve_card_payment:station",
        "sales.consignment.collect_account:station",
        "sales.consignment.issue:station",
        "sales.consignment.settle:station",
        "sales.consignment.settle_returning:check_number",
        "sales.consignment.settle_returning:station",
        "sales.goods.return_goods:reason",
        "sales.groups.group_order:station",
        "sales.groups.pay_balance:station",
        "sales.orders.retire_tickets:reason",
        "sales.payments.pay_back:reason",
        "sales.payments.pay_back:station",
        "sales.payments.reverse_payments:reason",
        "sales.payments.reverse_payments:station",
        "sales.renewals.renew:delivery",
        "sales.renewals.renew:station",
        "sales.renewals.roll_forward:name",
        "sales.renewals.roll_forward:season",
        "sales.subscription_exchange.exchange_ticket:reason",
        "sales.subscription_exchange.exchange_ticket:station",
        "sales.subscription_exchange.offer:station",
        "sales.subscriptions.sell_subscription:delivery",
        "sales.subscriptions.sell_subscription:station",
        "store.backup.auto_backup:reason",
        "store.backup.backup_name:reason",
        "till.shifts.current_shift:station",
):
    REVIEWED[_name] = "delegated"
# INTERNAL: the program's own words or a signed-in user's name, never typed free text:
#   actors, journal fields (each caller checks what it puts there), parsers that refuse what
#   they cannot read, the checks themselves
for _name in (
        "admin.access.sign_in_for:permission",
        "admin.access.sign_in_for:username",
        "admin.demo.shipped_seatmap:name",
        "admin.training.mark_training:source",
        "admin.training.reset_training_database:actor",
        "config.ticket_key_dir:database_id",
        "gate.checkin.session_for:actor",
        "gate.codes.check_range:name",
        "gate.gatepack.write_pack:made_by",
        "gate.keys.ensure_signing_key:actor",
        "gate.keys.revoke:actor",
        "gate.planning.signage_pdf:when",
        "limits.check_int:code",
        "limits.check_int:what",
        "limits.parse_whole:code",
        "limits.parse_whole:text",
        "limits.parse_whole:what",
        "money.card_number_error:field",
        "money.contains_card_number:text",
        "money.luhn_ok:digits",
        "money.parse_money:text",
        "reports.pdf.latin1:text",
        "reports.sell_through.counts:now_stamp",
        "sales.customer_merge.name_key:name",
        "sales.orders.retire_tickets:actor",
        "sales.orders.retire_tickets:status",
        "sales.tenders.parse_tender:spec",
        "seatmap.layout.section_drawing:code",
        "seatmap.parser.parse_seatmap:path",
        "seatmap.parser.parse_seatmap:text",
        "seatmap.pretix.convert_pretix:venue_code",
        "seatmap.pretix.convert_pretix_json:venue_code",
        "seatmap.pretix.convert_pretix_plan:venue_code",
        "store.backup.backup:actor",
        "store.backup.prune:stem",
        "store.backup.restore:actor",
        "store.db.check_local_disk:mounts_text",
        "store.db.filesystem_type:mounts_text",
        "store.db.insert:sql",
        "store.postgresql.connect_postgresql:url",
        "store.engine.redacted:url",
        "store.postgresql.to_pyformat:sql",
        "store.journal.append:action",
        "store.journal.append:actor",
        "store.journal.append:subject",
        "times.parse_stamp:text",
        "venue.inventory.claim_available:state",
):
    REVIEWED[_name] = "internal"
# SECRET: PINs and their hashes: hashed, never stored or printed as typed
for _name in (
        "admin.access.sign_in_for:pin",
        "gate.lanes.authenticate_lane:token",
        "people.accounts.reset_pin:pin",
        "people.users.authenticate:pin",
        "people.users.change_pin:new_pin",
        "people.users.change_pin:old_pin",
        "people.users.check_pin_format:pin",
        "people.users.hash_pin:pin",
        "people.users.pin_matches:pin",
        "people.users.pin_matches:stored",
):
    REVIEWED[_name] = "secret"
# LOOKUP: looked up or matched against a fixed set, never stored as typed: codes, SKUs, user
#   names of existing users, price types, zones, search queries, filters
for _name in (
        "concessions.stock.adjust:sku",
        "concessions.stock.get_item:sku",
        "concessions.stock.list_items:category",
        "concessions.stock.list_items:text",
        "concessions.stock.move:kind",
        "concessions.stock.moves:sku",
        "concessions.stock.receive:sku",
        "gate.checkin.counters:gate",
        "gate.checkin.scan:nonce",
        "gate.feed.changes_since:cursor",
        "gate.feed.judge_offline:code",
        "gate.feed.judge_offline:nonce",
        "gate.feed.parse_cursor:cursor",
        "gate.lanes.judge:code",
        "gate.lanes.judge:mode",
        "gate.lanes.judge:nonce",
        "gate.lanes.lane_session:mode",
        "people.accounts.change_role:role",
        "people.accounts.change_role:username",
        "people.accounts.deactivate_user:username",
        "people.accounts.reactivate_user:username",
        "people.accounts.reset_pin:username",
        "people.accounts.unlock_user:username",
        "people.permissions.authorize:permission",
        "people.permissions.grant:permission",
        "people.permissions.grant:role",
        "people.permissions.has_permission:permission",
        "people.permissions.has_permission:role",
        "people.permissions.revoke:permission",
        "people.permissions.revoke:role",
        "people.users.authenticate:username",
        "people.users.change_pin:username",
        "people.users.get_user:username",
        "reports.catalogue.build_report:name",
        "sales.aftersale.refund:to",
        "sales.carts.add_area_places:area",
        "sales.carts.add_area_places:price_type",
        "sales.carts.add_best_available:price_type",
        "sales.carts.add_best_available:section",
        "sales.carts.add_best_available:zone",
        "sales.carts.add_seats:from_hold",
        "sales.carts.add_seats:price_type",
        "sales.carts.resume_cart:station",
        "sales.carts.set_goods:sku",
        "sales.carts.set_price_type:price_type",
        "sales.cases.list_cases:assignee",
        "sales.cases.open_case:assignee",
        "sales.cases.open_case:channel",
        "sales.cases.open_case:kind",
        "sales.cases.open_case:priority",
        "sales.cases.update_case:assignee",
        "sales.cases.update_case:priority",
        "sales.cases.update_case:status",
        "sales.checkout.checkout:channel",
        "sales.checkout.checkout:delivery",
        "sales.consignment.issue:from_hold",
        "sales.consignment.issue:price_type",
        "sales.consignment.settle_returning:paid_by",
        "sales.customer_data.set_consent:consent",
        "sales.customers.check_email:email",
        "sales.customers.normalise_phone:phone",
        "sales.customers.parse_flags:text",
        "sales.customers.search_customers:query",
        "sales.goods.return_goods:kind",
        "sales.lookup.find_orders:query",
        "sales.orders.find_order:number",
        "sales.payments.pay_back:to",
        "sales.payments.record_money:tender",
        "till.cards.worklist:status",
        "till.shifts.list_shifts:status",
        "venue.best_available.best_available:section",
        "venue.best_available.best_available:zone",
        "venue.inventory.area_id:code",
        "venue.inventory.create_hold_code:color",
        "venue.inventory.delete_hold_code:code",
        "venue.inventory.find_seat:row",
        "venue.inventory.find_seat:section",
        "venue.inventory.hold_area_places:code",
        "venue.inventory.hold_code:code",
        "venue.inventory.hold_seats:code",
        "venue.inventory.seat_ids_in_range:row",
        "venue.inventory.seat_ids_in_range:section",
        "venue.inventory.seats_by_label:text",
        "venue.pricing.check_priced:code",
        "venue.pricing.price_type_id:code",
        "venue.pricing.read_prices_ahead:code",
        "venue.pricing.remove_price:price_type",
        "venue.pricing.remove_price:zone",
        "venue.pricing.set_price:price_type",
        "venue.pricing.set_price:zone",
        "venue.seat_plan.price_types_for:zone",
        "sales.flex.find_pass:text",
        "sales.flex.redeem:area",
        "sales.flex.redeem:seats",
        "sales.flex.sell_flex_pass:price_type",
        "sales.renewals.find_renewal:code",
        "sales.package_seats.remove_package_seat:row",
        "sales.package_seats.remove_package_seat:section",
        "sales.subscription_exchange.offer:seat",
        "sales.subscriptions.add_package_best:price_type",
        "sales.subscriptions.add_package_best:zone",
        "sales.subscriptions.add_package_seats:price_type",
        "sales.subscriptions.add_package_seats:seats",
        "venue.series.get_package_price:zone",
        "venue.series.package_share:zone",
        "venue.series.set_package_price:price_type",
        "venue.series.set_package_price:zone",
        "reports.extracts.delete_extract:name",
        "reports.extracts.get_extract:name",
        "reports.extracts.run_extract:name",
        "reports.extracts.save_extract:day",
        "reports.extracts.save_extract:fmt",
        "reports.extracts.save_extract:report",
        "reports.pricing_evidence.what_if:price_type",
        "reports.pricing_evidence.what_if:zone",
):
    REVIEWED[_name] = "lookup"
# STOREFRONT: a reservation's station goes to insert_payment (delegated); the email's
#   words are the program's own, its recipient checked when the customer was stored;
#   zones, sections, areas, price types and order numbers are looked up, never stored
for _name, _why in (
        ("sales.reservations.pay_reservation:station", "delegated"),
        ("mail.compose:subject", "internal"), ("mail.compose:text", "internal"),
        ("mail.compose:to", "internal"), ("mail.send:subject", "internal"),
        ("mail.send:text", "internal"), ("mail.send:to", "internal"),
        ("sales.online.record_message:error", "internal"),
        ("sales.online.record_message:kind", "internal"),
        ("sales.online.record_message:recipient", "internal"),
        ("sales.reservations.new_web_order:status", "internal"),
        ("sales.online.add_best:section", "lookup"), ("sales.online.add_best:zone", "lookup"),
        ("sales.online.add_places:area", "lookup"),
        ("sales.online.set_price_type:price_type", "lookup"),
        ("sales.reservations.find_reservation:number", "lookup"),
        ("sales.reservations.find_web_order:email", "lookup"),
        ("sales.reservations.find_web_order:number", "lookup"),
        # a page's address and the brand colour are matched against a fixed pattern
        # (check_slug, check_colour) before anything is stored
        ("admin.site.check_colour:colour", "pattern"), ("admin.site.check_slug:slug", "pattern"),
        ("admin.site.contrast_with_white:colour", "pattern"),
        ("admin.site.delete_page:slug", "lookup"), ("admin.site.get_page:slug", "lookup"),
        ("admin.site.set_page:slug", "pattern"), ("admin.site.set_site_info:colour", "pattern"),
        # the provider's own identifiers and signatures, and the configured currency
        ("sales.card_checkout.attempt:currency", "internal"),
        ("sales.card_checkout.start:currency", "internal"),
        ("sales.card_checkout.handle_event:signature", "secret"),
        ("sales.card_checkout.settle:intent_id", "lookup"),
        ("sales.card_provider.verify_event:secret", "secret"),
        ("sales.card_provider.verify_event:signature_header", "secret"),
        ("sales.waiting_room.place:token", "secret"),
        # an emailed reminder's house and address come from the config, like the letters'
        ("reports.letters.email_reminders:house", "config"),
        ("reports.letters.email_reminders:house_address", "config"),
        ("sales.notices.record_sent:channel", "internal"),
        ("reports.letters.email_case_letter:house", "config"),
        ("reports.letters.email_case_letter:house_address", "config"),
        ("sales.notices.record_case_letter:channel", "internal"),
        ("report_model.performance_ids:text", "parser"),
        ("sales.groups.pay_balance:permission", "internal"),
        # a plan's station goes to insert_payment (through checkout and refund)
        ("sales.plans.default_plan:station", "delegated"),
        ("sales.plans.pay_instalment:station", "delegated"),
        ("sales.plans.sell_on_plan:station", "delegated"),
        ("sales.plans.agree_plan:on_default", "fixed set"),
        ("sales.plans.sell_on_plan:on_default", "fixed set"),
        # a plan's ticket rule is one of plans.TICKET_RULES; its delivery goes to checkout,
        # which takes print or will_call only
        ("sales.plans.agree_plan:tickets", "fixed set"),
        ("sales.plans.sell_on_plan:tickets", "fixed set"),
        ("sales.plans.sell_on_plan:delivery", "delegated"),
        # instalment reminders: the house from the config, the channel mail or email
        ("reports.letters.email_instalment_reminders:house", "config"),
        ("reports.letters.email_instalment_reminders:house_address", "config"),
        ("reports.letters.instalment_letters:house", "config"),
        ("reports.letters.instalment_letters:house_address", "config"),
        ("sales.notices.record_instalment_sent:channel", "internal"),
):
    REVIEWED[_name] = _why
# CHECKED_ELSEWHERE: checked as a whole by the service's own scan (a settlement file's rows,
#   a seat map's names), printed only to the person who typed it, or read back from
#   records checked when they were stored (a case letter's patron) or from the config
for _name in (
        "reports.letters.case_letter:house",
        "reports.letters.case_letter:house_address",
        "reports.letters.case_letter:patron",
        "reports.letters.case_letter:patron_address",
        "reports.letters.renewal_letters:house",
        "reports.letters.renewal_letters:house_address",
        "reports.letters.renewal_letters:series_name",
        "reports.letters.reminder_letters:house",
        "reports.letters.reminder_letters:house_address",
        "till.cards.import_settlement:source_name",
        "till.cards.import_settlement:text",
        "till.cards.parse_settlement:text",
        "till.deposits.deposit_report:title",
        "venue.venues.import_seatmap:source",
):
    REVIEWED[_name] = "checked_elsewhere"
# SUBSCRIBERS ONLINE (issue 20): what a patron types to find a renewal or a pass (a code,
#   an email or phone) is matched, never stored; the links' keys and the site secret are
#   secrets; zones, sections, areas and price types are looked up; a change request goes
#   to renewals.request_change (clean_text); a renewal email's words come from the config
#   and from records checked when they were stored; the mail server's answer is logged as
#   the program received it
for _name, _why in (
        ("sales.online_renewals.find_for_patron:code", "lookup"),
        ("sales.online_renewals.find_for_patron:contact", "lookup"),
        ("sales.online_renewals.same_contact:email", "lookup"),
        ("sales.online_renewals.same_contact:phone", "lookup"),
        ("sales.online_renewals.same_contact:typed", "lookup"),
        ("sales.online_renewals.renewal_key:code", "lookup"),
        ("sales.online_renewals.renewal_key:secret", "secret"),
        ("sales.online_renewals.renewal_key_ok:code", "lookup"),
        ("sales.online_renewals.renewal_key_ok:key", "secret"),
        ("sales.online_renewals.renewal_key_ok:secret", "secret"),
        ("sales.online_renewals.request_change_online:text", "delegated"),
        ("sales.online_renewals.start_renewal:currency", "internal"),
        ("sales.online_flex.find_for_patron:contact", "lookup"),
        ("sales.online_flex.find_for_patron:text", "lookup"),
        ("sales.online_flex.flex_key:secret", "secret"),
        ("sales.online_flex.flex_key_ok:key", "secret"),
        ("sales.online_flex.flex_key_ok:secret", "secret"),
        ("sales.online_flex.redeem_online:area", "lookup"),
        ("sales.online_flex.redeem_online:section", "lookup"),
        ("sales.online_flex.redeem_online:zone", "lookup"),
        ("sales.online_packages.add_package:price_type", "lookup"),
        ("sales.online_packages.add_package:zone", "lookup"),
        ("sales.package_orders.record_packages:actor_name", "internal"),
        ("sales.renewal_notices.record_notice:error", "internal"),
        ("reports.renewal_emails.email_renewal_notices:base_url", "config"),
        ("reports.renewal_emails.email_renewal_notices:house", "config"),
        ("reports.renewal_emails.email_renewal_notices:house_address", "config"),
        ("reports.renewal_emails.email_renewal_notices:secret", "secret"),
        ("reports.renewal_emails.renewal_email:house", "config"),
        ("reports.renewal_emails.renewal_email:house_address", "config"),
        ("reports.renewal_emails.renewal_email:link", "internal"),
        ("reports.renewal_emails.renewal_email:series_name", "checked_elsewhere"),
        ("reports.renewal_emails.renewal_link:base_url", "config"),
        ("reports.renewal_emails.renewal_link:code", "internal"),
        ("reports.renewal_emails.renewal_link:secret", "secret"),
):
    REVIEWED[_name] = _why


def _text_parameters() -> set[str]:
    """'module.function:parameter' for every str parameter of a public core service that
    its body does not pass through one of GUARDS."""
    found = set()
    for info in pkgutil.walk_packages(core.__path__, "core."):
        module = importlib.import_module(info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            source = inspect.getsource(function)
            for parameter in inspect.signature(function).parameters.values():
                if not re.fullmatch(r"str( \| None)?", str(parameter.annotation)):
                    continue
                if not any(re.search(re.escape(guard) + r"[^)]*\b" + parameter.name + r"\b",
                                     source) for guard in GUARDS):
                    found.add(f"{info.name.removeprefix('core.')}.{name}:{parameter.name}")
    return found


def test_every_text_parameter_of_every_service_is_checked_or_reviewed() -> None:
    unchecked = _text_parameters()
    new = sorted(unchecked - set(REVIEWED))
    assert not new, (f"these service parameters take text without core.free_text's check: "
                     f"{new}. Check them with clean_text, or list them in REVIEWED with why "
                     "they need none.")
    stale = sorted(set(REVIEWED) - unchecked)
    assert not stale, f"REVIEWED lists parameters that are checked or gone now: {stale}"


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_card_number_is_caught_whatever_separates_its_digits(spelling: str) -> None:
    assert contains_card_number(spelling)
    with pytest.raises(BoxOfficeError) as refused:
        clean_text(spelling, "note")
    assert refused.value.code == "card_number"


@pytest.mark.parametrize("harmless", [
    "doors 18:45, curtain 19:30", "+1 (212) 555-0100", "Row A seats 101-114",
    "order 12345 of 67890", "seats 101-114, 201-214, 301",
    (FIXED_NOW + timedelta(microseconds=168051)).isoformat(), "[11, 12, 13, 14, 15, 16, 17]",
    "4111 1111-1111 1112"])
def test_ordinary_numbers_pass(harmless: str) -> None:
    assert clean_text(harmless, "note") == harmless
