"""What a comparison writes and shows comes from one place: the report's files and the columns people read."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
import pytest
from rich.console import Console

from sim.cli.render import column_table
from sim.compare import compare, posterior_draws_for
from sim.comparison_columns import PROTECTED, SUMMARY, TARGETS, TOTALS, cells, markdown_table, shown, summary
from sim.comparison_report import CHART, CSV_FILES, METADATA, PARQUET_FILES, comparison_report
from sim.reproduce import reproduce
from viz import viewmodel as vm
from viz.results import ResultStore

SCALE = 2000.0
YEARS = (2026, 2035)


@pytest.fixture(scope="module")
def shipped():
    return vm.shipped_scenarios()


@pytest.fixture(scope="module")
def result(shipped):
    scenarios = [shipped["baseline"], shipped["agreement package"]]
    return compare(scenarios, [0, 1], households_per_agent=SCALE, draws=posterior_draws_for([0, 1]))


def test_the_report_writes_every_file_of_a_comparison_with_its_record_last(result, tmp_path):
    written = comparison_report(result, YEARS).write(tmp_path / "out")
    assert [p.name for p in written] == [*CSV_FILES, *PARQUET_FILES, CHART, METADATA]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in written)
    record = json.loads((tmp_path / "out" / METADATA).read_text())
    assert record["seeds"] == [0, 1] and record["households_per_agent"] == SCALE and record["years"] == list(YEARS)
    assert [s["file"] for s in record["scenarios"]] == [s.source for s in result.inputs.scenarios]
    assert set(record["parameter_draws"]) == {"0", "1"}
    assert reproduce(tmp_path / "out").identical


def test_the_zip_holds_the_same_files_byte_for_byte(result, tmp_path):
    report = comparison_report(result, YEARS)
    report.write(tmp_path)
    with zipfile.ZipFile(io.BytesIO(report.as_zip())) as archive:
        for name in [*CSV_FILES, *PARQUET_FILES, CHART]:
            assert archive.read(name) == (tmp_path / name).read_bytes(), name
        assert archive.read(CHART) == report.chart_png()
        assert json.loads(archive.read(METADATA)) == json.loads((tmp_path / METADATA).read_text())


def test_a_comparison_read_back_from_its_tables_cannot_claim_a_record(result, tmp_path):
    from sim.compare import Comparison

    bare = Comparison(result.yearly, result.departments, result.scenarios, result.seeds)
    report = comparison_report(bare, YEARS)
    assert report.metadata is None and list(report.tables) == [*CSV_FILES, *PARQUET_FILES]
    with pytest.raises(ValueError, match="inputs"):
        report.write(tmp_path)


def test_the_apps_zip_download_reruns_identically(shipped, tmp_path):
    """The app's comparison records its scale and each seed's posterior draw, so its download is reproducible."""
    app_result = ResultStore().comparison(
        [shipped["baseline"], shipped["job programs (western highlands)"]], range(1), SCALE
    )
    with zipfile.ZipFile(io.BytesIO(vm.comparison_zip(app_result, YEARS))) as archive:
        archive.extractall(tmp_path)
    assert reproduce(tmp_path).identical
    totals = pd.read_csv(tmp_path / "totals.csv")
    shown = vm.totals(app_result, YEARS)
    assert totals.averted.tolist() == shown.averted.round().astype(int).tolist()


def test_the_terminal_the_app_and_markdown_write_the_same_cells(result):
    rows = summary(result, YEARS)
    assert set(rows.scenario) == {"baseline", "agreement package"}
    for columns in (TOTALS, TARGETS, SUMMARY):
        assert all(c.key in rows.columns for c in columns)
        columns = shown(columns, rows)
        console = Console(record=True, width=400)
        console.print(column_table("t", columns, rows))
        terminal = console.export_text()
        markdown = markdown_table(columns, rows)
        assert len(markdown.splitlines()) == 2 + len(rows)
        for row in cells(columns, rows):
            assert "| " + " | ".join(row) + " |" in markdown
            assert all(text in terminal for text in row)
    assert [c.header for c in SUMMARY][:3] == ["scenario", "irregular departures", "averted [90%]"]  # the page's
    # a column for a lever no scenario uses is left out, and comes back when one does
    assert PROTECTED not in shown(TOTALS, rows) and (rows.departures_protected == 0).all()
    assert PROTECTED in shown(TOTALS, rows.assign(departures_protected=[0, 5]))


def test_cells_say_what_is_undefined_and_markdown_keeps_its_table_shape(result):
    rows = summary(result, YEARS)
    baseline = dict(zip([c.header for c in SUMMARY], cells(SUMMARY, rows)[0], strict=True))
    assert baseline["averted [90%]"] == "0 [0 to 0]" and baseline["USD per departure averted"] == "-"
    package = dict(zip([c.header for c in SUMMARY], cells(SUMMARY, rows)[1], strict=True))
    assert package["cost (USD million)"] == f"{rows.cost_usd.iloc[1] / 1e6:,.0f}"
    met = rows.engagement_seeds_met.iloc[1]
    assert package["engagement (target +25%)"].endswith(f"({met} of 2 seeds)") and 0 < met <= 2
    odd = rows.assign(scenario=["a | b", "<c>"])
    lines = markdown_table(SUMMARY, odd).splitlines()
    assert lines[2].startswith("| a \\| b |") and lines[3].startswith("| &lt;c&gt; |")
    assert {line.count(" | ") for line in lines[2:]} == {len(shown(SUMMARY, odd)) - 1}
