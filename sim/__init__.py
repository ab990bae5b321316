"""migsim: household migration decisions in Guatemala under policy scenarios."""

__version__ = "0.1.0"
