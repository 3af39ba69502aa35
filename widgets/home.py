"""Home: the World at a glance, a map of every layer, and loading your own data."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Mapping

import ipywidgets as W
import numpy as np
import traitlets as T

import workbench
from workbench.schema import CHANNELS, SCHEMAS

from .components import KPI, download_link, KPICards, section
from .formatting import LAYER_COLORS, ROLE_LABELS as CHANNEL_LABELS, role_labels
from .geojson import points_layer
from .layout import app_shell
from .maps import MapView
from .model import AppModel
from .world_store import current_world, for_page, open_world, reset_current_world, set_current_world

__all__ = ["HomeModel", "HomeView", "home_app", "LAYERS"]

LAYERS = ("customers", "sites", "plants", "wholesaler", "retailer", "distributor", "ecommerce", "orders")
LAYER_LABELS = {
    "customers": "Customers", "sites": "DC sites", "plants": "Plants", "wholesaler": "Wholesalers",
    "retailer": "Retailers", "distributor": "Distributors", "ecommerce": "E-commerce", "orders": "Today's orders",
}


class HomeModel(AppModel):
    """The World shown on Home, and the user's uploads."""

    app_name = "home"
    title = "Distribution Planning Workbench"
    input_traits = ("visible_layers",)

    visible_layers = T.List(T.Unicode(), default_value=["customers", "sites", "plants"])

    def __init__(self, world: workbench.World | None = None, *, persist: bool = True, **kwargs):
        super().__init__(world if world is not None else open_world(), **kwargs)
        self.persist = persist

    def kpis(self) -> dict[str, float]:
        return self.world.summary() if self.world is not None else {}

    def refresh(self) -> None:
        """Re-read the World every app opens with (data loaded on Home in another tab appears)."""
        self.world = current_world()

    def load_files(self, files: Mapping[str, bytes]) -> bool:
        """Validate uploaded CSV/Excel files: one company's data, which becomes the World of every app."""
        if not files:
            self.problems = ["No file was uploaded. Choose one or more .csv files (named like customers.csv) "
                             "or one .xlsx workbook."]
            return False
        world = self.run(workbench.load_files, dict(files), label="Checking the data")
        if world is None:
            return False
        if self.persist:
            try:
                set_current_world(world)
            except OSError as exc:
                self.problems = [f"The data is valid but could not be saved for the other apps "
                                 f"({exc.strerror or exc}). Check the free disk space and the permissions of "
                                 f"the workbench folder, then upload again; the apps keep the data they had."]
                return False
        self.world = world
        money = f" Money is in {world.currency}." if world.currency != workbench.DEFAULT_CURRENCY else ""
        self.notes = [f"Loaded {', '.join(files)}: {len(world.customers)} customers, {len(world.sites)} sites, "
                      f"{len(world.outlets)} outlets, {len(world.orders)} orders.{money} "
                      "Every app now opens with this data."]
        return True

    def reset(self) -> None:
        """Back to the sample company, in every app."""
        if self.persist:
            reset_current_world()
        self.world = workbench.load_sample()
        self.problems = []
        self.notes = ["Back to the sample company."]

    def template_bytes(self) -> bytes:
        """The current World as an Excel workbook (the template for bringing your own data)."""
        with tempfile.TemporaryDirectory() as d:
            path = self.world.to_excel(Path(d) / "world.xlsx")
            return path.read_bytes()


