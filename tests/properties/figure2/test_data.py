"""Tests of maskverify.properties.figure2.data (E-1 data sets: crime subset, synthetic data, user files)."""

import hashlib
from importlib import resources

import numpy as np
import pytest

from maskverify.errors import InstanceFileError, InvalidParameterError
from maskverify.properties.figure2 import data


def test_E1_crime_csv_is_package_data_pinned_by_sha256():
    """E-1: the Communities and Crime CSV ships as package data of maskverify.properties.figure2 (found via
    importlib.resources, as in any install, not only `make`), with its CC BY 4.0 attribution next to it, and
    its content has the pinned SHA-256 (as does the UCI attribute list)."""
    folder = resources.files("maskverify.properties.figure2").joinpath("data")
    raw = folder.joinpath("crime.csv").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == data.CRIME_SHA256
    attrs = folder.joinpath("uci_attributes.txt").read_bytes()
    assert hashlib.sha256(attrs).hexdigest() == data.ATTRIBUTES_SHA256
    note = folder.joinpath("LICENSE.md").read_text()
    assert "CC BY 4.0" in note and data.CRIME_SHA256 in note and "Redmond" in note
    assert data.crime_csv_path() is not None and data.load_crime(5, 0)[2]["sha256"] == data.CRIME_SHA256


def test_E1_pyproject_ships_the_data_folder():
    """E-1: pyproject.toml lists data/* as package data of maskverify.properties.figure2, so `pip install .`
    (wheel or sdist, not only editable) carries the CSV."""
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib")   # Python >= 3.11
    cfg = tomllib.loads((Path(__file__).resolve().parents[3] / "pyproject.toml").read_text())
    assert "data/*" in cfg["tool"]["setuptools"]["package-data"]["maskverify.properties.figure2"]


def test_E1_crime_file_with_other_content_is_refused(tmp_path):
    """E-1: loading verifies the SHA-256; a file with any other content raises one clear InstanceFileError."""
    p = tmp_path / "crime.csv"
    raw = bytearray(data.crime_resource().read_bytes())
    raw[-3] = ord("9") if raw[-3] != ord("9") else ord("8")
    p.write_bytes(bytes(raw))
    with pytest.raises(InstanceFileError, match="not the pinned"):
        data.load_crime(10, 0, path=p)


def test_E1_crime_subset_shape_norms_target_and_indices():
    """E-1: 100 rows, d = 99 predictors, unit-norm rows, ViolentCrimesPerPop in [0, 1], recorded indices."""
    X, y, meta = data.load_crime(100, 0)
    assert X.shape == (100, 99) and y.shape == (100,)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-14)
    assert 0.0 <= y.min() and y.max() <= 1.0
    assert meta["synthetic"] is False and meta["target"] == "ViolentCrimesPerPop"
    assert len(meta["row_indices"]) == 100 and meta["row_indices"] == sorted(set(meta["row_indices"]))
    assert meta["rows_in_file"] == 1993 and meta["d"] == 99
    assert any("128" in s for s in meta["differences"])


def test_E1_crime_rows_match_the_csv_independently():
    """E-1: the returned rows are the CSV rows at the recorded indices, divided by their norms (re-read with
    numpy's own CSV reader, an independent parser)."""
    X, y, meta = data.load_crime(100, 3)
    raw = np.genfromtxt(data.crime_csv_path(), delimiter=",", names=True, dtype=None, encoding=None)
    cols = meta["feature_columns"]
    A = np.array([[float(raw[c][i]) for c in cols] for i in meta["row_indices"]])
    np.testing.assert_allclose(X, A / np.linalg.norm(A, axis=1, keepdims=True), rtol=1e-14)
    np.testing.assert_allclose(y, raw["ViolentCrimesPerPop"][meta["row_indices"]], rtol=0)


def test_E1_subset_is_deterministic_by_seed():
    """E-1: same seed -> same subset; a different seed -> a different subset."""
    a, b, c = (data.load_crime(100, s)[2]["row_indices"] for s in (0, 0, 1))
    assert a == b and a != c


def test_E1_uci_attribute_list_has_128_entries():
    """E-1: the packaged UCI attribute list has the 128 attributes (the paper's "128 features")."""
    cols = data.crime_raw_columns()
    assert len(cols) == 128 and cols[0] == "state" and cols[-1] == "ViolentCrimesPerPop"


