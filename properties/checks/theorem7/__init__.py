"""Theorem 7 (p.9, categorical masks): the statement, its proof steps (Appendix F), and Lemmas 20-22."""
