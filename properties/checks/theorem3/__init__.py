"""Theorem 3 (p.8): the statement and its symbolic parts, the proof steps of Appendix D, and Lemmas 8-19."""
