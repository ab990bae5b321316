"""Small components the app's pages share."""

from __future__ import annotations

import markdown
import solara
import solara.widgets


@solara.component
def Md(text: str):
    """Markdown as plain HTML (solara.Markdown would load mermaid and KaTeX from the CDN on every page)."""
    solara.HTML(tag="div", unsafe_innerHTML=markdown.markdown(text, extensions=["tables"]), classes=["migsim-md"])


@solara.component
def Chart(spec: dict):
    """An Altair chart from its spec (``chart.to_dict()``).

    solara.FigureAltair switches Altair's global renderer while it renders, which breaks when two sessions draw
    at once.
    """
    return solara.widgets.VegaLite.element(spec=spec, listen_to_click=False, listen_to_hover=False)
