"""Files and folders a user names: read only regular files, never more than a bound, and write only where we can.

A path given on the command line or in ``extends:`` may be anything: a FIFO (reading it waits forever for
a writer), ``/dev/zero`` or a symlink to it (never ends), a folder, a huge file. :func:`read_regular` opens
without blocking, looks at what the path is before reading a byte, and reads at most its bound.
:func:`unwritable_folder` tries to write where it is asked to rather than asking ``os.access``, which says
yes to root everywhere (``/proc``) and so let a command simulate for minutes before failing to save.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


class FileProblem(Exception):
    """A file that cannot be read as asked, with the reason in plain words (no path: the caller names it)."""


def kind_of(mode: int) -> str:
    """What a file is, in words, from its ``st_mode``."""
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_regular(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of the regular file at ``path`` (symlinks followed), refused if it is anything else or over ``limit``.

    Opened with ``O_NONBLOCK`` so that a FIFO is refused instead of waited on; a regular file ignores the flag.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)  # FileNotFoundError, PermissionError, ...: the caller words them
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(f"{kind_of(info.st_mode)}, not a file")
        if info.st_size > limit:
            raise FileProblem(f"file is {info.st_size:,} bytes; it must be under {limit:,}")
        chunks, size = [], 0
        while size <= limit:  # a file growing while read is still bounded
            chunk = os.read(descriptor, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(descriptor)
    data = b"".join(chunks)
    if len(data) > limit:
        raise FileProblem(f"file is over {limit:,} bytes; it must be under {limit:,}")
    return data


def unwritable_folder(folder: str | os.PathLike) -> str | None:
    """Why results cannot be written into ``folder`` (made if missing), or None when they can.

    Checked by creating and removing a file in the folder, or in its nearest existing parent when it does
    not exist yet (nothing is created there): before any simulation, not after it.
    """
    folder = Path(folder)
    existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("."))
    if not existing.is_dir():
        what = "a file" if existing.is_file() else "not a folder"
        where = f"is {what}" if existing == folder else f"is inside {existing}, which is {what}"
        return f"{folder} {where}: give a folder"
    try:
        handle, probe = tempfile.mkstemp(dir=existing, prefix=".migsim-probe-")
    except OSError as exc:
        return f"cannot write in {existing} ({exc.strerror or exc}): give a folder you can write to"
    os.close(handle)
    os.unlink(probe)
    return None
