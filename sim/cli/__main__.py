"""``python -m sim.cli``: the ``migsim`` command without its console script."""

import sys

from sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
