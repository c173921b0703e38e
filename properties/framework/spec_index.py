"""The item index of SPEC section 8, as data: every ID and every labelled sub-claim.

``SPEC_INDEX`` lists main IDs in SPEC order, each followed by its sub-claims, written in the SPEC form
(``"T-2(c)"``, ``"E-2(1)"``). ``tests/properties/framework/test_spec_index.py`` re-parses ``../shared/SPEC.md`` (where present)
and checks that this list equals section 8, so the two cannot drift apart silently.
"""

import string

# (main id, sub-claim labels) in the order of SPEC section 8.
_INDEX = [
    ("S-1", ""), ("S-2", ""), ("S-3", ""), ("S-4", "abcd"), ("S-5", ""), ("S-6", ""), ("S-7", ""),
    ("S-8", "abcde"),
    ("N-1", ""), ("N-2", ""), ("N-3", ""), ("N-4", ""), ("N-5", ""), ("N-6", ""), ("N-7", ""),
    ("N-8", ""), ("N-9", ""),
    ("T-1", ""), ("T-2", "abcde"), ("T-3", "abcdefghi"), ("T-4", "abcdefghijk"), ("T-5", ""),
    ("T-6", ""), ("T-7", ""), ("T-8", "abcde"), ("T-9", "abcdefghijklmn"),
    *[(f"C-{i}", "") for i in range(1, 23)],
    ("L-8", "ab"), ("L-9", ""), ("L-10", "abcd"), ("L-11", "abc"), ("L-12", ""), ("L-13", "abcde"),
    ("L-14", ""), ("L-15", ""), ("L-16", "ab"), ("L-17", "ab"), ("L-18", ""), ("L-19", ""),
    ("L-20", ""), ("L-21", ""), ("L-22", "abcd"), ("L-23", ""), ("L-24", ""), ("L-25", ""),
    ("L-26", ""), ("L-27", ""), ("L-28", "abcdefg"), ("L-29", "abcde"), ("L-30", "abcdef"),
    ("L-31", "abcde"), ("L-32", ""), ("L-33", "abcd"),
    ("P-1", "abcdefgh"), ("P-2", "abcdefg"),
    ("E-1", ""), ("E-2", "123"), ("E-3", ""), ("E-4", ""),
]

MAIN_IDS = [main for main, _ in _INDEX]
SPEC_INDEX = [entry for main, subs in _INDEX for entry in [main, *(f"{main}({s})" for s in subs)]]

SECTIONS = {
    "S": "Setup", "N": "NTK and proof objects", "T": "Main statements", "C": "Constants",
    "L": "Lemmas", "P": "Tools and exact statements", "E": "Experiments",
}


def main_id(item_id):
    """'T-2(c)' -> 'T-2'."""
    return item_id.split("(", 1)[0]


def sort_key(item_id):
    """Order of SPEC section 8 (unknown ids last, alphabetically)."""
    try:
        return (SPEC_INDEX.index(item_id), item_id)
    except ValueError:
        return (len(SPEC_INDEX), item_id)


def short_form(item_id):
    """'L-28(b)' -> 'L28b' (identifier form used in function names)."""
    return item_id.replace("-", "").replace("(", "").replace(")", "")


assert all(set(s) <= set(string.ascii_lowercase + string.digits) for _, s in _INDEX)
