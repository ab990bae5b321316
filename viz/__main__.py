"""``python -m viz --host H --port P [--open]``: prepare the offline front end if needed, then serve the app.

Solara's server runs in this process (as ``solara run viz.app --production`` would), beside a thread that
simulates the page's first comparison meanwhile.
"""

from __future__ import annotations

import argparse
import sys
import threading

from viz import assets


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
    print(f"migsim app at http://{args.host}:{args.port} (Ctrl-C stops it)", flush=True)
    from solara.__main__ import cli as solara

    from viz.app import warm_up

    # the page's first comparison, simulated while the server starts (importing the app starts nothing)
    threading.Thread(target=warm_up, daemon=True, name="migsim-warm-up").start()
    command = ["run", "viz.app", "--host", args.host, "--port", str(args.port)]
    solara([*command, "--production", "--open" if args.open else "--no-open"], prog_name="solara")


if __name__ == "__main__":
    main()
