"""Calibration and validation against Guatemalan data (``migsim calibrate``, ``migsim validate``).

Data flows one way: targets (``calibration/targets/``) and free parameters -> simulated moments (one
run from 2002 per parameter vector, common random numbers) -> a distance -> a fit (differential
evolution) and a posterior sample (ABC population Monte Carlo) -> the model's default parameters and
the draws projections use; validation refits on part of the data and predicts the rest.
"""
