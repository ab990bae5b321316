"""The cache's file format: data only (JSON, raw NumPy arrays, Arrow tables) behind a SHA-256 checksum.

Pickles, which the cache used before, run code when read: whoever could write into the cache folder ran
code in every migsim process reading it. This format holds plain values only: ``None``, booleans, numbers,
strings, bytes, lists, tuples, dicts, NumPy arrays and scalars of numeric or boolean dtype, and pandas
tables (as Arrow IPC streams). Reading builds nothing else. The checksum covers every byte after it, so a
damaged file (a flipped bit, a truncated write, random bytes) is detected rather than giving other numbers.

Layout: ``MAGIC``, the SHA-256 of the rest, the header's length (8 bytes, little-endian), the header (JSON:
the value's structure, each array or table pointing at a blob), then the blobs, each starting on a 64-byte
boundary so that arrays read back aligned and writable, without a copy.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

MAGIC = b"MIGSIMC1"
PREFIX = len(MAGIC) + 32  # the magic and the SHA-256 of everything after them
ALIGN = 64
KINDS = "biuf"  # dtype kinds an array may have: bool, signed, unsigned, float (never object)
PLAIN = (type(None), bool, int, float, str)  # values JSON keeps as they are


class BadEntry(Exception):
    """The bytes are not an intact cache entry (wrong magic, checksum, structure or dtype)."""


def encode(value: Any) -> list[bytes | memoryview]:
    """``value`` as the parts of an entry, to be written one after the other."""
    blobs: list[bytes | memoryview] = []
    tree = _to_tree(value, blobs)
    offsets, position = [], 0
    for blob in blobs:
        offsets.append([position, len(blob)])
        position += _padded(len(blob))
    header = json.dumps({"value": tree, "blobs": offsets}, separators=(",", ":")).encode()
    head = len(header).to_bytes(8, "little") + header
    body: list[bytes | memoryview] = [head, bytes(_padded(PREFIX + len(head)) - PREFIX - len(head))]
    for blob in blobs:
        body += [blob, bytes(_padded(len(blob)) - len(blob))]
    digest = hashlib.sha256()
    for part in body:
        digest.update(part)
    return [MAGIC, digest.digest(), *body]


def decode(data: bytearray | np.ndarray) -> Any:
    """The value an entry holds; :class:`BadEntry` if ``data`` is not an intact entry."""
    view = memoryview(data)
    if len(data) < PREFIX + 8 or bytes(view[: len(MAGIC)]) != MAGIC:
        raise BadEntry("not a migsim cache entry")
    if hashlib.sha256(view[PREFIX:]).digest() != bytes(view[len(MAGIC) : PREFIX]):
        raise BadEntry("checksum mismatch")
    size = int.from_bytes(view[PREFIX : PREFIX + 8], "little")
    try:
        header = json.loads(bytes(view[PREFIX + 8 : PREFIX + 8 + size]))
        base = _padded(PREFIX + 8 + size)  # blobs start on a boundary counted from the file's first byte
        blobs = [(base + offset, length) for offset, length in header["blobs"]]
        if any(offset + length > len(data) for offset, length in blobs):
            raise BadEntry("a blob lies beyond the end of the file")
        return _from_tree(header["value"], data, blobs)
    except (ValueError, KeyError, TypeError, IndexError, RecursionError) as exc:  # intact, but not what we write
        raise BadEntry(f"unreadable structure ({type(exc).__name__})") from None


def _padded(length: int) -> int:
    return -(-length // ALIGN) * ALIGN


def aligned_buffer(size: int) -> np.ndarray:
    """A writable buffer of ``size`` bytes starting on an ``ALIGN`` boundary, for an entry to be read into."""
    raw = np.empty(size + ALIGN, dtype=np.uint8)
    skip = -raw.ctypes.data % ALIGN
    return raw[skip : skip + size]


def _to_tree(value: Any, blobs: list) -> Any:
    if isinstance(value, (np.ndarray, np.generic)):  # first: np.float64 is also a float, and must stay one
        array = np.ascontiguousarray(value)  # at least one dimension: a scalar's shape is taken from the value
        if array.dtype.kind not in KINDS:
            raise TypeError(f"the cache holds numeric and boolean arrays only, not {array.dtype}")
        blobs.append(memoryview(array.reshape(-1).view(np.uint8)))
        kind = "array" if isinstance(value, np.ndarray) else "scalar"
        return {"t": kind, "dtype": array.dtype.str, "shape": list(np.shape(value)), "blob": len(blobs) - 1}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        if all(type(item) in PLAIN for item in value):  # a series of numbers: as JSON has them
            return {"t": type(value).__name__, "plain": list(value)}
        return {"t": type(value).__name__, "items": [_to_tree(item, blobs) for item in value]}
    if isinstance(value, dict):
        return {"t": "dict", "items": [[_to_tree(k, blobs), _to_tree(v, blobs)] for k, v in value.items()]}
    if isinstance(value, (bytes, bytearray)):
        blobs.append(bytes(value))
        return {"t": "bytes", "blob": len(blobs) - 1}
    if type(value).__name__ == "DataFrame":
        return _frame_tree(value, blobs)
    raise TypeError(f"the cache holds plain data only, not {type(value).__name__}")


def _from_tree(tree: Any, data: bytearray | np.ndarray, blobs: list[tuple[int, int]]) -> Any:
    if not isinstance(tree, dict):
        if tree is None or isinstance(tree, (bool, int, float, str)):
            return tree
        raise BadEntry("unknown value")
    kind = tree["t"]
    if kind == "frame":
        return _frame(tree, data, blobs)
    if kind in ("list", "tuple"):
        if "plain" in tree:
            items = tree["plain"]
            if not all(type(item) in PLAIN for item in items):
                raise BadEntry("a list said to hold plain values holds others")
        else:
            items = [_from_tree(item, data, blobs) for item in tree["items"]]
        return items if kind == "list" else tuple(items)
    if kind == "dict":
        return {_from_tree(k, data, blobs): _from_tree(v, data, blobs) for k, v in tree["items"]}
    offset, length = blobs[tree["blob"]]
    if kind == "bytes":
        return bytes(data[offset : offset + length])
    if kind in ("array", "scalar"):
        dtype = np.dtype(tree["dtype"])
        shape = tuple(int(n) for n in tree["shape"])
        if dtype.kind not in KINDS or dtype.hasobject or int(np.prod(shape)) * dtype.itemsize != length:
            raise BadEntry("an array's dtype or shape does not fit its bytes")
        array = np.frombuffer(data, dtype=dtype, count=length // dtype.itemsize, offset=offset).reshape(shape)
        return array if kind == "array" else array[()]
    if kind == "arrow":
        return _table(memoryview(data)[offset : offset + length])
    raise BadEntry(f"unknown kind {kind!r}")


def _frame_tree(frame: Any, blobs: list) -> Any:
    """A table as blocks of numeric columns, strings and categories (read back 4x faster than Arrow), else Arrow."""
    import pandas as pd

    plain = isinstance(frame.index, pd.RangeIndex) and frame.columns.is_unique
    plain = plain and all(isinstance(name, str) for name in frame.columns)
    blocks: dict[str, list[str]] = {}
    others = []
    for name in frame.columns if plain else ():
        dtype = frame[name].dtype
        if isinstance(dtype, np.dtype) and dtype.kind in KINDS:
            blocks.setdefault(dtype.str, []).append(name)
        elif isinstance(dtype, pd.CategoricalDtype) and isinstance(dtype.categories.dtype, pd.StringDtype):
            codes = _to_tree(frame[name].cat.codes.to_numpy(), blobs)
            others.append([name, {"t": "categories", "codes": codes, "ordered": bool(dtype.ordered)}])
            others[-1][1] |= _strings(dtype.categories.array)
        elif isinstance(dtype, pd.StringDtype):
            others.append([name, {"t": "strings", **_strings(frame[name].array)}])
        else:
            plain = False
    if not plain:
        blobs.append(_table_bytes(frame))
        return {"t": "arrow", "blob": len(blobs) - 1}
    index = frame.index
    return {
        "t": "frame",
        "names": list(frame.columns),
        "blocks": [[names, _to_tree(frame[names].to_numpy().T.copy(), blobs)] for names in blocks.values()],
        "others": others,
        "index": [index.start, index.stop, index.step],
    }


def _strings(array: Any) -> dict:
    dtype = array.dtype
    values = [None if value is dtype.na_value or value != value else str(value) for value in array]
    return {"values": values, "storage": dtype.storage, "na": "nan" if isinstance(dtype.na_value, float) else "NA"}


def _frame(tree: dict, data: Any, blobs: list[tuple[int, int]]) -> Any:
    import pandas as pd

    def strings(part: dict) -> Any:
        dtype = pd.StringDtype(storage=part["storage"], na_value=np.nan if part["na"] == "nan" else pd.NA)
        return pd.array(part["values"], dtype=dtype)

    names = tree["names"]
    index = pd.RangeIndex(*tree["index"])
    position = {name: i for i, name in enumerate(names)}
    blocks = []  # (array, the columns it holds): numeric blocks are 2D, one row per column
    for block_names, part in tree["blocks"]:
        blocks.append((_from_tree(part, data, blobs), [position[name] for name in block_names]))
    for name, part in tree["others"]:
        if part["t"] == "strings":
            column = strings(part)
        else:
            codes = _from_tree(part["codes"], data, blobs)
            column = pd.Categorical.from_codes(codes, categories=pd.Index(strings(part)), ordered=part["ordered"])
        blocks.append((column, [position[name]]))
    placed = sorted(i for _, where in blocks for i in where)
    if placed != list(range(len(names))) or any(np.shape(array)[-1] != len(index) for array, _ in blocks):
        raise BadEntry("a table's columns do not fit its rows and names")
    return create_frame(blocks, index, pd.Index(names))


def create_frame(blocks: list, index: Any, columns: Any) -> Any:
    """A table from its blocks as they are, without copying or splitting them (pandas 3; else column by column)."""
    import pandas as pd

    try:
        from pandas.api.internals import create_dataframe_from_blocks
    except ImportError:  # pandas 2
        arrays = {i: column for array, where in blocks for i, column in zip(where, np.atleast_2d(array), strict=True)}
        frame = pd.DataFrame({i: arrays[i] for i in range(len(columns))}, index=index)
        frame.columns = columns
        return frame
    return create_dataframe_from_blocks([(array, np.asarray(where)) for array, where in blocks], index, columns)


def _table_bytes(frame: Any) -> bytes:
    import pyarrow as pa

    table = pa.Table.from_pandas(frame)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _table(blob: memoryview) -> Any:
    import pyarrow as pa

    try:
        return pa.ipc.open_stream(pa.py_buffer(blob)).read_all().to_pandas()
    except (pa.ArrowException, ValueError, TypeError) as exc:
        raise BadEntry(f"unreadable table ({type(exc).__name__})") from None
