"""Reading allowed ranges back out of pydantic fields, for messages and listings."""

from __future__ import annotations

from typing import Any


def field_range(info: Any) -> tuple[float | None, float | None]:
    """(low, high) bounds declared on a field with ge/gt/le/lt, or None where there is none."""
    low = high = None
    for meta in getattr(info, "metadata", ()):
        low = getattr(meta, "ge", getattr(meta, "gt", low))
        high = getattr(meta, "le", getattr(meta, "lt", high))
    return low, high


def allowed_text(info: Any, with_meaning: bool = True) -> str:
    """E.g. '1 to 3 (factor on the probability ...)'."""
    if info is None:
        return ""
    low, high = field_range(info)
    span = f"{low:g} to {high:g}" if low is not None and high is not None else ""
    if not with_meaning or not info.description:
        return span
    return f"{span} ({info.description})" if span else info.description
