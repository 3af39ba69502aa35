"""Market capture by the Huff gravity model (Huff 1963), vectorised with NumPy.

The probability that shoppers of zone *i* buy at outlet *j*::

    P_ij = U_ij / (sum_k U_ik + C_i),    U_ij = A_j**alpha * max(d_ij, d_min)**-beta

where the sum runs over the outlets the brand carries and ``C_i`` is the competitors'
attraction in zone *i*. The competitors' share of the zone is ``C_i / (sum_k U_ik + C_i)``, so
each zone's shares sum to one. Fewer outlets leave more to the competitors (less reach); more
outlets near the same shoppers split a share that grows ever more slowly (self-cannibalisation).

Reference: D. L. Huff (1963), "A probabilistic analysis of shopping center trade areas",
*Land Economics* 39(1), 81-90.
"""

from __future__ import annotations

import numpy as np

__all__ = ["huff_utility", "huff_probabilities", "competitor_attraction_scalar", "DEFAULT_MIN_DISTANCE_KM"]

# The one distance floor of the capture model (ChannelParams.min_distance_km defaults to it): an
# outlet in a zone's own city does not get infinite pull, since shoppers also travel inside it.
DEFAULT_MIN_DISTANCE_KM = 5.0


def huff_utility(attractiveness, distance_km, *, alpha: float, beta: float,
                 min_distance_km: float = DEFAULT_MIN_DISTANCE_KM) -> np.ndarray:
    """``U_ij = A_j**alpha * max(d_ij, min_distance_km)**-beta`` for a zones x outlets matrix."""
    a = np.asarray(attractiveness, dtype=float)
    d = np.maximum(np.asarray(distance_km, dtype=float), float(min_distance_km))
    return (a ** float(alpha))[None, :] * d ** (-float(beta))


def huff_probabilities(attractiveness, distance_km, competitor, *, alpha: float, beta: float,
                       min_distance_km: float = DEFAULT_MIN_DISTANCE_KM) -> tuple[np.ndarray, np.ndarray]:
    """Capture probabilities ``P`` (zones x outlets) and the competitors' share per zone.

    ``competitor`` is ``C_i`` per zone (or one number for every zone). A zone with neither own
    outlets nor competitors (all utilities zero) is left entirely to nobody: its shares are 0.
    """
    u = huff_utility(attractiveness, distance_km, alpha=alpha, beta=beta, min_distance_km=min_distance_km)
    c = np.broadcast_to(np.asarray(competitor, dtype=float), (u.shape[0],))
    denom = u.sum(axis=1) + c
    safe = np.where(denom > 0, denom, 1.0)
    p = u / safe[:, None]
    comp = np.where(denom > 0, c / safe, 0.0)
    return p, comp


def competitor_attraction_scalar(strength: float, mean_attractiveness: float, *, alpha: float, beta: float,
                                 distance_km: float) -> float:
    """``C = strength * mean_A**alpha * distance_km**-beta``: the pull of ``strength`` competitor
    outlets of mean attractiveness at ``distance_km`` from the zone."""
    return float(strength) * float(mean_attractiveness) ** float(alpha) * float(distance_km) ** (-float(beta))
