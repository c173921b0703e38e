"""Tests of properties/spec_index.py and of the SPEC coverage rule (SPEC 0.1)."""

import re
from pathlib import Path

import pytest

from maskverify.properties.framework.runner import ids_in_text
from maskverify.properties.framework.runner import tests_citing as _tests_citing
from maskverify.properties.framework.spec_index import MAIN_IDS, SPEC_INDEX, short_form, sort_key

SPEC = Path(__file__).resolve().parents[4] / "shared" / "SPEC.md"
TESTS = Path(__file__).resolve().parents[2]


def parse_section8(text):
    sec = text.split("## 8. ITEM INDEX", 1)[1]
    ids = []
    for m in re.finditer(r"\b([SNTCLPE]-\d+)(?: \(([a-z0-9])-([a-z0-9])\))?", sec):
        base, a, b = m.group(1), m.group(2), m.group(3)
        ids.append(base)
        if a:
            ids += [f"{base}({chr(c)})" for c in range(ord(a), ord(b) + 1)]
    return ids


@pytest.mark.skipif(not SPEC.exists(), reason="../shared/SPEC.md not beside this checkout")
def test_index_equals_spec_section8():
    """The registry's ID list equals SPEC section 8, sub-claims included (SPEC 0.1)."""
    assert SPEC_INDEX == parse_section8(SPEC.read_text())


def test_index_shapes():
    assert len(set(SPEC_INDEX)) == len(SPEC_INDEX)
    assert set(MAIN_IDS) <= set(SPEC_INDEX)
    assert short_form("L-28(b)") == "L28b" and short_form("T-4") == "T4"
    assert sort_key("S-1") < sort_key("L-28(b)") < sort_key("E-4") < sort_key("Z-9")


def test_ids_in_text_forms():
    assert ids_in_text("test L28b variance") == {"L-28", "L-28(b)"}
    assert ids_in_text("checks T-2(c) and E-2(1); not X-1") == {"T-2", "T-2(c)", "E-2", "E-2(1)"}
    assert ids_in_text("C-10 but not S-99") == {"C-10"}


def test_every_spec_id_is_cited_by_a_test():
    """SPEC 0.1: every ID of the index, sub-claims included, is cited by at least one test in tests/."""
    cited = _tests_citing(TESTS)
    missing = [i for i in SPEC_INDEX if i not in cited]
    assert not missing, f"{len(missing)} SPEC IDs are cited by no test: {missing}"
