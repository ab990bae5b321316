"""migsim: household migration decisions in Guatemala under policy scenarios."""

__version__ = "0.1.0"

# Real households each agent stands for, unless told otherwise: 65,519 agents for 3,275,931 households.
DEFAULT_HOUSEHOLDS_PER_AGENT = 50
COARSEST = 20_000  # households per agent: the smallest department (44,213 households) keeps two agents
DEFAULT_WORLDS = 10  # plausible worlds a comparison runs besides its seeds (sim.worlds)
