"""The shared data model: one schema per table, declared once.

The same declarations drive the loaders (type conversion and validation with row-level
messages), the tests and the data dictionary in ``data/README.md``
(:func:`data_dictionary_markdown`).

We keep the schema language small and our own rather than use a DataFrame-validation
library: it also carries units and descriptions for the docs, cross-table references and the
"what to do" hint of each check, and it validates a whole workbook in a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Column",
    "TableSchema",
    "SCHEMAS",
    "CHANNELS",
    "CHANNEL_ROLES",
    "TIERS",
    "REQUIRED_TABLES",
    "data_dictionary_markdown",
]

# The four economic roles of the channel model (each has its own economics). A company's channels
# have its own names ("Atacado", "Key accounts"); the `channels` table (or the name itself, when
# it names a role) maps each to one role. Regions and states are the company's own too.
CHANNEL_ROLES = ("wholesaler", "retailer", "distributor", "ecommerce")
CHANNELS = CHANNEL_ROLES  # the old name of the roles
# Tiers stay the channel model's vocabulary (the selective and exclusive criteria name them).
TIERS = ("flagship", "premium", "mass")

# Column kinds: how a raw cell is read.
#   id     non-empty text, compared exactly
#   str    text
#   float  a number
#   int    a whole number
#   bool   true/false, yes/no, 1/0
#   date   a date (2025-11-24; see workbench/validate.py for the other formats read)
#   time   a time of day "HH:MM"; stored as minutes after midnight
#   choice one of `choices`
KINDS = ("id", "str", "float", "int", "bool", "date", "time", "choice")


@dataclass(frozen=True)
class Column:
    """One column of a table: its kind, unit, meaning and the checks on its values."""

    name: str
    kind: str
    description: str
    unit: str = ""
    required: bool = True        # the column must be present
    nullable: bool = False       # empty cells allowed
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False  # value must be > min (not >=)
    choices: tuple[str, ...] | None = None
    unique: bool = False
    references: str | None = None  # "table.column" that must contain every value
    default: Any = None          # value used when an optional column is absent
    allow_inf: bool = False      # +infinity is a value (an uncapacitated site)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    def bounds_text(self) -> str:
        lo = ""
        if self.min is not None:
            lo = f"> {self.min:g}" if self.min_exclusive else f">= {self.min:g}"
        hi = f"<= {self.max:g}" if self.max is not None else ""
        return " and ".join(p for p in (lo, hi) if p)


@dataclass(frozen=True)
class TableSchema:
    """A table of the World: its columns, key and meaning."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    min_rows: int = 1
    required: bool = True
    checks: tuple[str, ...] = field(default=())  # names of row checks in validate.py

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _lat(desc="Latitude (WGS84)") -> Column:
    return Column("lat", "float", desc, "degrees", min=-90, max=90)


def _lon(desc="Longitude (WGS84)") -> Column:
    return Column("lon", "float", desc, "degrees", min=-180, max=180)


_region = Column("region", "str", "Sales region, in the company's own words (one spelling in every table)")
_state = Column("state", "str", "State, province or other first-level area (e.g. 'CO', 'SP', 'Bayern')",
                required=False, nullable=True, default="")

