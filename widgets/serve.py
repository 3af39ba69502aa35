"""Serve every app in ``notebooks/`` with Voila, landing on Home.

    python -m widgets.serve                # http://127.0.0.1:8866
    python -m widgets.serve --port 9000

The settings (localhost only, kernel culling, preheated kernels, no tracebacks on the page) are
read from ``notebooks/voila.json``; command-line options override them.

Two things differ from a plain ``voila notebooks/``:

- an app page sets the ``_xsrf`` cookie, so that the shutdown request the page sends when it is
  closed or left is accepted and the page's kernel is freed at once (plain Voila sets the cookie
  only on ``/voila/tree``, and refuses the request with 403);
- an app page loads nothing from the internet: Voila's page links Font Awesome from a CDN, but
  its own bundled style (``voila-style.js``) already carries Font Awesome 5 and its v4 names, so
  the two CDN links are left out of the page.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from jupyter_server.utils import url_path_join
from tornado.web import RedirectHandler
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
HOME = "home.ipynb"

#: the stylesheet links Voila's page template points at a CDN
_CDN_LINK = re.compile(r'<link[^>]*href="https://cdn\.jsdelivr\.net/npm/@fortawesome/[^"]*"[^>]*/?>\s*')


def local_only(html: str) -> str:
    """``html`` without the CDN stylesheet links of Voila's page template."""
    return _CDN_LINK.sub("", html)


class AppPageHandler(TornadoVoilaHandler):
    """Voila's page handler, setting the ``_xsrf`` cookie and serving local assets only."""

    async def prepare(self):
        await super().prepare()
        # Reading the token sets the cookie; the page's shutdown-on-leave request sends it back
        self.xsrf_token  # noqa: B018

    async def get_generator(self, path=None):
        async for html in super().get_generator(path=path):
            yield local_only(html)


class WorkbenchVoila(Voila):
    """Voila serving the notebooks folder, with ``/`` redirecting to the Home app."""

    def init_handlers(self):
        handlers = [(pattern, AppPageHandler if handler is TornadoVoilaHandler else handler, *rest)
                    for pattern, handler, *rest in super().init_handlers()]
        home = url_path_join(self.server_url, "voila/render", HOME)
        return [(self.server_url, RedirectHandler, {"url": home, "permanent": False})] + handlers


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.chdir(NOTEBOOKS)  # voila.json is read from here, and the apps' root is here
    WorkbenchVoila.launch_instance(argv=argv)


if __name__ == "__main__":
    main()
