"""The registry of apps, domain side: each app's name, title, kind, KPIs (label, unit, better
direction), comparison charts, headline KPIs and sample scenarios.

``APPS`` (name -> :class:`AppInfo`) is the one list of apps: the scenario studio, the KPI
registry and the links between apps are fed from it. The view side (which module builds the
screen and which notebook serves it) is ``widgets.registry``, keyed by the same names; a test
keeps the two in step. Adding an app: one :func:`register_app` call here, one entry there, a
module and a notebook (``docs/ARCHITECTURE.md``, "Adding an app").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .kpis import (ChartSpec, InputInfo, KPIInfo, readable, register_charts, register_columns, register_headline,
                   register_inputs, register_kpis)

__all__ = ["AppInfo", "SampleRecipe", "APPS", "register_app", "app_title", "planning_apps", "studio_apps"]

#: kinds of app: a planning app saves scenarios; the studio reads them; home shows the data
KINDS = ("planning", "studio", "home")


@dataclass(frozen=True)
class SampleRecipe:
    """A sample scenario: its name, a note, and the inputs changed from the app's defaults."""

    name: str
    note: str
    changes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AppInfo:
    """One app as the domain knows it. ``kind``: 'planning', 'studio' or 'home'."""

    name: str
    title: str
    kind: str = "planning"
    samples: tuple[SampleRecipe, ...] = ()


APPS: dict[str, AppInfo] = {}


def register_app(info: AppInfo, *, kpis: Iterable[KPIInfo] | Mapping[str, tuple] = (),
                 charts: Iterable[ChartSpec] = (), headline: Iterable[str] = ()) -> AppInfo:
    """Add an app to the registry with its KPI labels, comparison charts and headline KPIs."""
    if info.kind not in KINDS:
        raise ValueError(f"app kind must be one of {', '.join(KINDS)}, not {info.kind!r}")
    APPS[info.name] = info
    if kpis:
        register_kpis(info.name, kpis)
    charts = tuple(charts)
    if charts:
        register_charts(info.name, charts)
    headline = tuple(headline)
    if headline:
        register_headline(info.name, headline)
    return info


def app_title(name: str) -> str:
    """The app's title for screens and reports ('network_design' -> 'Network design')."""
    info = APPS.get(name)
    return info.title if info is not None else readable(name)


def studio_apps() -> list[str]:
    """Names of the scenario studio's own screens (they read scenarios, never save them)."""
    return [n for n, a in APPS.items() if a.kind == "studio"]


def planning_apps() -> list[str]:
    """Names of the apps that save scenarios, in registry order."""
    return [n for n, a in APPS.items() if a.kind == "planning"]


R = SampleRecipe
L, H = "lower", "higher"

