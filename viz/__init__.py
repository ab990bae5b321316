"""The web app for policymakers (Solara): ``migsim app``. It imports ``sim`` and ``sim`` never imports it.

``viewmodel`` computes what the pages show (testable without a browser), ``results`` keeps simulated runs,
``charts`` draws them, ``app`` lays out the pages, ``watch`` is the single-run view (Mesa's SolaraViz) and
``assets`` prepares Solara's front end for offline use.
"""
