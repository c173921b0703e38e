"""The explicit constants C-1..C-22 (SPEC section 4): radii and step sizes (C-1..C-11), widths, error terms, rates and probabilities (C-12..C-22)."""