# -- network design (workbench.network.NetworkResult.kpis) ---------------------------------
NETWORK_DESIGN_KPIS = [
    KPIInfo("total_cost", "Total cost", "USD", L,
            help="cost of running the network for a year: fixed DC cost + handling + inbound and outbound "
                 "transport (+ inventory carrying and carbon cost when they are switched on)"),
    KPIInfo("fixed_cost", "Fixed DC cost", "USD", L, help="yearly fixed cost of the open DCs (rent, staff, overheads)"),
    KPIInfo("handling_cost", "Handling cost", "USD", L,
            help="yearly cost of handling the units through the DCs: each DC's handling rate x the units it ships"),
    KPIInfo("inbound_cost", "Inbound transport", "USD", L,
            help="yearly transport cost from the plants to the DCs: rate per unit-km x distance x units"),
    KPIInfo("outbound_cost", "Outbound transport", "USD", L,
            help="yearly transport cost from the DCs to the customers: rate per unit-km x distance x units"),
    KPIInfo("inventory_cost", "Inventory carrying cost", "USD", L,
            help="yearly cost of holding the DCs' cycle and safety stock: inventory value x holding rate"),
    KPIInfo("carbon_cost", "Carbon cost", "USD", L, help="CO₂ emitted by transport x the carbon price"),
    KPIInfo("inventory_value", "Inventory value", "USD", L,
            help="value of the stock the open DCs hold on average (cycle stock + safety stock, at product value)"),
    KPIInfo("co2_t", "CO₂ emitted", "t", L,
            help="tonnes of CO₂e a year from transport (well-to-wheel): distance x units x the emission factor"),
    KPIInfo("peak_shortfall_units", "Peak-season shortfall", "units", L,
            help="units per week above the DCs' weekly capacity in each DC's busiest week, summed over the DCs"),
    KPIInfo("cost_per_unit", "Cost per unit", "USD/unit", L,
            help="total yearly cost divided by the units delivered in the year"),
    KPIInfo("dc_count", "DCs open", "count", None, help="number of DCs the plan opens (including those kept open)"),
    KPIInfo("mean_distance_km", "Mean distance to customers", "km", L,
            help="average distance from each customer to its DC, weighted by the customer's demand"),
    KPIInfo("share_within_radius", "Demand within service radius", "share", H,
            help="share of the yearly demand whose DC is within the service radius (empty when no radius is set)"),
    KPIInfo("max_distance_km", "Farthest customer", "km", L,
            help="distance from the farthest-served customer to its DC"),
    KPIInfo("utilisation", "Utilisation", "share", H,
            help="units shipped through the open DCs divided by their capacity"),
    KPIInfo("worst_dc_lost", "Worst DC lost", "USD", L,
            help="stress test: the extra yearly cost when the DC whose loss hurts most closes and the others "
                 "serve its customers (Run the stress test to fill it)"),
    KPIInfo("customers", "Customers", "count", None, help="customer locations in the data (each with a yearly demand)"),
    KPIInfo("candidate_sites", "Candidate sites", "count", None,
            help="sites the plan may open as DCs (existing DCs and candidate locations in the data)"),
    KPIInfo("gap", "Optimality gap", "share", None, decimals=2, solver=True,
            help="how far the plan's cost can be above the best possible plan (0% = proven best)"),
    KPIInfo("seconds", "Solve time", "s", None, decimals=1, solver=True,
            help="seconds the solver took to find and check the plan"),
]
NETWORK_DESIGN_CHARTS = ([
    ChartSpec("Cost breakdown (USD/yr)", ("fixed_cost", "handling_cost", "inbound_cost", "outbound_cost",
                                          "inventory_cost", "carbon_cost"), "stacked", "USD"),
    ChartSpec("Service: demand within the radius", ("share_within_radius",), "bar", "share"),
    ChartSpec("Distance to customers (km)", ("mean_distance_km", "max_distance_km"), "bar", "km"),
    ChartSpec("DCs open", ("dc_count",), "bar", "count"),
])

NETWORK_DESIGN_HEADLINE = (("total_cost", "dc_count", "share_within_radius", "mean_distance_km"))

# -- route planning (workbench.routing.RoutingResult.kpis) ---------------------------------
ROUTE_PLANNING_KPIS = [
    KPIInfo("vehicles_used", "Vehicles used", "count", L, help="vehicles that leave the depot with at least one order"),
    KPIInfo("total_km", "Distance driven", "km", L,
            help="kilometres driven by all vehicles, depot to depot (road distance estimated from the straight line)"),
    KPIInfo("total_cost", "Route cost", "USD", L,
            help="cost of the day's routes: each vehicle's fixed cost + cost per km x km + cost per hour x hours"),
    KPIInfo("total_duration_h", "Driver hours", "h", L,
            help="hours the drivers are out, from leaving the depot to coming back, summed over the vehicles"),
    KPIInfo("utilisation", "Load utilisation", "share", H,
            help="units loaded divided by the capacity of the vehicles used"),
    KPIInfo("on_time_share", "Stops on time", "share", H,
            help="share of the day's orders delivered inside their time window"),
    KPIInfo("orders_served", "Orders planned", "count", H, help="orders on a route"),
    KPIInfo("orders_unserved", "Orders not planned", "count", L,
            help="orders no route can take (capacity, time window or shift); the table below says why"),
    KPIInfo("demand_served", "Units delivered", "units", H, help="units of the planned orders"),
    KPIInfo("orders", "Orders", "count", None, help="the day's orders to deliver from this depot"),
    KPIInfo("solve_seconds", "Solve time", "s", None, decimals=1, solver=True,
            help="seconds the route search ran (up to the time limit)"),
]
ROUTE_PLANNING_CHARTS = ([
    ChartSpec("Route cost (USD)", ("total_cost",), "bar", "USD"),
    ChartSpec("Vehicles and orders not planned", ("vehicles_used", "orders_unserved"), "bar", "count"),
    ChartSpec("Distance driven (km)", ("total_km",), "bar", "km"),
    ChartSpec("Service and utilisation", ("on_time_share", "utilisation"), "bar", "share"),
])