SCHEMAS: dict[str, TableSchema] = {
    "customers": TableSchema(
        "customers",
        "Customer demand zones: one row per city (or ship-to point) with its yearly demand.",
        (
            Column("customer_id", "id", "Unique customer (demand zone) id", unique=True),
            Column("name", "str", "Display name, e.g. 'Denver, CO'"),
            _state,
            _region,
            _lat(),
            _lon(),
            Column("population", "int", "Population of the zone (for coverage KPIs)", "people", min=0),
            Column("annual_demand", "float", "Demand per year across all products", "units/yr", min=0),
        ),
        key=("customer_id",),
    ),
    "sites": TableSchema(
        "sites",
        "Candidate distribution-centre (DC) sites, including the DCs open today.",
        (
            Column("site_id", "id", "Unique site id", unique=True),
            Column("name", "str", "Display name"),
            _state,
            _region,
            _lat(),
            _lon(),
            Column("fixed_cost", "float", "Fixed cost of operating the DC for a year (lease, staff, systems)", "money/yr", min=0),
            Column("capacity", "float", "Throughput capacity", "units/yr", min=0, min_exclusive=True),
            Column("handling_cost", "float", "Variable handling cost per unit through the DC", "money/unit", min=0),
            Column("existing", "bool", "True when the DC is open today (existing network)", required=False, default=False),
        ),
        key=("site_id",),
    ),
    "plants": TableSchema(
        "plants",
        "Plants (or import ports) that supply the DCs in a two-echelon network.",
        (
            Column("plant_id", "id", "Unique plant id", unique=True),
            Column("name", "str", "Display name"),
            _state,
            _region,
            _lat(),
            _lon(),
            Column("capacity", "float", "Production capacity", "units/yr", min=0, min_exclusive=True),
        ),
        key=("plant_id",),
        required=False,
    ),
    "products": TableSchema(
        "products",
        "Product families with their economics and physical size.",
        (
            Column("product_id", "id", "Unique product family id", unique=True),
            Column("name", "str", "Display name"),
            Column("price", "float", "Manufacturer's list price to the trade", "money/unit", min=0, min_exclusive=True),
            Column("unit_cost", "float", "Cost of goods (production and inbound)", "money/unit", min=0),
            Column("weight_kg", "float", "Shipping weight of one unit", "kg/unit", min=0),
            Column("volume_m3", "float", "Shipping volume of one unit", "m3/unit", min=0),
            Column("demand_share", "float", "Share of total units (shares sum to 1)", "fraction", min=0, max=1),
        ),
        key=("product_id",),
    ),
    "demand_history": TableSchema(
        "demand_history",
        "Weekly demand history per product family and region (long format).",
        (
            Column("product_id", "id", "Product family", references="products.product_id"),
            Column("region", "str", "Sales region (a region of the customers table)", references="customers.region"),
            Column("ds", "date", "Week start (Monday)", "date"),
            Column("y", "float", "Units shipped in the week", "units/week", min=0),
            Column("promotion", "bool", "True when a trade promotion ran that week", required=False, default=False),
        ),
        key=("product_id", "region", "ds"),
        required=False,
    ),
    "outlets": TableSchema(
        "outlets",
        "Points of sale and trade partners across the four channels.",
        (
            Column("outlet_id", "id", "Unique outlet id", unique=True),
            Column("name", "str", "Display name"),
            Column("channel", "str", "Distribution channel, in the company's own words (e.g. 'Atacado', 'Key "
                   "accounts'); its economic role comes from the channels table, or from the name when it is one "
                   "of the roles (retailer, wholesaler, distributor, ecommerce)"),
            Column("tier", "choice", "Outlet tier (brand fit)", choices=TIERS),
            Column("attractiveness", "float", "Pull of the outlet on shoppers (floor space, brand, reach), 1-100", "score", min=0, min_exclusive=True, max=100),
            _lat(),
            _lon(),
            Column("city", "str", "City", required=False, nullable=True, default=""),
            _state,
            _region,
        ),
        key=("outlet_id",),
        required=False,
    ),
    "vehicles": TableSchema(
        "vehicles",
        "Delivery fleet: one row per vehicle type and home depot.",
        (
            Column("vehicle_type", "id", "Vehicle type name (the same type may be based at several depots)"),
            Column("capacity", "float", "Load capacity", "units", min=0, min_exclusive=True),
            Column("count", "int", "Number of vehicles of this type available", "vehicles", min=0),
            Column("fixed_cost", "float", "Cost of using one vehicle for a day (driver day rate, lease)", "money/day", min=0),
            Column("cost_per_km", "float", "Running cost per km", "money/km", min=0),
            Column("cost_per_hour", "float", "Driver cost per hour on the road", "money/h", min=0),
            Column("shift_start", "time", "Earliest departure from the depot", "HH:MM"),
            Column("shift_end", "time", "Latest return to the depot", "HH:MM"),
            Column("max_duration_h", "float", "Longest allowed route (driving hours rules)", "h", min=0, min_exclusive=True),
            Column("depot_id", "id", "Home depot (a site id)", references="sites.site_id"),
        ),
        key=("vehicle_type", "depot_id"),
        required=False,
        checks=("shift_order",),
    ),
    "orders": TableSchema(
        "orders",
        "One delivery day's orders (stops) for a depot.",
        (
            Column("order_id", "id", "Unique order id", unique=True),
            Column("name", "str", "Customer / stop name"),
            _lat(),
            _lon(),
            Column("demand", "float", "Units to deliver", "units", min=0),
            Column("tw_start", "time", "Time window opens", "HH:MM"),
            Column("tw_end", "time", "Time window closes", "HH:MM"),
            Column("service_min", "float", "Time on site to unload", "min", min=0),
            Column("depot_id", "id", "Depot that serves the order (a site id)", references="sites.site_id"),
        ),
        key=("order_id",),
        required=False,
        checks=("window_order",),
    ),
    "channels": TableSchema(
        "channels",
        "Optional: the economic role of each channel of the outlets table, one row per channel. Needed for "
        "every channel whose name is not a role (or a plain synonym: retail, wholesale, e-commerce, online).",
        (
            Column("channel", "id", "A channel name as written in outlets.channel", unique=True),
            Column("role", "choice", "What the channel does in the channel model: retailer (sells to shoppers "
                   "in stores), wholesaler or distributor (sells to retailers), ecommerce (sells online)",
                   choices=CHANNEL_ROLES),
        ),
        key=("channel",),
        required=False,
    ),
    "company": TableSchema(
        "company",
        "The company the data belongs to: one row with its name, country and currency. Every money "
        "column of the other tables is in this currency (USD when the table is absent).",
        (
            Column("name", "str", "Company name"),
            Column("country", "str", "Country the company plans for", required=False, nullable=True, default=""),
            Column("currency", "str", "ISO 4217 currency code of every money column (USD, EUR, BRL, ...)"),
        ),
        required=False,
        checks=("currency_code",),
    ),
    "channel_sales": TableSchema(
        "channel_sales",
        "Optional sell-out of the stores and e-commerce listings the brand sells through today, one row per "
        "outlet and year: the channel strategy fits its capture model to it (workbench.channels.calibrate_capture).",
        (
            Column("outlet_id", "id", "A store or e-commerce listing of the outlets table", unique=True,
                   references="outlets.outlet_id"),
            Column("units", "float", "Units shoppers bought there in a year (sell-out, not sell-in)", "units/yr", min=0),
        ),
        key=("outlet_id",),
        required=False,
    ),
}

