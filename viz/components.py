"""Small components the app's pages share."""

from __future__ import annotations

import markdown
import solara


@solara.component
def Md(text: str):
    """Markdown as plain HTML (solara.Markdown would load mermaid and KaTeX from the CDN on every page)."""
    solara.HTML(tag="div", unsafe_innerHTML=markdown.markdown(text, extensions=["tables"]), classes=["migsim-md"])
