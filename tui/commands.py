"""The command palette (Ctrl+P): every action the current screen can do right now, by
its footer description (so the window's own too: lock, orders, shift, reports, stock for
whoever may), plus going back to the performance list, selling items on their own and
switching seller."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.screen import Screen

from tui.screens.consignment import ConsignmentScreen
from tui.screens.customers import CustomerPicker
from tui.screens.duplicates import DuplicatesScreen
from tui.screens.goods_sale import open_concessions
from tui.screens.my_pin import change_my_pin
from tui.screens.notices import NoticesScreen
from tui.screens.subscriptions import SubscriptionsScreen

if TYPE_CHECKING:
    from tui.app import BoxOfficeApp


def window_commands(app: BoxOfficeApp, screen: Screen[object]) -> Iterator[SystemCommand]:
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if (not active.enabled or not binding.show or not binding.description
                or binding.action in seen):
            continue
        if binding.action in ("command_palette", "app.command_palette", "quit"):
            continue
        seen.add(binding.action)
        yield SystemCommand(binding.description, f"{binding.key_display or binding.key}",
                            partial(app.call_later, app.run_action, binding.action,
                                    active.node))
    yield SystemCommand("Sell: choose a performance", "The list of performances",
                        app.action_performances)
    yield SystemCommand("Sell items: concessions and merchandise",
                        "Items on their own, no performance (the sale's cart stays)",
                        partial(open_concessions, app))
    yield SystemCommand("Switch seller", "Lock the window; another user's PIN takes over",
                        app.action_lock)
    if app.user is not None and not app.is_locked:
        yield SystemCommand("Customers: find one, their details, notes and orders",
                            "Search by name, phone or email; Enter opens the customer",
                            partial(app.push_screen, CustomerPicker(browse=True)))
        yield SystemCommand("Customers: likely duplicates, and merging them",
                            "Pairs with the same email, phone or name, side by side",
                            partial(app.push_screen, DuplicatesScreen()))
        yield SystemCommand("Groups: blocks, deposits and balances (F7)",
                            "Group sales: hold a block, sell it with a deposit, take the "
                            "balance, release what is unsold", app.action_groups)
        yield SystemCommand("Cases: inquiries, complaints and requests (F8)",
                            "Log one, follow it up, close it with a disposition and a "
                            "letter to the patron", app.action_cases)
        yield SystemCommand("Notices: instalment and balance-due reminders",
                            "Payment plans' instalments due soon, group balances past due: "
                            "letters and emails by consent, phone the others",
                            partial(app.push_screen, NoticesScreen()))
        yield SystemCommand("Consignment: batches out with outside sellers",
                            "Issue, settle what came back, collect what is on account",
                            partial(app.push_screen, ConsignmentScreen()))
        yield SystemCommand("Subscriptions: series, packages, selling a season",
                            "The same seat at every performance of a series; define a "
                            "series and its packages, sell one",
                            partial(app.push_screen, SubscriptionsScreen()))
        yield SystemCommand("Change my PIN", "Your PIN now, then the new one twice",
                            partial(change_my_pin, app))