REQUIRED_TABLES = tuple(name for name, s in SCHEMAS.items() if s.required)

_KIND_TEXT = {
    "id": "text id",
    "str": "text",
    "float": "number",
    "int": "whole number",
    "bool": "true/false",
    "date": "date (YYYY-MM-DD)",
    "time": "time (HH:MM)",
    "choice": "one of",
}


def kind_text(col: Column) -> str:
    if col.kind == "choice" and col.choices:
        return "one of " + ", ".join(col.choices)
    return _KIND_TEXT[col.kind]


def data_dictionary_markdown() -> str:
    """The data dictionary (every table and column with its unit), as Markdown."""
    out = []
    for s in SCHEMAS.values():
        req = "required" if s.required else "optional"
        out.append(f"### `{s.name}` ({req})\n")
        out.append(s.description + "\n")
        if s.key:
            out.append(f"Key: {', '.join('`' + k + '`' for k in s.key)}.\n")
        out.append("| column | type | unit | meaning | rules |")
        out.append("|---|---|---|---|---|")
        for c in s.columns:
            rules = []
            if not c.required:
                rules.append(f"optional column (default {c.default!r})")
            if c.nullable:
                rules.append("may be empty")
            if c.bounds_text():
                rules.append(c.bounds_text())
            if c.unique:
                rules.append("unique")
            if c.references:
                rules.append(f"must exist in `{c.references}`")
            out.append(f"| `{c.name}` | {kind_text(c)} | {c.unit} | {c.description} | {'; '.join(rules)} |")
        out.append("")
    return "\n".join(out)


_START = "<!-- data dictionary: generated from workbench/schema.py -->"
_END = "<!-- end of data dictionary -->"


def write_data_readme(path) -> None:
    """Replace the generated data dictionary section of ``data/README.md``."""
    from pathlib import Path

    path = Path(path)
    text = path.read_text() if path.exists() else f"# Data\n\n{_START}\n{_END}\n"
    head, _, rest = text.partition(_START)
    _, _, tail = rest.partition(_END)
    path.write_text(f"{head}{_START}\n\n{data_dictionary_markdown()}\n{_END}{tail}")


if __name__ == "__main__":  # python -m workbench.schema data/README.md
    import sys

    write_data_readme(sys.argv[1] if len(sys.argv) > 1 else "data/README.md")
