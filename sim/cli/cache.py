"""``migsim cache``: where the cache of simulated pasts and runs is, how big, and clearing it."""

from __future__ import annotations

import argparse

from sim.cli.console import err, out


def add_cache(sub) -> None:
    p = sub.add_parser(
        "cache",
        help="show or clear the cache of simulated pasts and runs",
        description="Show where the cache of simulated pasts and runs' yearly tables is and how big it is, or clear "
        "it. Set MIGSIM_CACHE=off to disable it, MIGSIM_CACHE=DIR to move it, MIGSIM_CACHE_MB to change its size.",
    )
    p.add_argument("--clear", action="store_true", help="delete every cached file")
    p.set_defaults(func=cmd_cache)


def cmd_cache(args: argparse.Namespace) -> None:
    from sim import cache

    folder, files, size = cache.usage()
    if folder is None:
        out().print("The cache is off (MIGSIM_CACHE=off): every comparison simulates everything.")
        return
    if args.clear:
        cache.clear()
        out().print(f"Removed {files} files ({size / 2**20:.1f} MiB) from {folder}.")
        return
    problem = cache.limit_problem()
    if problem:
        err().print(problem, markup=False, highlight=False)
    out().print(
        f"{folder}: {files} files, {size / 2**20:.1f} MiB (at most {cache.limit_mb():g} MiB, MIGSIM_CACHE_MB; least recently "
        "used files go first). Simulated pasts and runs' yearly tables; `migsim cache --clear` empties it."
    )
