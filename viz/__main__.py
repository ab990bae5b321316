"""``python -m viz --host H --port P [--open]``: prepare the offline front end if needed, then serve the app.

Served by uvicorn as ``solara run --production`` would, with :mod:`viz.server`'s guard in front, beside a
thread that simulates the page's first comparison meanwhile (importing the app starts nothing). A session
whose page went away (a closed laptop, a dropped connection, a script that opened the page and left) is
ended after ``MIGSIM_APP_IDLE`` (default 10 minutes: a page coming back within it finds its controls as it
left them); Solara's own default was 24 hours, in which 250 abandoned sessions held 130 MB.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import re
import socket
import sys
import threading
import time
import webbrowser

from viz import assets

IDLE_DEFAULT = "10m"


def reachable_from_others(host: str) -> bool:
    """Whether serving on ``host`` lets other machines connect (any address it names is not loopback)."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return True  # the server will say what is wrong; assume the worst here
    return not all(ipaddress.ip_address(address.split("%")[0]).is_loopback for address in addresses)


def idle_timeout() -> str:
    """How long a session without a page is kept: ``MIGSIM_APP_IDLE`` (e.g. 30s, 10m, 2h), checked.

    Checked here, not by Solara: importing Solara reads its settings, which must wait for this value.
    """
    text = os.environ.get("MIGSIM_APP_IDLE", IDLE_DEFAULT).strip()
    if not re.fullmatch(r"(\d+(\.\d*)?|\.\d+)[smhd]?", text) or not float(text.rstrip("smhd")) > 0:
        raise SystemExit(f"MIGSIM_APP_IDLE={text!r} is not a duration such as 30s, 10m or 2h")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m viz", description="Serve migsim's web app.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--open", action="store_true")
    args = parser.parse_args()
    if assets.missing():
        try:
            assets.prepare(log=lambda text: print(text, file=sys.stderr))
        except OSError as exc:  # no registry: Solara's server will try its CDN instead
            print(
                f"could not fetch the app's front end for offline use ({exc}); it will load from the CDN",
                file=sys.stderr,
            )
    if reachable_from_others(args.host):
        print(
            f"warning: serving on {args.host}: anyone who can reach this machine can use the app, and its CPU, "
            "without logging in; to share it, put it behind a reverse proxy with authentication "
            "(docs/reliability.md)",
            file=sys.stderr,
        )
    # Solara reads its settings from the environment when first imported: set them before that
    os.environ["SOLARA_KERNEL_CULL_TIMEOUT"] = idle_timeout()
    os.environ["SOLARA_APP"] = "viz.app"
    os.environ["SOLARA_MODE"] = "production"
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = args.host, str(args.port)
    import uvicorn
    from solara.__main__ import LOGGING_CONFIG

    from viz.server import MAX_MESSAGE

    config = uvicorn.Config(
        "viz.server:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        log_config=LOGGING_CONFIG,
        log_level="error",
        ws_max_size=MAX_MESSAGE,  # larger frames are refused before they are read into memory
    )
    server = uvicorn.Server(config)
    if args.open:
        threading.Thread(target=_open_when_started, args=(server, args.host, args.port), daemon=True).start()
    print(f"migsim app at http://{args.host}:{args.port} (Ctrl-C stops it)", flush=True)
    from viz.app import warm_up

    # the page's first comparison, simulated while the server starts (importing the app starts nothing)
    threading.Thread(target=warm_up, daemon=True, name="migsim-warm-up").start()
    server.run()


def _open_when_started(server, host: str, port: int) -> None:
    while not server.started:
        time.sleep(0.1)
    webbrowser.open(f"http://{host}:{port}")


if __name__ == "__main__":
    main()
