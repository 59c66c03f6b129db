#!/usr/bin/env python3
"""Reference standard errors and confidence intervals for thema's agreement tests.

Writes tests/fixtures/agreement/NAME.csv (reliability data in `thema agree --matrix` form: one
row per unit, one column per coder, empty = missing) and tests/fixtures/agreement/references.json
with, for each data set, what irrCAC (Gwet's package, Python port, PyPI `irrCAC`) computes with
its raw-data functions: value, standard error and 95 % confidence interval of Gwet's AC1, Fleiss'
kappa, Brennan-Prediger, Krippendorff's alpha (nominal) and, for two coders, Cohen's kappa
(irrCAC's Conger function on the units both coders rated, which is Cohen's kappa there).

Percent agreement has no raw-data function in the Python port. Its standard error is Gwet's
Brennan-Prediger one with p_e = 0; where every rated unit has two or more ratings that is
exactly irrCAC's Brennan-Prediger standard error times (1 - 1/q), which is what is written
(data sets with single-rated units get no percent-agreement reference).

The tests read only the files this writes: they never need Python. Run once after changing a
data set:

    python3 -m venv /tmp/irr && /tmp/irr/bin/pip install irrCAC==0.4.4
    /tmp/irr/bin/python scripts/agreement-references.py
"""

import csv
import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
from irrCAC.raw import CAC
from scipy import stats

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "agreement"


def coder_rows(*coders):
    """Data typed one coder per string (as Krippendorff prints it), '.' = missing."""
    cols = [c.split() for c in coders]
    return [[None if col[u] == "." else col[u] for col in cols] for u in range(len(cols[0]))]


def table(t):
    """Two coders from a contingency table; categories 1..q."""
    rows = []
    for i, r in enumerate(t):
        for j, n in enumerate(r):
            rows += [[str(i + 1), str(j + 1)]] * n
    return rows


def presence(units, coded, coders, rng, missing=0.0):
    """Binary presence data like a code applied to turns: 'coded' / 'uncoded'."""
    rows = []
    for _ in range(units):
        truth = rng.random() < coded
        row = []
        for c in range(coders):
            if rng.random() < missing:
                row.append(None)
                continue
            flip = rng.random() < 0.12 + 0.05 * c
            row.append("coded" if truth != flip else "uncoded")
        if all(v is None for v in row):
            row[0] = "uncoded"
        rows.append(row)
    return rows


def random_nominal(units, coders, q, rng, missing):
    rows = []
    for _ in range(units):
        truth = rng.randrange(q)
        row = []
        for _ in range(coders):
            if rng.random() < missing:
                row.append(None)
            elif rng.random() < 0.7:
                row.append(str(truth + 1))
            else:
                row.append(str(rng.randrange(q) + 1))
        if all(v is None for v in row):
            row[0] = "1"
        rows.append(row)
    return rows


# Fleiss (1971) Table 1: one row per patient, the diagnoses of its six psychiatrists.
FLEISS_1971 = [
    "4 4 4 4 4 4",
    "2 2 2 5 5 5",
    "2 3 3 3 3 5",
    "5 5 5 5 5 5",
    "2 2 2 4 4 4",
    "1 1 3 3 3 3",
    "3 3 3 3 5 5",
    "1 1 3 3 3 4",
    "1 1 4 4 4 4",
    "5 5 5 5 5 5",
    "1 4 4 4 4 4",
    "1 2 4 4 4 4",
    "2 2 2 3 3 3",
    "1 4 4 4 4 4",
    "2 2 4 4 4 5",
    "3 3 3 3 3 5",
    "1 1 1 4 5 5",
    "1 1 1 1 1 2",
    "2 2 4 4 4 4",
    "1 3 3 5 5 5",
    "5 5 5 5 5 5",
    "2 4 4 4 4 4",
    "2 2 4 5 5 5",
    "1 1 4 4 4 4",
    "1 4 4 4 4 5",
    "2 2 2 2 2 4",
    "1 1 1 1 5 5",
    "2 2 4 4 4 4",
    "1 3 3 3 3 3",
    "5 5 5 5 5 5",
]