ROUTE_PLANNING_HEADLINE = (("total_cost", "vehicles_used", "total_km", "orders_unserved"))

# -- channel strategy (workbench.channels.ChannelComparison.kpis: <strategy>_<kpi>) -----------
_STRATEGIES = ("intensive", "selective", "exclusive")
_CHANNEL_KPIS = {
    "outlets": ("outlets", "count", None, "consumer outlets (stores and online listings) the strategy carries; "
                "the wholesalers and distributors that supply them are listed apart"),
    "population_in_reach": ("population within reach of a store", "count", H,
                            "people of the modelled zones within the reach radius of a carried store"),
    "store_reach": ("store reach (share of the modelled population)", "share", H,
                    "share of the modelled zones' people within the reach radius of a carried store"),
    "online_reach": ("online reach (share of the modelled population)", "share", H,
                     "share of the modelled zones' people that parcels reach when an online listing is carried"),
    "units": ("units", "units", H, "units a year shoppers buy at the strategy's outlets (market model of "
              "store attractiveness, distance and price)"),
    "market_share": ("market share", "share", H, "units sold divided by the market's units at the reference price"),
    "consumer_price": ("consumer price", "USD/unit", None, "shelf price a shopper pays (list price with the "
                       "strategy's discount or premium)"),
    "consumer_sales": ("consumer sales", "USD", H, "units x consumer price: what shoppers spend a year"),
    "channel_margin": ("channel margin", "USD", None, "what retailers, wholesalers and distributors keep of the "
                       "consumer sales"),
    "channel_fees": ("channel fees", "USD", L, "platform commissions, fulfilment and parcel fees paid a year"),
    "revenue": ("revenue", "USD", H, "what the company invoices a year: consumer sales - channel margin"),
    "cost_of_goods": ("cost of goods", "USD", L, "units x the product's cost"),
    "net_margin": ("net margin", "USD", H, "revenue - channel fees - cost of goods, a year"),
    "net_margin_pct": ("net margin %", "share", H, "net margin divided by revenue"),
    "account_cost": ("account cost", "USD", L, "yearly cost of serving the accounts (sales visits, admin) "
                     "of the carried outlets"),
    "logistics_cost": ("logistics cost", "USD", L, "yearly cost of shipping to the outlets, DC handling included"),
    "cost_to_serve": ("cost to serve", "USD", L, "account cost + logistics cost, a year"),
    "profit": ("profit", "USD", H, "net margin - cost to serve: what the strategy earns a year"),
    "brand_control": ("brand control", "share", H, "share of the units sold through flagship and premium outlets"),
    "cannibalisation": ("cannibalisation", "share", L, "share of the carried outlets' units that other own "
                        "outlets would have sold without them"),
    "overlap": ("overlap", "count", L, "average number of carried stores within reach of a zone in reach "
                "(weighted by people)"),
}
CHANNEL_STRATEGY_KPIS = ([
    KPIInfo(f"{s}_{k}", f"{s.capitalize()}: {label}", unit, better, help=f"{s.capitalize()} distribution: {help}")
    for s in _STRATEGIES for k, (label, unit, better, help) in _CHANNEL_KPIS.items()
] + [
    KPIInfo("frontier_best_outlets", "Frontier best: outlets", "count", None,
            help="outlets at the most profitable point of the profit-vs-outlets curve"),
    KPIInfo("frontier_best_profit", "Frontier best: profit", "USD", H,
            help="profit a year at the most profitable point of the profit-vs-outlets curve"),
    KPIInfo("frontier_best_store_reach", "Frontier best: store reach", "share", H,
            help="store reach at the most profitable point of the profit-vs-outlets curve"),
    KPIInfo("best_margin", "Best strategy's margin over the runner-up", "USD", H,
            help="profit a year of the best strategy minus that of the second best"),
    KPIInfo("too_close", "Too close to call (1 = yes)", "count", None,
            help="1 when the best strategy's margin is within the model's uncertainty, else 0"),
])
CHANNEL_STRATEGY_CHARTS = ([
    ChartSpec("Profit by strategy (USD/yr)", tuple(f"{s}_profit" for s in _STRATEGIES), "bar", "USD"),
    ChartSpec("Store reach and brand control by strategy", tuple(f"{s}_{k}" for k in ("store_reach", "brand_control")
                                                              for s in _STRATEGIES), "bar", "share"),
    ChartSpec("Units by strategy", tuple(f"{s}_units" for s in _STRATEGIES), "bar", "units"),
    ChartSpec("Outlets by strategy", tuple(f"{s}_outlets" for s in _STRATEGIES), "bar", "count"),
])

