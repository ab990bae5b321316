"""The cache never changes a number and never runs code: damaged entries are dropped, planted ones never read."""

from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim import cache
from sim.cache_entry import BadEntry, aligned_buffer, decode, encode
from sim.compare import compare
from tests.conftest import shortened


def scenarios():
    return [shortened(name, "2024-01", "2026-12") for name in ("baseline", "border_enforcement")]


@pytest.fixture(scope="module")
def reference():
    """The comparison simulated from scratch, with no cache at all."""
    with cache.bypassed():
        return compare(scenarios(), [0], households_per_agent=2000)


def _flip_one_bit(data: bytes) -> bytes:
    middle = len(data) // 2  # inside the numbers, whatever the format
    return data[:middle] + bytes([data[middle] ^ 0x04]) + data[middle + 1 :]


DAMAGE = {
    "random bytes": lambda data: np.random.default_rng(0).bytes(len(data)),
    "flipped bytes": lambda data: data[:100] + bytes(b ^ 0xFF for b in data[100:116]) + data[116:],
    "one flipped bit": _flip_one_bit,
    "truncated": lambda data: data[: len(data) // 2],
    "a foreign pickle": lambda data: pickle.dumps({"departures": [1.0, 2.0]}),
    "empty": lambda data: b"",
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_entry_is_dropped_with_a_warning_and_the_numbers_stay_right(
    damage, reference, tmp_path, monkeypatch, caplog
):
    monkeypatch.setenv("MIGSIM_CACHE", str(tmp_path))
    compare(scenarios(), [0], households_per_agent=2000)  # fills the cache: pasts and tables
    entries = [path for path in tmp_path.iterdir() if path.is_file()]
    assert entries
    for path in entries:
        path.write_bytes(DAMAGE[damage](path.read_bytes()))
    with caplog.at_level(logging.WARNING, logger="sim.cache"):
        again = compare(scenarios(), [0], households_per_agent=2000)
    pd.testing.assert_frame_equal(again.yearly, reference.yearly, check_exact=True)
    pd.testing.assert_frame_equal(again.departments, reference.departments, check_exact=True)
    dropped = [r.getMessage() for r in caplog.records if "dropped a damaged cache entry" in r.getMessage()]
    assert dropped and all("computing it again" in line and "\n" not in line for line in dropped)
    healed = compare(scenarios(), [0], households_per_agent=2000)  # the entries were stored again, intact
    pd.testing.assert_frame_equal(healed.yearly, reference.yearly, check_exact=True)


class Planted:
    """What someone able to write into the cache folder could leave there: a pickle that runs code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_planted_pickle_is_never_run(tmp_path, monkeypatch):
    monkeypatch.setenv("MIGSIM_CACHE", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir(mode=0o700)
    marker = tmp_path / "code-ran"
    name = cache.key(anything="planted")
    for suffix in (".entry", ".pickle"):  # under the entry's name, and under the earlier format's
        (tmp_path / "cache" / f"{name}{suffix}").write_bytes(pickle.dumps(Planted(marker)))
    assert cache.load(name) is None
    assert not marker.exists()


def test_a_cache_folder_others_can_write_to_or_own_is_not_used(tmp_path, monkeypatch, caplog):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("MIGSIM_CACHE", str(folder))
    cache.store("a", [1.0, 2.0])
    assert cache.load("a") == [1.0, 2.0]
    (folder / "a.entry").chmod(0o666)  # an entry others may rewrite
    with caplog.at_level(logging.WARNING, logger="sim.cache"):
        assert cache.load("a") is None
    assert "other users can write to it" in caplog.text
    (folder / "a.entry").chmod(0o600)
    folder.chmod(0o1777)  # like /tmp: anyone may add files
    with caplog.at_level(logging.WARNING, logger="sim.cache"):
        assert cache.load("a") is None and not cache.has("a")
        cache.store("b", [3.0])
    assert not (folder / "b.entry").exists()
    assert f"not using the cache in {folder}: other users can write to it" in caplog.text
    folder.chmod(0o700)
    assert cache.load("a") == [1.0, 2.0]
    monkeypatch.setattr(cache.os, "getuid", lambda: os.stat(folder).st_uid + 1)  # as another user would see it
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="sim.cache"):
        assert cache.load("a") is None
    assert "belongs to another user" in caplog.text


def test_a_new_cache_folder_is_its_owners_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("MIGSIM_CACHE", str(tmp_path / "new" / "cache"))
    cache.store("a", {"x": np.arange(3)})
    assert (tmp_path / "new" / "cache").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "new" / "cache" / "a.entry").stat().st_mode & 0o077 == 0


def read_back(value):
    raw = b"".join(bytes(part) for part in encode(value))
    buffer = aligned_buffer(len(raw))
    buffer[:] = np.frombuffer(raw, dtype=np.uint8)
    return decode(buffer)


def same(a, b) -> bool:
    """Equal values of equal types, arrays by dtype, shape and bits (NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray | np.generic):
        return a.dtype == b.dtype and np.shape(a) == np.shape(b) and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    if isinstance(a, float):
        return a == b or (a != a and b != b)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


DTYPES = st.sampled_from(["bool", "int8", "int16", "int32", "int64", "uint8", "uint64", "float32", "float64"])
arrays = DTYPES.flatmap(lambda dtype: hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0)))
scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.binary(max_size=50)
values = st.recursive(
    scalars | arrays | arrays.map(lambda a: a[()] if a.ndim == 0 else a),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(values)
def test_any_plain_value_reads_back_exactly(value):
    assert same(read_back(value), value)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 40), st.sampled_from(["str", "category", "float64", "int64", "bool"]))
def test_tables_read_back_with_their_types(rows, kind):
    frame = pd.DataFrame(
        {
            "scenario": pd.array(["baseline", None, "package"] * rows, dtype="str"),
            "department": pd.Categorical(["Petén", "Izabal", "Petén"] * rows),
            "x": np.linspace(0, 1, 3 * rows),
            "y": np.arange(3 * rows),
            "z": pd.Series(np.arange(3 * rows) % 2 == 0).astype(kind),
        }
    )
    back = read_back((frame, frame.iloc[1:].reset_index(drop=True)))
    pd.testing.assert_frame_equal(back[0], frame, check_exact=True)
    pd.testing.assert_frame_equal(back[1], frame.iloc[1:].reset_index(drop=True), check_exact=True)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_flipped_bit_is_detected(data):
    raw = bytearray(b"".join(bytes(part) for part in encode({"departures": np.arange(50.0), "seed": 3})))
    position = data.draw(st.integers(0, len(raw) * 8 - 1))
    raw[position // 8] ^= 1 << (position % 8)
    with pytest.raises(BadEntry):
        decode(raw)


def test_objects_other_than_data_are_refused_when_stored():
    with pytest.raises(TypeError, match="plain data only"):
        encode({"a": object()})
    with pytest.raises(TypeError, match="numeric and boolean arrays only"):
        encode(np.array(["a", 1], dtype=object))


def test_tables_read_back_the_same_without_pandas_3s_block_constructor(monkeypatch):
    import builtins

    frame = pd.DataFrame({"scenario": pd.array(["a", "b"], dtype="str"), "x": [1.0, 2.0], "y": [3, 4]})
    real_import = builtins.__import__

    def pandas_2(name, *args, **kwargs):
        if name == "pandas.api.internals":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", pandas_2)
    pd.testing.assert_frame_equal(read_back(frame), frame, check_exact=True)