def datasets():
    rng = random.Random(20240613)
    return {
        # Krippendorff (2011): 4 observers x 12 units, values 1-5, missing data.
        "krippendorff2011-4x12": coder_rows(
            "1 2 3 3 2 1 4 1 2 . . .",
            "1 2 3 3 2 2 4 1 2 5 . 3",
            ". 3 3 3 2 3 4 2 2 5 1 .",
            "1 2 3 3 2 4 4 1 2 5 1 .",
        ),
        # Fleiss (1971) Table 1: 30 patients, 6 psychiatrists each, 5 diagnoses.
        "fleiss1971": [r.split() for r in FLEISS_1971],
        # Gwet's distrib.6raters: the first 15 subjects of Fleiss' table.
        "gwet-distrib6raters": [r.split() for r in FLEISS_1971[:15]],
        # Gwet's cont3x3abstractors: 2 abstractors x 100 pregnancies.
        "gwet-cont3x3abstractors": table([[13, 0, 0], [0, 20, 7], [0, 4, 56]]),
        # The Cohen's kappa "grant" example: 20/5/10/15.
        "cohen-grant": table([[20, 5], [10, 15]]),
        # SAS PROC FREQ's 3x3 example (via statsmodels' tests).
        "sas-proc-freq-3x3": table([[0, 4, 1], [0, 8, 0], [0, 1, 5]]),
        # Artstein & Poesio (2008) p. 568: 2 coders x 100 utterances, 3 categories.
        "artstein-poesio2008-p568": table([[46, 6, 0], [6, 10, 0], [0, 0, 32]]),
        # Wikipedia's Krippendorff's alpha example: 3 coders x 15 units, missing data.
        "wikipedia-alpha-3x15": coder_rows(
            ". . . . . 3 4 1 2 1 1 3 3 . 3",
            "1 . 2 1 3 3 4 3 . . . . . . .",
            ". . 2 1 3 4 4 . 2 1 1 3 3 . 4",
        ),
        # Generated: a code applied to 150 turns by 3 coders (coded 30 %).
        "presence-3coders-150": presence(150, 0.3, 3, rng),
        # Generated: 2 coders, 120 turns, some missing (Cohen's kappa on the units both rated).
        "presence-2coders-missing": presence(120, 0.25, 2, rng, missing=0.1),
        # Generated: 4 coders x 80 units x 4 categories with missing data.
        "nominal-4coders-missing": random_nominal(80, 4, 4, rng, missing=0.2),
        # Generated: 3 coders x 60 units x 3 categories, complete.
        "nominal-3coders-complete": random_nominal(60, 3, 3, rng, missing=0.0),
    }


def sort_key(label):
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


def estimate(result):
    est = result["est"]
    lo, hi = est["confidence_interval"]
    return {
        "value": float(est["coefficient_value"]),
        "se": float(est["se"]),
        "ci": [float(lo), float(hi)],
    }


def t_interval(value, se, df):
    t = stats.t.ppf(0.975, df)
    return [value - t * se, value + t * se]


def references(name, rows):
    coders = [f"c{i + 1}" for i in range(len(rows[0]))]
    labels = sorted({v for r in rows for v in r if v is not None}, key=sort_key)
    frame = pd.DataFrame(
        [[np.nan if v is None else v for v in r] for r in rows], columns=coders, dtype=object
    )
    cac = CAC(frame, categories=labels, digits=12)
    out = {
        "coders": len(coders),
        "categories": labels,
        "gwet_ac1": estimate(cac.gwet()),
        "fleiss_kappa": estimate(cac.fleiss()),
        "brennan_prediger": estimate(cac.bp()),
        "krippendorff_alpha": estimate(cac.krippendorff()),
    }
    rated = [r for r in rows if any(v is not None for v in r)]
    if all(sum(v is not None for v in r) >= 2 for r in rated):
        q = len(labels)
        bp = out["brennan_prediger"]
        se = bp["se"] * (1 - 1 / q)
        pa = float(cac.bp()["est"]["pa"])
        out["percent_agreement"] = {
            "value": pa,
            "se": se,
            "ci": t_interval(pa, se, len(rated) - 1),
        }
    if len(coders) == 2:
        both = [r for r in rows if r[0] is not None and r[1] is not None]
        pair = pd.DataFrame(both, columns=coders, dtype=object)
        out["cohen_kappa"] = estimate(CAC(pair, categories=labels, digits=12).conger())
    return out


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["unit"] + [f"c{i + 1}" for i in range(len(rows[0]))])
        for u, r in enumerate(rows, 1):
            w.writerow([u] + ["" if v is None else v for v in r])


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    refs = {}
    for name, rows in datasets().items():
        write_csv(OUT / f"{name}.csv", rows)
        refs[name] = references(name, rows)
    text = json.dumps(
        {
            "generator": "scripts/agreement-references.py with irrCAC 0.4.4 (raw-data functions)",
            "datasets": refs,
        },
        indent=2,
    )
    (OUT / "references.json").write_text(text + "\n", encoding="utf-8")
    print(f"wrote {len(refs)} data sets to {OUT}")


if __name__ == "__main__":
    main()
