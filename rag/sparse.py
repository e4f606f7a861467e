"""BM25 as sparse vectors, computed here from the same jieba tokens as the in-process BM25 (bm25s), so a
store that only multiplies sparse vectors (Milvus's SPARSE_FLOAT_VECTOR with the IP metric) ranks clauses
exactly as bm25s does, on every Milvus version.

bm25s scores a clause d for query tokens q (Lucene's BM25, k1=1.2, b=0.75) as

    score(q, d) = sum over t in q of  idf(t) * tf(t,d) / (tf(t,d) + k1 * (1 - b + b * len(d) / avglen))
    idf(t)      = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))

which splits into a clause vector {t: tf part} (depends on the clause and the mean clause length) and a
query vector {t: count in q * idf(t)} (depends on the collection's document frequencies). Terms become
dimensions by a 32-bit hash: Milvus keys sparse dimensions by integers below 2**32 - 1.

    lex = Lexicon.of([["北京", "支持"], ["上海"]])
    lex.clause_vector(["北京", "支持"], lex.mean_length)  -> {3528305154: 0.4, 1985413455: 0.4}
    lex.query_vector(["北京", "支持", "未知词"])           -> {3528305154: 0.69, 1985413455: 0.69}
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

K1 = 1.2  # as store._bm25_of
B = 0.75
EMPTY = "<empty>"  # what a clause without tokens is indexed as (bm25s needs one token; Milvus a nonzero weight)
_DIMENSIONS = 2**32 - 1  # Milvus: sparse dimension ids from 0 to 2**32 - 2


def term_id(token: str) -> int:
    """The sparse dimension of a token: stable across processes, machines and Python versions.

    Example: term_id("北京") -> 3528305154
    """
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=4).digest(), "little") % _DIMENSIONS


@dataclass(frozen=True)
class Lexicon:
    """Document frequencies and the mean token count of a set of clauses: what BM25 needs beyond one clause."""

    clauses: int
    mean_length: float
    df: dict[str, int] = field(repr=False)

    @classmethod
    def of(cls, tokens: Iterable[Sequence[str]]) -> Lexicon:
        """Example: Lexicon.of([["北京", "支持"], ["上海"]]) -> Lexicon(clauses=2, mean_length=1.5)"""
        df: Counter[str] = Counter()
        n = total = 0
        for clause_tokens in tokens:
            terms = clause_tokens or [EMPTY]
            df.update(set(terms))
            n += 1
            total += len(terms)
        return cls(n, total / n if n else 1.0, dict(df))

    def idf(self, token: str) -> float:
        df = self.df.get(token, 0)
        return math.log(1 + (self.clauses - df + 0.5) / (df + 0.5))

    @staticmethod
    def clause_vector(tokens: Sequence[str], mean_length: float) -> dict[int, float]:
        """A clause's BM25 term weights without idf, for a given mean clause length (see the module doc)."""
        terms = list(tokens) or [EMPTY]
        norm = K1 * (1 - B + B * len(terms) / mean_length)
        out: dict[int, float] = {}
        for token, tf in Counter(terms).items():
            key = term_id(token)
            out[key] = out.get(key, 0.0) + tf / (tf + norm)
        return out

    def query_vector(self, tokens: Sequence[str]) -> dict[int, float]:
        """A question's weights: idf per occurrence of each token the clauses have (others match nothing)."""
        out: dict[int, float] = {}
        for token, count in Counter(t for t in tokens if t in self.df).items():
            key = term_id(token)
            out[key] = out.get(key, 0.0) + count * self.idf(token)
        return out

    def collisions(self) -> int:
        """How many terms share a dimension with another term (they would add to each other's scores)."""
        seen = Counter(term_id(t) for t in self.df)
        return sum(n - 1 for n in seen.values() if n > 1)
