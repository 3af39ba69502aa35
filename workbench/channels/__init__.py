"""Channel strategy: intensive, selective and exclusive distribution, side by side.

    >>> from workbench import load_sample
    >>> from workbench.channels import ChannelParams, evaluate_strategies, frontier
    >>> world = load_sample()
    >>> cmp = evaluate_strategies(world, ChannelParams())
    >>> cmp.summary[["outlets", "store_reach", "units", "profit"]]
    >>> front = frontier(world, ChannelParams(), comparison=cmp)

Market capture is the Huff gravity model (:mod:`.huff`); exclusive territories are a balanced
p-median (:mod:`.territories`, OR-Tools); the margin stack is in :mod:`.economics`. See
``docs/channel_strategy.md``.
"""

from .calibration import Calibration, calibrate_capture
from .capture import OutletEconomics, UnitTerms, outlet_economics, unit_terms
from .economics import REFERENCE_RETAIL_MARGIN, STACK_STEPS, PricePoint, margin_stack, price_point, unit_stack
from .frontier import ChannelFrontier, frontier
from .huff import DEFAULT_MIN_DISTANCE_KM, competitor_attraction_scalar, huff_probabilities, huff_utility
from .market import Market, prepare_market, reference_prices
from .params import (
    CHANNELS,
    CONSUMER_CHANNELS,
    DEFAULT_ACCOUNT_COST,
    INTERMEDIARY_CHANNELS,
    SOURCES,
    STRATEGIES,
    TIERS,
    ChannelParams,
    validate_params,
)
from .selection import greedy_selection
from .sensitivity import KEY_ASSUMPTIONS, Assumption, Sensitivity, break_even
from .strategies import (
    ChannelComparison,
    StrategyResult,
    evaluate_outlets,
    evaluate_strategies,
    strategy_profits,
    strategy_sets,
)
from .territories import TerritoryPlan, clear_territory_cache, design_territories, pick_partners

__all__ = [
    "CHANNELS",
    "TIERS",
    "STRATEGIES",
    "STACK_STEPS",
    "DEFAULT_ACCOUNT_COST",
    "ChannelParams",
    "validate_params",
    "Market",
    "prepare_market",
    "reference_prices",
    "huff_utility",
    "huff_probabilities",
    "competitor_attraction_scalar",
    "unit_stack",
    "margin_stack",
    "StrategyResult",
    "ChannelComparison",
    "evaluate_strategies",
    "evaluate_outlets",
    "TerritoryPlan",
    "design_territories",
    "pick_partners",
    "clear_territory_cache",
    "ChannelFrontier",
    "frontier",
    "greedy_selection",
    "CONSUMER_CHANNELS",
    "INTERMEDIARY_CHANNELS",
    "SOURCES",
    "REFERENCE_RETAIL_MARGIN",
    "DEFAULT_MIN_DISTANCE_KM",
    "PricePoint",
    "price_point",
    "UnitTerms",
    "unit_terms",
    "OutletEconomics",
    "outlet_economics",
    "strategy_sets",
    "strategy_profits",
    "Assumption",
    "KEY_ASSUMPTIONS",
    "Sensitivity",
    "break_even",
    "Calibration",
    "calibrate_capture",
]
