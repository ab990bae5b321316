"""migsim: household migration decisions in Guatemala under policy scenarios."""

__version__ = "0.1.0"

# Real households each agent stands for, unless told otherwise: 65,519 agents for 3,275,931 households.
DEFAULT_HOUSEHOLDS_PER_AGENT = 50
