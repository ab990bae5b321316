"""The comparison's columns (:mod:`sim.comparison_columns`) as terminal tables, drawn with Rich."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from rich.table import Table

from sim.comparison_columns import Column, cells


def column_table(title: str, columns: Sequence[Column], table: pd.DataFrame) -> Table:
    """``table``'s rows as ``columns`` write them, under ``title``."""
    drawn = Table(title=title)
    for column in columns:
        drawn.add_column(column.header, justify=column.align)
    for row in cells(columns, table):
        drawn.add_row(*row)
    return drawn
