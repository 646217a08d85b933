"""Ranking quality against judged queries: reciprocal rank, recall and nDCG at k with graded relevance.

A judged query names its relevant pages by a key stable across crawls (see eval/relevance/GUIDE.md) with
a grade from 1 (mentions the subject usefully) to 3 (the page a scout wants first). A ranking is the list
of keys a search returned, best first.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

K = 10
KINDS = ("keyword", "paraphrase", "acronym", "model-number", "other-language", "filter")
CORPORA = ("demo", "bolts")
GRADES = (1, 2, 3)
QUERY_SET = Path(__file__).resolve().parent.parent / "eval" / "relevance"


class QuerySetError(ValueError):
    """A line of a judged query file that is not a judged query; the message names file and line."""


@dataclass(frozen=True)
class Judged:
    id: str
    query: str
    corpus: str
    relevant: dict[str, int]
    kind: str
    lang: str


def load_queries(path: Path) -> list[Judged]:
    queries, seen = [], set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            judged = _judged(json.loads(line))
        except (ValueError, TypeError, KeyError) as exc:
            raise QuerySetError(f"{path}:{number}: {exc}") from None
        if judged.id in seen:
            raise QuerySetError(f"{path}:{number}: id {judged.id!r} repeated")
        seen.add(judged.id)
        queries.append(judged)
    return queries


def _judged(row: dict) -> Judged:
    if set(row) != {"id", "query", "corpus", "relevant", "kind", "lang"}:
        raise ValueError(f"fields must be id, query, corpus, relevant, kind, lang; not {sorted(row)}")
    if not isinstance(row["query"], str) or not row["query"].strip():
        raise ValueError("query must be non-empty text")
    if row["corpus"] not in CORPORA:
        raise ValueError(f"corpus must be one of {CORPORA}")
    if row["kind"] not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    relevant = row["relevant"]
    if not isinstance(relevant, dict) or not relevant:
        raise ValueError("relevant must name at least one page")
    if any(type(grade) is not int or grade not in GRADES for grade in relevant.values()):
        raise ValueError(f"grades must be one of {GRADES}")
    if 3 not in relevant.values():
        raise ValueError("a query needs a grade-3 page: the one a scout wants first")
    return Judged(id=str(row["id"]), query=row["query"], corpus=row["corpus"], relevant=dict(relevant),
                  kind=row["kind"], lang=str(row["lang"]))


def _distinct(ranked: Sequence[str]) -> list[str]:
    """A page listed twice (two spellings of one URL) counts once, at its first place."""
    return list(dict.fromkeys(ranked))


def reciprocal_rank(ranked: Sequence[str], relevant: Mapping[str, int], k: int = K) -> float:
    """1 / the place of the first relevant page (any grade) within the first k, else 0."""
    for place, key in enumerate(_distinct(ranked)[:k], 1):
        if relevant.get(key, 0) > 0:
            return 1.0 / place
    return 0.0


def recall_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = K) -> float:
    """The share of the relevant pages (any grade) found within the first k."""
    wanted = {key for key, grade in relevant.items() if grade > 0}
    return len(wanted.intersection(_distinct(ranked)[:k])) / len(wanted) if wanted else 0.0


def _dcg(grades: Iterable[int]) -> float:
    # Exponential gain: a grade-3 page is worth more than a grade-2 and a grade-1 page together.
    return sum((2 ** grade - 1) / math.log2(place + 1) for place, grade in enumerate(grades, 1))


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = K) -> float:
    """DCG of the first k over the DCG of the best possible first k."""
    ideal = _dcg(sorted(relevant.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return _dcg(relevant.get(key, 0) for key in _distinct(ranked)[:k]) / ideal


def mrr(rankings: Iterable[tuple[Sequence[str], Mapping[str, int]]], k: int = K) -> float:
    """Mean reciprocal rank over (ranking, judgements) pairs."""
    ranks = [reciprocal_rank(ranked, relevant, k) for ranked, relevant in rankings]
    return sum(ranks) / len(ranks) if ranks else 0.0


def scores_for(ranked: Sequence[str], relevant: Mapping[str, int], k: int = K) -> dict[str, float]:
    return {"mrr": reciprocal_rank(ranked, relevant, k), f"recall@{k}": recall_at_k(ranked, relevant, k),
            f"ndcg@{k}": ndcg_at_k(ranked, relevant, k)}


def mean_figures(per_query: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Each measure's mean over queries, and how many queries there were."""
    if not per_query:
        return {"queries": 0}
    names = per_query[0].keys()
    return {"queries": len(per_query),
            **{name: round(sum(scores[name] for scores in per_query) / len(per_query), 3) for name in names}}