CHANNEL_STRATEGY_HEADLINE = (("intensive_profit", "selective_profit", "exclusive_profit",
                                       "intensive_store_reach"))

# -- demand forecasting and inventory (workbench.forecast.planning.SeriesAnalysis.kpis) --------
DEMAND_FORECASTING_KPIS = [
    KPIInfo("forecast_units", "Forecast demand over the horizon", "units", None,
            help="units the forecast expects over the chosen number of weeks (sum of the weekly forecasts)"),
    KPIInfo("history_units_same_weeks_last_year", "Same weeks last year", "units", None,
            help="units sold in the same calendar weeks a year earlier, to set the forecast against"),
    KPIInfo("coverage_80", "80% interval coverage", "%", None,
            help="share of past weeks (in the backtest) whose actual demand fell inside the forecast's 80% "
                 "range; near 80% means the ranges are honest"),
    KPIInfo("safety_stock_units", "Safety stock", "units", L,
            help="stock kept against forecast error and lead-time variation at the chosen service level: "
                 "z(service level) x the error over the lead time, summed over the DCs"),
    KPIInfo("safety_stock_value", "Safety stock value", "USD", L,
            help="safety stock units x the product's unit value"),
    KPIInfo("mape", "Forecast error (MAPE)", "%", L,
            help="typical error: mean absolute error in % of the actual weekly demand (backtest)"),
    KPIInfo("wape", "Forecast error (WAPE)", "%", L,
            help="total absolute error in % of total demand over the backtest weeks"),
    KPIInfo("fill_rate", "Fill rate", "share", H, help="share of demand met from stock"),
    KPIInfo("service_level", "Service level", "share", H,
            help="chance of not running out between two orders (cycle service level)"),
    KPIInfo("discontinued_weeks", "Possibly discontinued", "count", None,
            help="weeks in a row without demand at the end of the history: the product may be discontinued"),
    KPIInfo("backtest_mase", "Forecast error vs. a simple benchmark", "", L, decimals=2,
            help="MASE: the forecast's mean absolute error on past weeks divided by that of repeating the same "
                 "week last year; below 1 beats it"),
    KPIInfo("seasonal_naive_mase", "Same week last year: error vs. benchmark", "", L, decimals=2,
            help="MASE of the benchmark itself in the backtest (repeat the same week last year)"),
]
DEMAND_FORECASTING_CHARTS = ([
    ChartSpec("Forecast error vs. a simple benchmark (below 1 beats 'same week last year')", ("backtest_mase", "seasonal_naive_mase"),
              "bar", ""),
    ChartSpec("Demand: forecast and the same weeks last year", ("forecast_units", "history_units_same_weeks_last_year"),
              "bar", "units"),
    ChartSpec("Safety stock value (USD)", ("safety_stock_value",), "bar", "USD"),
    ChartSpec("Safety stock (units)", ("safety_stock_units",), "bar", "units"),
    ChartSpec("80% interval coverage (%)", ("coverage_80",), "bar", "%"),
])
DEMAND_FORECASTING_HEADLINE = (("forecast_units", "backtest_mase", "safety_stock_value"))


