"""Exact oracles shared by the checks: closed forms in rationals and enumeration (``exact_masks``), exact tails
and laws (``tails``), and the proof quantities evaluated on recorded steps (``quantities``). Numpy/fractions
only: an oracle never calls the engine, so a counterexample built on it replays anywhere."""