def test_E1_missing_crime_file_falls_back_to_labelled_synthetic(tmp_path):
    """E-1: no CSV -> a synthetic stand-in of the same shape, clearly labelled; never an exception."""
    X, y, meta = data.load_crime(100, 0, path=tmp_path / "absent.csv")
    assert X.shape == (100, 99) and meta["synthetic"] is True
    assert "SYNTHETIC" in meta["fallback_reason"] and "reinstall" in meta["fallback_reason"]
    assert meta["sha256_of"] == "float64 bytes of X then y" and meta["sha256"] == data.arrays_sha256(X, y)


def test_synthetic_unit_norm_label_bound_and_min_angle():
    """S-1 data hypotheses: ||x_i|| = 1, |y_i| <= C - 1; the requested minimum angle is met."""
    for labels in ("teacher", "uniform", "unit-interval"):
        X, y, meta = data.synthetic(30, 5, 1, C=1.5, labels=labels, min_angle=0.3)
        np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-14)
        assert np.abs(y).max() <= 0.5
        G = np.abs(X @ X.T)[~np.eye(30, dtype=bool)]
        assert np.degrees(np.arccos(G.max())) >= np.degrees(0.3) - 1e-9
        assert meta["facts"]["duplicate_rows"] == 0


def test_synthetic_rejects_bad_arguments():
    with pytest.raises(InvalidParameterError, match="'C' parameter of synthetic"):
        data.synthetic(5, 3, 0, C=0.5)
    with pytest.raises(InvalidParameterError, match="'n' parameter"):
        data.synthetic(0, 3, 0)
    with pytest.raises(InvalidParameterError, match="min_angle"):
        data.synthetic(50, 2, 0, min_angle=1.5, max_tries=50)


def test_load_user_csv_header_target_and_index(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("a,b,t\n3,4,0.5\n1,0,-1\n")
    X, y, meta = data.load_user(p)
    np.testing.assert_allclose(X, [[0.6, 0.8], [1.0, 0.0]])
    np.testing.assert_allclose(y, [0.5, -1.0])
    assert meta["target"] == "t" and meta["feature_columns"] == ["a", "b"]
    X2, y2, _ = data.load_user(p, target="a")
    np.testing.assert_allclose(y2, [3, 1])
    q = tmp_path / "n.csv"
    q.write_text("3,4,0.5\n1,0,-1\n")
    X3, y3, m3 = data.load_user(q, target=0)
    np.testing.assert_allclose(y3, [3, 1]) and np.testing.assert_allclose(X3[1], [0.0, -1.0])
    assert m3["target"] == 0


def test_load_user_npz(tmp_path):
    p = tmp_path / "d.npz"
    np.savez(p, X=np.array([[2.0, 0.0], [0.0, -3.0]]), y=np.array([1.0, 2.0]))
    X, y, meta = data.load_user(p)
    np.testing.assert_allclose(X, [[1, 0], [0, -1]])
    assert meta["raw_norm_max"] == 3.0


@pytest.mark.parametrize("name,content,msg", [
    ("bad.csv", "a,b\n1,x\n", "non-numeric"),
    ("ragged.csv", "1,2,3\n1,2\n", "fields"),
    ("empty.csv", "", "empty"),
    ("one.csv", "1\n2\n", "two columns"),
    ("zero.csv", "0,0,1\n1,1,1\n", "all zeros"),
    ("nan.csv", "1,nan,1\n1,1,1\n", "nan or inf"),
    ("target.csv", "a,b\n1,2\n", "not in the header"),
    ("d.txt", "1,2\n", "unsupported"),
    ("bad.npz", "not a zip", "not a readable .npz"),
])
def test_load_user_bad_files_raise_one_clear_error(tmp_path, name, content, msg):
    p = tmp_path / name
    p.write_text(content)
    with pytest.raises(InstanceFileError, match=msg):
        data.load_user(p, target="zz" if name == "target.csv" else None)


def test_load_user_missing_file_and_missing_keys(tmp_path):
    with pytest.raises(InstanceFileError, match="does not exist"):
        data.load_user(tmp_path / "none.csv")
    p = tmp_path / "k.npz"
    np.savez(p, A=np.ones((2, 2)))
    with pytest.raises(InstanceFileError, match="needs arrays 'X' and 'y'"):
        data.load_user(p)


def test_data_facts_against_direct_computation():
    """Smallest pairwise angle and label constant computed directly."""
    X = np.array([[1.0, 0.0], [np.cos(0.2), np.sin(0.2)], [0.0, 1.0]])
    f = data.data_facts(X, np.array([0.5, -2.0, 1.0]))
    assert abs(f["min_angle_deg"] - np.degrees(0.2)) < 1e-9 and f["C_min"] == 3.0 and f["n"] == 3
