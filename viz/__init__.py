"""The web app for policymakers (Solara). It imports ``sim`` and ``sim`` never imports it.

Nothing is here yet: the app is its own piece of work. Until then, ``migsim compare`` is the way to
compare scenarios.
"""
