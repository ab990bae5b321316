"""``migsim app``: check the address, then hand over to the web app's server (``python -m viz``)."""

from __future__ import annotations

import argparse
import os
import socket
import sys

from sim.cli import options
from sim.cli.options import UserError


def add_app(sub) -> None:
    p = sub.add_parser(
        "app",
        help="start the web app (compare scenarios, map by department, watch one run)",
        description="Start the Solara web app on a local port and print its address. The first start fetches "
        "Solara's front end from the npm registry into the environment, so later starts work offline.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=options.port, default=8765, help="port (default 8765)")
    p.add_argument("--open", action="store_true", help="open a browser on the page")
    p.add_argument(
        "--scenarios",
        action="append",
        default=[],
        metavar="FOLDER",
        help="another folder of scenario files to offer beside the shipped ones, e.g. results/optimise/front "
        "(the Pareto front `migsim optimise` writes); repeatable",
    )
    p.add_argument(
        "--hinges",
        metavar="FOLDER",
        help="the `migsim hinges` report the page 'What it hinges on' shows (default results/hinges, if there)",
    )
    p.add_argument(
        "--front",
        metavar="FOLDER",
        help="the `migsim optimise` search whose Pareto front that page shows, its points offered for comparison "
        "(default results/optimise, if there)",
    )
    p.set_defaults(func=cmd_app)


def cmd_app(args: argparse.Namespace) -> None:
    """Hand over to ``python -m viz`` (the app imports the model; the model never imports the app)."""
    try:
        family, kind, _, _, address = socket.getaddrinfo(args.host, args.port, type=socket.SOCK_STREAM)[0]
    except OSError as exc:
        raise UserError(f"cannot find the address {args.host} ({exc.strerror or exc}); e.g. --host 127.0.0.1") from None
    try:  # as the server will: a port in use is said plainly here, before anything starts
        with socket.socket(family, kind) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise UserError(
            f"cannot serve on {args.host}:{args.port} ({exc.strerror or exc}); choose another with --port, "
            f"e.g. --port {args.port + 1 if args.port < 65535 else 8765}"
        ) from None
    folders = [os.path.abspath(folder) for folder in args.scenarios]
    for folder in folders:
        if not os.path.isdir(folder):
            raise UserError(f"--scenarios {folder}: no such folder of scenario files")
        _check_folder(folder)
    if folders:
        os.environ["MIGSIM_APP_SCENARIOS"] = os.pathsep.join(folders)  # read by viz.app as the server starts
    for option, command, default in (("hinges", "hinges", "results/hinges"), ("front", "optimise", "results/optimise")):
        given = getattr(args, option)
        if given is not None and not os.path.isdir(given):
            raise UserError(f"--{option} {given}: no such folder (`migsim {command} --out {given}` writes one)")
        os.environ[f"MIGSIM_APP_{option.upper()}"] = os.path.abspath(given or default)  # read by the app's page
    command = [sys.executable, "-m", "viz", "--host", args.host, "--port", str(args.port)]
    sys.stdout.flush()
    os.execv(sys.executable, command + (["--open"] if args.open else []))


def _check_folder(folder: str) -> None:
    """Every scenario file of ``folder`` loads (a mistake is said here, not as a server that does not start)."""
    from pathlib import Path

    from sim.scenario import load_scenario

    files = sorted(Path(folder).glob("*.yaml"))
    if not files:
        raise UserError(f"--scenarios {folder}: no scenario files (*.yaml) in it")
    for file in files:
        load_scenario(file)  # a ScenarioError names the file, the key and the nearest valid one
