"""Months as integers: ``year * 12 + (month - 1)``, so arithmetic on dates is integer arithmetic."""

from __future__ import annotations

import datetime as _dt
import re

_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: object) -> int:
    """Turn ``"YYYY-MM"`` (or a date, or ``YYYY`` meaning January) into a month index."""
    if isinstance(value, _dt.date):
        return value.year * 12 + value.month - 1
    if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2200:
        return value * 12
    if isinstance(value, str):
        match = _PATTERN.match(value.strip())
        if match and 1 <= int(match.group(2)) <= 12:
            return int(match.group(1)) * 12 + int(match.group(2)) - 1
    raise ValueError(f"expected a month as YYYY-MM (e.g. 2026-01), got {value!r}")


def format_month(index: int) -> str:
    """Inverse of :func:`parse_month`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def decimal_year(index: int) -> float:
    """Mid-month as a decimal year, for interpolating yearly series."""
    return index // 12 + (index % 12 + 0.5) / 12
