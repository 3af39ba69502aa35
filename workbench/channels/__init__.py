"""Channel strategy: intensive, selective and exclusive distribution, side by side.

    >>> from workbench import load_sample
    >>> from workbench.channels import ChannelParams, evaluate_strategies, frontier
    >>> world = load_sample()
    >>> cmp = evaluate_strategies(world, ChannelParams())
    >>> cmp.summary[["outlets", "coverage", "units", "profit"]]
    >>> front = frontier(world, ChannelParams(), comparison=cmp)

Market capture is the Huff gravity model (:mod:`.huff`); exclusive territories are a balanced
p-median (:mod:`.territories`, OR-Tools); the margin stack is in :mod:`.economics`. See
``docs/channel_strategy.md``.
"""

from .economics import STACK_STEPS, margin_stack, unit_stack
from .frontier import ChannelFrontier, frontier, greedy_selection, unit_contribution
from .huff import competitor_attraction_scalar, huff_probabilities, huff_utility
from .market import Market, prepare_market, reference_prices
from .params import CHANNELS, DEFAULT_ACCOUNT_COST, STRATEGIES, TIERS, ChannelParams, validate_params
from .strategies import ChannelComparison, StrategyResult, evaluate_outlets, evaluate_strategies
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
    "unit_contribution",
]
