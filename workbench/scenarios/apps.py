"""How each planning app's KPIs read (label, unit, better direction) and which charts a comparison shows.

Imported by ``workbench.scenarios``; KPIs not listed here are read from their names
(:func:`workbench.scenarios.kpis.kpi_info`).
"""

from __future__ import annotations

from .kpis import ChartSpec, KPIInfo, register_charts, register_headline, register_kpis

L, H = "lower", "higher"

# -- network design (workbench.network.NetworkResult.kpis) ---------------------------------
register_kpis("network_design", {
    "total_cost": ("Total cost", "USD", L),
    "fixed_cost": ("Fixed DC cost", "USD", L),
    "handling_cost": ("Handling cost", "USD", L),
    "inbound_cost": ("Inbound transport", "USD", L),
    "outbound_cost": ("Outbound transport", "USD", L),
    "cost_per_unit": ("Cost per unit", "USD", L),
    "dc_count": ("DCs open", "count", None),
    "mean_distance_km": ("Mean distance to customers", "km", L),
    "share_within_radius": ("Demand within service radius", "share", H),
    "max_distance_km": ("Farthest customer", "km", L),
    "gap": ("Optimality gap", "share", L),
    "seconds": ("Solve time", "s", L),
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
    "solve_seconds": ("Solve time", "s", None),
})
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
    "population_in_reach": ("population within reach of a store", "count", H),
    "store_reach": ("store reach (share of the modelled population)", "share", H),
    "online_reach": ("online reach (share of the modelled population)", "share", H),
    "units": ("units", "units", H),
    "market_share": ("market share", "share", H),
    "consumer_price": ("consumer price", "USD", None),
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
    KPIInfo("frontier_best_store_reach", "Frontier best: store reach", "share", H),
    KPIInfo("best_margin", "Best strategy's margin over the runner-up", "USD", H),
    KPIInfo("too_close", "Too close to call (1 = yes)", "count", None),
])
register_charts("channel_strategy", [
    ChartSpec("Profit by strategy (USD/yr)", tuple(f"{s}_profit" for s in _STRATEGIES), "bar", "USD"),
    ChartSpec("Store reach and brand control by strategy", tuple(f"{s}_{k}" for k in ("store_reach", "brand_control")
                                                              for s in _STRATEGIES), "bar", "share"),
    ChartSpec("Units by strategy", tuple(f"{s}_units" for s in _STRATEGIES), "bar", "units"),
    ChartSpec("Outlets by strategy", tuple(f"{s}_outlets" for s in _STRATEGIES), "bar", "count"),
])

register_headline("channel_strategy", ("intensive_profit", "selective_profit", "exclusive_profit",
                                       "intensive_store_reach"))

# -- demand forecasting and inventory (widgets.demand_forecasting.DemandForecastingModel.kpis) --
register_kpis("demand_forecasting", {
    "forecast_units": ("Forecast demand over the horizon", "units", None),
    "history_units_same_weeks_last_year": ("Same weeks last year", "units", None),
    "backtest_mase": ("Forecast error (MASE)", "", L),
    "seasonal_naive_mase": ("Seasonal naive error (MASE)", "", L),
    "coverage_80": ("80% interval coverage", "%", None),
    "safety_stock_units": ("Safety stock", "units", L),
    "safety_stock_value": ("Safety stock value", "USD", L),
    "mape": ("Forecast error (MAPE)", "%", L),
    "wape": ("Forecast error (WAPE)", "%", L),
    "fill_rate": ("Fill rate", "share", H),
    "service_level": ("Service level", "share", H),
})
register_charts("demand_forecasting", [
    ChartSpec("Forecast error (MASE: below 1 beats last year's same week)", ("backtest_mase", "seasonal_naive_mase"),
              "bar", ""),
    ChartSpec("Demand: forecast and the same weeks last year", ("forecast_units", "history_units_same_weeks_last_year"),
              "bar", "units"),
    ChartSpec("Safety stock value (USD)", ("safety_stock_value",), "bar", "USD"),
    ChartSpec("Safety stock (units)", ("safety_stock_units",), "bar", "units"),
    ChartSpec("80% interval coverage (%)", ("coverage_80",), "bar", "%"),
])
register_headline("demand_forecasting", ("forecast_units", "backtest_mase", "safety_stock_value"))
