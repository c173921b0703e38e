"""Appendix A tools (P-1), other exact statements (P-2) and the Appendix H lemmas 23-33."""
