"""Every key binding has an id, so a house can remap keys in config.toml's [keymap]."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

from core.config import Config
from core.errors import ConfigError


def _binding_classes() -> list[Any]:
    from tui.app import BoxOfficeApp
    from tui.gate_app import GateApp
    from tui.screens.admin import AdminScreen, HoldCodesScreen, SeatMapScreen
    from tui.screens.admin_base import FormModal
    from tui.screens.admin_events import PerformancesAdminScreen
    from tui.screens.admin_gate import GateAdminScreen
    from tui.screens.admin_lanes import LanesAdminScreen
    from tui.screens.admin_prices import PriceGridScreen
    from tui.screens.admin_roles import RolesScreen
    from tui.screens.admin_storefront import PageEditor, PagesScreen, StorefrontAdminScreen
    from tui.screens.admin_users import UsersScreen
    from tui.screens.admissions import AdmissionsScreen
    from tui.screens.cart_screen import CartScreen
    from tui.screens.cases import CasesScreen
    from tui.screens.consignment import ConsignmentScreen
    from tui.screens.customer_detail import CustomerScreen
    from tui.screens.customer_form import CustomerForm
    from tui.screens.customers import CustomerPicker, CustomerQuery
    from tui.screens.dialogs import AskText, Confirm, SupervisorOverride
    from tui.screens.duplicates import DuplicatesScreen
    from tui.screens.gate import GateScreen
    from tui.screens.goods import ItemPicker
    from tui.screens.goods_sale import ConcessionsScreen
    from tui.screens.groups import GroupsScreen
    from tui.screens.notices import NoticesScreen
    from tui.screens.order_detail import OrderDetailScreen
    from tui.screens.orders import OrderLookupScreen, QueryInput
    from tui.screens.overview import SellOverviewScreen
    from tui.screens.package_map import PackageMapScreen
    from tui.screens.payment import PaymentModal, SaleDone
    from tui.screens.performances import FilterInput, PerformancesScreen, PerformanceTable
    from tui.screens.renewals import RenewalsScreen
    from tui.screens.reports import ReportScreen
    from tui.screens.sale import SaleScreen
    from tui.screens.sell import SellScreen
    from tui.screens.sell_dialogs import BestAvailableForm, Choose, GeneralAdmissionForm
    from tui.screens.shift import OpenShiftModal
    from tui.screens.shift_close import AllShiftsScreen, ShiftScreen
    from tui.screens.shift_count import CountModal
    from tui.screens.stock import StockScreen
    from tui.screens.stock_count import CountScreen, MovesScreen
    from tui.screens.stock_forms import StockForm
    from tui.screens.subscriptions import SubscriptionsScreen
    from tui.widgets.items import ItemFilter
    from tui.widgets.overview import OverviewMap
    from tui.widgets.seatmap import SeatMap

    return [BoxOfficeApp, PerformancesScreen, PerformanceTable, FilterInput, SaleScreen,
            SellScreen, SellOverviewScreen, PaymentModal, SaleDone, AskText, Confirm,
            SupervisorOverride, BestAvailableForm, GeneralAdmissionForm, Choose,
            SeatMap, OverviewMap,
            GateApp, GateScreen,
            OrderLookupScreen, QueryInput, OrderDetailScreen, CustomerPicker, CustomerQuery,
            CustomerForm,
            AdminScreen, UsersScreen, PerformancesAdminScreen, PriceGridScreen,
            HoldCodesScreen, SeatMapScreen, FormModal, RolesScreen, GateAdminScreen,
            LanesAdminScreen, AdmissionsScreen, StorefrontAdminScreen, PagesScreen,
            PageEditor,
            CustomerScreen, ConsignmentScreen, GroupsScreen, CasesScreen, DuplicatesScreen,
            NoticesScreen, SubscriptionsScreen, RenewalsScreen, PackageMapScreen,
            CartScreen, ConcessionsScreen, ItemPicker, ItemFilter, StockScreen, StockForm,
            CountScreen, MovesScreen, ReportScreen, ShiftScreen, AllShiftsScreen, CountModal,
            OpenShiftModal]


def all_bindings() -> list[tuple[str, str, str]]:
    """(id, default key, description) of every binding that has an id."""
    found: dict[str, tuple[str, str, str]] = {}
    for cls in _binding_classes():
        for binding in cls.BINDINGS:
            if isinstance(binding, Binding) and binding.id:
                found[binding.id] = (binding.id, binding.key, binding.description)
    return sorted(found.values())


def check_keymap(config: Config) -> None:
    """Raises ConfigError for a [keymap] entry that names no binding."""
    known = {binding_id for binding_id, _, _ in all_bindings()}
    for binding_id in config.keymap:
        if binding_id not in known:
            where = config.source or "config"
            raise ConfigError(f"{where}: [keymap] '{binding_id}' is not a key binding id "
                              "(run `boxoffice keys` for the list)")