# -- home (workbench.World.summary): the data at a glance -------------------------------------
HOME_KPIS = [
    KPIInfo("customers", "Customers", "count", None,
            help="customer locations in the data; below: the people living in their areas"),
    KPIInfo("annual_demand", "Annual demand", "units", None, help="units all customers order in a year"),
    KPIInfo("candidate_sites", "Candidate DC sites", "count", None,
            help="sites a network design may open as DCs; below: how many are open today"),
    KPIInfo("plants", "Plants", "count", None, help="plants that supply the DCs"),
    KPIInfo("outlets", "Outlets", "count", None, help="retail, wholesale, distributor and online outlets in the data"),
    KPIInfo("vehicles", "Fleet", "count", None, help="delivery vehicles over all depots; below: the vehicle types"),
    KPIInfo("products", "Products", "count", None, help="products with weekly demand history; below: weeks of history"),
    KPIInfo("orders", "Orders today", "count", None, help="orders of the delivery day to route, over all depots"),
]

# ---------------------------------------------------------------------------------------
# the apps, in the order of the links between them
# ---------------------------------------------------------------------------------------

register_app(AppInfo("home", "Home", kind="home"), kpis=HOME_KPIS)
register_app(AppInfo("network_design", "Network design", samples=(
    R("Sample: cheapest network", "Sample company, the number of DCs left free", {"dc_count": 0}),
    R("Sample: 10 DCs", "Sample company, exactly 10 DCs", {"dc_count": 10}),
    R("Sample: transport +20%", "Cheapest network when transport rates rise by 20%",
      {"dc_count": 0, "transport_multiplier": 1.2}),
)), kpis=NETWORK_DESIGN_KPIS, charts=NETWORK_DESIGN_CHARTS, headline=NETWORK_DESIGN_HEADLINE)
register_app(AppInfo("channel_strategy", "Channel strategy", samples=(
    R("Sample: default assumptions", "Sample company with the default margins and costs", {}),
    R("Sample: exclusive premium 25%", "Exclusive outlets sell 25% above list price", {"exclusive_premium": 0.25}),
    R("Sample: price-sensitive shoppers", "Price elasticity 1.5", {"price_elasticity": 1.5}),
)), kpis=CHANNEL_STRATEGY_KPIS, charts=CHANNEL_STRATEGY_CHARTS, headline=CHANNEL_STRATEGY_HEADLINE)
register_app(AppInfo("demand_forecasting", "Demand & inventory", samples=(
    R("Sample: 95% service level", "First series of the sample history, default forecast, 95% cycle service", {}),
    R("Sample: 99% service level", "The same forecast with 99% cycle service", {"service_level": 0.99}),
)), kpis=DEMAND_FORECASTING_KPIS, charts=DEMAND_FORECASTING_CHARTS, headline=DEMAND_FORECASTING_HEADLINE)
register_app(AppInfo("route_planning", "Route planning", samples=(
    R("Sample day: fleet as it is", "The sample depot's orders with today's fleet", {"time_limit_s": 3.0}),
    R("Sample day: windows widened 1 h", "Every delivery window one hour wider on both sides",
      {"time_limit_s": 3.0, "widen_windows_min": 60.0}),
)), kpis=ROUTE_PLANNING_KPIS, charts=ROUTE_PLANNING_CHARTS, headline=ROUTE_PLANNING_HEADLINE)
register_app(AppInfo("scenario_compare", "Compare scenarios", kind="studio"))
register_app(AppInfo("scenario_viewer", "Scenario viewer", kind="studio"))


