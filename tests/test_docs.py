"""The reference page in the repository is exactly what the code generates."""

from __future__ import annotations

from sim.reference_page import render


def test_reference_page_is_current(root):
    committed = (root / "docs" / "reference.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/reference.md is stale: run `migsim reference --out docs/reference.md`"
