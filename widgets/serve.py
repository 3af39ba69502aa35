"""Serve every app in ``notebooks/`` with Voila, landing on Home.

    python -m widgets.serve                # http://127.0.0.1:8866
    python -m widgets.serve --port 9000

The settings (localhost only, kernel culling, preheated kernels, no tracebacks on the page) are
read from ``notebooks/voila.json``; command-line options override them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from jupyter_server.utils import url_path_join
from tornado.web import RedirectHandler
from voila.app import Voila

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
HOME = "home.ipynb"


class WorkbenchVoila(Voila):
    """Voila serving the notebooks folder, with ``/`` redirecting to the Home app."""

    def init_handlers(self):
        handlers = super().init_handlers()
        home = url_path_join(self.server_url, "voila/render", HOME)
        return [(self.server_url, RedirectHandler, {"url": home, "permanent": False})] + list(handlers)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.chdir(NOTEBOOKS)  # voila.json is read from here, and the apps' root is here
    WorkbenchVoila.launch_instance(argv=argv)


if __name__ == "__main__":
    main()