# -- how saved inputs and result-table columns read in exports and reports -------------------
register_inputs("network_design", [
    InputInfo("dc_count", "Number of DCs", "count", ((0, "cheapest number"),)),
    InputInfo("sourcing", "Sourcing", "", (("single", "one DC per customer"),
                                           ("multi", "a customer may be served by several DCs"),
                                           ("split", "a customer may be served by several DCs"))),
    InputInfo("service_radius_km", "Service radius", "km", ((0, "none"),)),
    InputInfo("service_share", "Demand to serve within the radius", "share"),
    InputInfo("transport_multiplier", "Transport rate (x today's)", "ratio"),
    InputInfo("fixed_cost_multiplier", "Fixed DC cost (x today's)", "ratio"),
    InputInfo("force_open", "DCs kept open"),
    InputInfo("two_echelon", "Plants to DCs included"),
    InputInfo("time_limit_s", "Solver time limit", "s"),
    InputInfo("world_version", "Data version"),
    InputInfo("world_source", "Data source"),
])
register_columns("network_design", "sites", {
    "capacity": ("Capacity", "units/yr"), "volume": ("Volume", "units/yr"), "utilisation": ("Utilisation", "share"),
    "customers": ("Customers served", "count"), "fixed_cost": ("Fixed cost", "USD/yr"),
    "handling_cost": ("Handling cost", "USD/yr"), "inbound_cost": ("Inbound transport", "USD/yr"),
    "outbound_cost": ("Outbound transport", "USD/yr"), "total_cost": ("Total cost", "USD/yr"),
})
register_columns("network_design", "flows", {
    "units": ("Units", "units/yr"), "share": ("Share of the customer's demand", "share"),
    "handling_cost": ("Handling cost", "USD/yr"), "outbound_cost": ("Outbound transport", "USD/yr"),
    "customer": ("Customer name", ""), "site_id": ("Serving DC", ""),
})
register_columns("network_design", "inbound", {
    "units": ("Units", "units/yr"), "cost": ("Inbound transport", "USD/yr"),
})
_DATA_INPUTS = [InputInfo("world_version", "Data version"), InputInfo("world_source", "Data source"),
                InputInfo("currency", "Currency")]
register_inputs("demand_forecasting", [
    InputInfo("level", "Level"),
    InputInfo("series", "Series"),
    InputInfo("horizon", "Horizon", "weeks"),
    InputInfo("method", "Forecast method", "", (("auto", "automatic (the best on past weeks)"),)),
    InputInfo("events", "Events and promotions modelled"),
    InputInfo("service_level", "Service level", "share"),
    InputInfo("lead_time", "Lead time", "weeks"),
    InputInfo("lead_time_sd", "Lead time varies by (±)", "weeks"),
    InputInfo("order_cost", "Cost per order", "USD"),
    InputInfo("holding_rate", "Holding cost per year (share of value)", "share"),
    InputInfo("on_hand_weeks", "Stock on hand", "weeks"),
    InputInfo("backtest_windows", "Past periods tested", "count"),
    *_DATA_INPUTS,
])
register_inputs("route_planning", [
    InputInfo("depot_id", "Depot"),
    InputInfo("fleet", "Fleet"),
    InputInfo("time_limit_s", "Search time limit", "s"),
    InputInfo("widen_windows_min", "Delivery windows widened by", "min"),
    InputInfo("allow_unserved", "Plan what fits (list the rest)"),
    InputInfo("seed", "Search seed", "count"),
    *_DATA_INPUTS,
])
