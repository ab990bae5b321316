"""Months as integers: ``year * 12 + (month - 1)``, so arithmetic on dates is integer arithmetic."""

from __future__ import annotations

import datetime as _dt
import re

_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
YEARS = (1900, 2200)  # beyond these a month is a typo, not a plan


def parse_month(value: object) -> int:
    """Turn ``"YYYY-MM"`` (or a date) into a month index.

    A year alone is refused: as a start it would mean January and as an end December, and a drought written
    ``{start: 2027, end: 2027}`` lasting one month is the kind of silent surprise a scenario must not hold.
    """
    year, month = None, None
    if isinstance(value, int) and not isinstance(value, bool) and YEARS[0] <= value <= YEARS[1]:
        raise ValueError(
            f"a year alone is ambiguous here: write the month as YYYY-MM, e.g. {value}-01 for its start or "
            f"{value}-12 for its end (got {value})"
        )
    if isinstance(value, _dt.date):
        year, month = value.year, value.month
    elif isinstance(value, str):
        match = _PATTERN.match(value.strip())
        if match:
            year, month = int(match.group(1)), int(match.group(2))
    if year is not None and YEARS[0] <= year <= YEARS[1] and 1 <= month <= 12:
        return year * 12 + month - 1
    raise ValueError(
        f"expected a month as YYYY-MM between {YEARS[0]}-01 and {YEARS[1]}-12 (e.g. 2026-01), got {value!r}"
    )


def format_month(index: int) -> str:
    """Inverse of :func:`parse_month`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def decimal_year(index: int) -> float:
    """Mid-month as a decimal year, for interpolating yearly series."""
    return index // 12 + (index % 12 + 0.5) / 12