class HomeView(W.VBox):
    """Thin view of :class:`HomeModel`."""

    def __init__(self, model: HomeModel):
        self.model = model
        self.cards = KPICards(app="home")
        self.map = MapView(height="460px")
        self.upload = W.FileUpload(accept=".csv,.xlsx,.xlsm", multiple=True, description="Upload data",
                                   layout=W.Layout(width="100%"))
        self.reset_button = W.Button(description="Back to the sample", icon="undo", layout=W.Layout(width="100%"))
        self.template_button = W.Button(description="Prepare Excel template", icon="file-excel-o",
                                        layout=W.Layout(width="100%"))
        self.template_link = W.HTML()
        help_text = W.HTML(
            "<div class='wb-busy'>Bring your own data: upload CSV files named after the tables "
            f"({', '.join(SCHEMAS)}) or one Excel workbook with a sheet per table. An upload is one "
            "company: customers, sites and products are required, tables you leave out are empty. "
            "Start from the template to get the columns right.</div>")
        self.upload.observe(self._on_upload, names="value")
        self.reset_button.on_click(lambda _: model.reset())
        self.template_button.on_click(self._on_template)
        model.observe(self._render, names="world")
        controls = [section("Your data"), help_text, self.upload, self.template_button, self.template_link,
                    self.reset_button]
        body = [self.cards, section("Map"), self.map]
        super().__init__([app_shell(model, controls=controls, body=body, scenarios=False,
                                    subtitle="The company's network, markets and fleet at a glance. "
                                             "Open a planning app from the links above.")])
        self._render()
        for box in self.map.toggles.values():
            box.observe(self._sync_layers, names="value")
        model.observe(self._apply_layers, names="visible_layers")

    # -- events ----------------------------------------------------------------------
    def _on_upload(self, change) -> None:
        files = {f["name"]: bytes(f["content"]) for f in change["new"]}
        if files:
            self.model.load_files(files)

    def _on_template(self, _=None) -> None:
        data = self.model.run(self.model.template_bytes, label="Writing the workbook")
        if data is not None:
            self.template_link.value = download_link(
                data, "workbench_template.xlsx", "Download workbench_template.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    # -- rendering ------------------------------------------------------------------
    def _render(self, *_):
        w = self.model.world
        s = w.summary()
        by_name = w.outlets["channel"].value_counts(sort=False) if len(w.outlets) else {}
        outlets_sub = ", ".join(f"{int(n)} {ch}" for ch, n in dict(by_name).items())  # the company's own names
        self.cards.update([
            KPI("Customers", s["customers"], "", f"{s['population'] / 1e6:,.1f}M people", kpi="customers"),
            KPI("Annual demand", s["annual_demand"], "units", kpi="annual_demand"),
            KPI("Candidate DC sites", s["candidate_sites"], "", f"{int(s['existing_sites'])} open today",
                kpi="candidate_sites"),
            KPI("Plants", s["plants"], kpi="plants"),
            KPI("Outlets", s["outlets"], "", outlets_sub, kpi="outlets"),
            KPI("Fleet", s["vehicles"], "vehicles", f"{int(s['vehicle_types'])} types", kpi="vehicles"),
            KPI("Products", s["products"], "", f"{int(s['history_weeks'])} weeks of history", kpi="products"),
            KPI("Orders today", s["orders"], kpi="orders"),
        ])
        m = self.map
        if len(w.customers):
            m.set_outline(w.customers, "region")
            m.fit(w.customers.lat, w.customers.lon)
        visible = set(self.model.visible_layers)
        cust = w.customers
        r = 3 + 9 * np.sqrt(cust.annual_demand / max(cust.annual_demand.max(), 1.0))
        m.set_layer("customers", points_layer(cust, color=LAYER_COLORS["customers"], radius=r,
                                              props=("name", "annual_demand")),
                    label=LAYER_LABELS["customers"], visible="customers" in visible)
        sites = w.sites
        colors = [LAYER_COLORS["existing"] if e else LAYER_COLORS["sites"] for e in sites.existing]
        m.set_layer("sites", points_layer(sites, color=colors, radius=7, props=("name", "capacity", "fixed_cost")),
                    label=LAYER_LABELS["sites"], visible="sites" in visible)
        m.set_layer("plants", points_layer(w.plants, color=LAYER_COLORS["plants"], radius=9, props=("name", "capacity")),
                    label=LAYER_LABELS["plants"], visible="plants" in visible)
        roles = w.channel_roles
        role_of = w.outlets["channel"].map(roles) if len(w.outlets) else w.outlets["channel"]
        names = role_labels(roles)
        for ch in CHANNELS:  # one layer per economic role, labelled with the company's channels of that role
            df = w.outlets[(role_of == ch).to_numpy()]
            m.set_layer(ch, points_layer(df, color=LAYER_COLORS[ch], radius=4,
                                         props=("name", "channel", "tier", "attractiveness")),
                        label=names[ch] if names[ch] != CHANNEL_LABELS[ch] else LAYER_LABELS[ch], visible=ch in visible)
        m.set_layer("orders", points_layer(w.orders, color=LAYER_COLORS["orders"], radius=4,
                                           props=("name", "demand")),
                    label=LAYER_LABELS["orders"], visible="orders" in visible)

    def _sync_layers(self, _=None):
        self.model.visible_layers = [n for n, b in self.map.toggles.items() if b.value]

    def _apply_layers(self, change):
        for name, box in self.map.toggles.items():
            box.value = name in change["new"]


def home_app(world: workbench.World | None = None) -> HomeView:
    """Build the Home app (the notebook's one line)."""
    return for_page(lambda: HomeView(HomeModel(world)))
