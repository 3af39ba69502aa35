"""How each planning app's KPIs read (label, unit, better direction) and which charts a comparison shows.

Imported by ``workbench.scenarios``; KPIs not listed here are read from their names
(:func:`workbench.scenarios.kpis.kpi_info`).
"""

from __future__ import annotations

from .kpis import (ChartSpec, InputInfo, KPIInfo, register_charts, register_columns, register_headline,
                   register_inputs, register_kpis)

L, H = "lower", "higher"

# -- network design (workbench.network.NetworkResult.kpis) ---------------------------------
register_kpis("network_design", [
    KPIInfo("total_cost", "Total cost", "USD", L),
    KPIInfo("fixed_cost", "Fixed DC cost", "USD", L),
    KPIInfo("handling_cost", "Handling cost", "USD", L),
    KPIInfo("inbound_cost", "Inbound transport", "USD", L),
    KPIInfo("outbound_cost", "Outbound transport", "USD", L),
    KPIInfo("cost_per_unit", "Cost per unit", "USD/unit", L),
    KPIInfo("dc_count", "DCs open", "count", None),
    KPIInfo("mean_distance_km", "Mean distance to customers", "km", L),
    KPIInfo("share_within_radius", "Demand within service radius", "share", H),
    KPIInfo("max_distance_km", "Farthest customer", "km", L),
    KPIInfo("gap", "Optimality gap", "share", None, decimals=2, solver=True,
            help="how far the plan's cost can be above the best possible plan (0% = proven best)"),
    KPIInfo("seconds", "Solve time", "s", None, decimals=1, solver=True),
])
register_inputs("network_design", [
    InputInfo("dc_count", "Number of DCs", "count", ((0, "cheapest number"),)),
    InputInfo("sourcing", "Sourcing", "", (("single", "single: each customer from one DC"),
                                           ("split", "split: a customer may be served by several DCs"))),
    InputInfo("service_radius_km", "Service radius", "km", ((0, "none"), (0.0, "none"))),
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
register_charts("network_design", [
    ChartSpec("Cost breakdown (USD/yr)", ("fixed_cost", "handling_cost", "inbound_cost", "outbound_cost"), "stacked", "USD"),
    ChartSpec("Service: demand within the radius", ("share_within_radius",), "bar", "share"),
    ChartSpec("Distance to customers (km)", ("mean_distance_km", "max_distance_km"), "bar", "km"),
    ChartSpec("DCs open", ("dc_count",), "bar", "count"),
])

register_headline("network_design", ("total_cost", "dc_count", "share_within_radius", "mean_distance_km"))

# -- route planning (workbench.routing.RoutingResult.kpis) ---------------------------------
register_kpis("route_planning", {
    "vehicles_used": ("Vehicles used", "count", L),
    "total_km": ("Distance driven", "km", L),
    "total_cost": ("Route cost", "USD", L),
    "total_duration_h": ("Driver hours", "h", L),
    "utilisation": ("Load utilisation", "share", H),
    "on_time_share": ("Stops on time", "share", H),
    "orders_served": ("Orders planned", "count", H),
    "orders_unserved": ("Orders not planned", "count", L),
    "demand_served": ("Units delivered", "units", H),
})
register_kpis("route_planning", [KPIInfo("solve_seconds", "Solve time", "s", None, decimals=1, solver=True)])
register_charts("route_planning", [
    ChartSpec("Route cost (USD)", ("total_cost",), "bar", "USD"),
    ChartSpec("Vehicles and orders not planned", ("vehicles_used", "orders_unserved"), "bar", "count"),
    ChartSpec("Distance driven (km)", ("total_km",), "bar", "km"),
    ChartSpec("Service and utilisation", ("on_time_share", "utilisation"), "bar", "share"),
])

register_headline("route_planning", ("total_cost", "vehicles_used", "total_km", "orders_unserved"))

# -- channel strategy (workbench.channels.ChannelComparison.kpis: <strategy>_<kpi>) -----------
_STRATEGIES = ("intensive", "selective", "exclusive")
_CHANNEL_KPIS = {
    "outlets": ("outlets", "count", None),
    "population_covered": ("population covered", "count", H),
    "coverage": ("coverage", "share", H),
    "units": ("units", "units", H),
    "market_share": ("market share", "share", H),
    "consumer_price": ("consumer price", "USD/unit", None),
    "consumer_sales": ("consumer sales", "USD", H),
    "channel_margin": ("channel margin", "USD", None),
    "channel_fees": ("channel fees", "USD", L),
    "revenue": ("revenue", "USD", H),
    "cost_of_goods": ("cost of goods", "USD", L),
    "net_margin": ("net margin", "USD", H),
    "net_margin_pct": ("net margin %", "share", H),
    "account_cost": ("account cost", "USD", L),
    "logistics_cost": ("logistics cost", "USD", L),
    "cost_to_serve": ("cost to serve", "USD", L),
    "profit": ("profit", "USD", H),
    "brand_control": ("brand control", "share", H),
    "cannibalisation": ("cannibalisation", "share", L),
    "overlap": ("overlap", "count", L),
}
register_kpis("channel_strategy", [
    KPIInfo(f"{s}_{k}", f"{s.capitalize()}: {label}", unit, better)
    for s in _STRATEGIES for k, (label, unit, better) in _CHANNEL_KPIS.items()
] + [
    KPIInfo("frontier_best_outlets", "Frontier best: outlets", "count", None),
    KPIInfo("frontier_best_profit", "Frontier best: profit", "USD", H),
    KPIInfo("frontier_best_coverage", "Frontier best: coverage", "share", H),
])
register_charts("channel_strategy", [
    ChartSpec("Profit by strategy (USD/yr)", tuple(f"{s}_profit" for s in _STRATEGIES), "bar", "USD"),
    ChartSpec("Coverage and brand control by strategy", tuple(f"{s}_{k}" for k in ("coverage", "brand_control")
                                                              for s in _STRATEGIES), "bar", "share"),
    ChartSpec("Units by strategy", tuple(f"{s}_units" for s in _STRATEGIES), "bar", "units"),
    ChartSpec("Outlets by strategy", tuple(f"{s}_outlets" for s in _STRATEGIES), "bar", "count"),
])

register_headline("channel_strategy", ("intensive_profit", "selective_profit", "exclusive_profit",
                                       "intensive_coverage"))

# -- demand forecasting and inventory (widgets.demand_forecasting.DemandForecastingModel.kpis) --
register_kpis("demand_forecasting", {
    "forecast_units": ("Forecast demand over the horizon", "units", None),
    "history_units_same_weeks_last_year": ("Same weeks last year", "units", None),
})
register_kpis("demand_forecasting", [
    KPIInfo("backtest_mase", "Forecast error vs. a simple benchmark", "", L, decimals=2,
            help="MASE: the forecast's mean absolute error divided by that of repeating the same week last "
                 "year; below 1 beats it"),
    KPIInfo("seasonal_naive_mase", "Same week last year: error vs. benchmark", "", L, decimals=2,
            help="MASE of the benchmark itself in the backtest (repeat the same week last year)"),
])
register_kpis("demand_forecasting", {
    "coverage_80": ("80% interval coverage", "%", None),
    "safety_stock_units": ("Safety stock", "units", L),
    "safety_stock_value": ("Safety stock value", "USD", L),
    "mape": ("Forecast error (MAPE)", "%", L),
    "wape": ("Forecast error (WAPE)", "%", L),
    "fill_rate": ("Fill rate", "share", H),
    "service_level": ("Service level", "share", H),
})
register_charts("demand_forecasting", [
    ChartSpec("Forecast error vs. a simple benchmark (below 1 beats 'same week last year')", ("backtest_mase", "seasonal_naive_mase"),
              "bar", ""),
    ChartSpec("Demand: forecast and the same weeks last year", ("forecast_units", "history_units_same_weeks_last_year"),
              "bar", "units"),
    ChartSpec("Safety stock value (USD)", ("safety_stock_value",), "bar", "USD"),
    ChartSpec("Safety stock (units)", ("safety_stock_units",), "bar", "units"),
    ChartSpec("80% interval coverage (%)", ("coverage_80",), "bar", "%"),
])
register_headline("demand_forecasting", ("forecast_units", "backtest_mase", "safety_stock_value"))
