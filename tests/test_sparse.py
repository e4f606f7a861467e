"""BM25 as sparse vectors (rag/sparse.py) scores like bm25s, the in-process BM25 it stands in for."""

from __future__ import annotations

import numpy as np
import pytest

from rag import sparse, store
from rag.text import query_tokens, tokenize


def _scores(lex: sparse.Lexicon, tokens: list[list[str]], question_tokens: list[str]) -> np.ndarray:
    query = lex.query_vector(question_tokens)
    rows = [sparse.Lexicon.clause_vector(t, lex.mean_length) for t in tokens]
    return np.array([sum(w * row.get(k, 0.0) for k, w in query.items()) for row in rows])


@pytest.mark.parametrize(
    "question", ["北京对引进图灵奖获得者有什么支持", "人工智能产业规模目标 人工智能", "智能网联汽车测试", "AI企业租房有补贴吗"]
)
def test_inner_products_equal_bm25s_scores_on_the_bundled_index(bundled_index, question: str) -> None:  # type: ignore[no-untyped-def]
    lex = sparse.Lexicon.of(bundled_index.tokens)
    tokens = [t for t in query_tokens(question) if t in bundled_index.bm25.vocab_dict]
    expected = np.asarray(bundled_index.bm25.get_scores(tokens), dtype=np.float64)
    assert expected.max() > 1.0  # the question matches something
    np.testing.assert_allclose(_scores(lex, bundled_index.tokens, query_tokens(question)), expected, rtol=1e-4, atol=1e-5)


def test_no_two_terms_of_the_bundled_corpus_share_a_dimension(bundled_index) -> None:  # type: ignore[no-untyped-def]
    lex = sparse.Lexicon.of(bundled_index.tokens)
    assert len(lex.df) > 5000 and lex.collisions() == 0


def test_term_ids_are_stable_and_in_milvus_range() -> None:
    assert sparse.term_id("北京") == 3528305154  # a fixed function of the token: same on every machine
    ids = [sparse.term_id(t) for t in ("北京", "支持", "", "🤖", "a" * 1000)]
    assert all(0 <= i <= 2**32 - 2 for i in ids) and len(set(ids)) == len(ids)


def test_repeated_query_tokens_count_and_unknown_ones_match_nothing() -> None:
    lex = sparse.Lexicon.of([["北京", "支持"], ["上海", "支持"], ["上海"]])
    once, twice = lex.query_vector(["北京"]), lex.query_vector(["北京", "北京", "未知"])
    key = sparse.term_id("北京")
    assert set(once) == set(twice) == {key}
    assert twice[key] == pytest.approx(2 * once[key]) and once[key] > lex.idf("支持") > 0


def test_a_clause_without_tokens_still_has_a_weight() -> None:
    lex = sparse.Lexicon.of([[], ["上海"]])
    assert lex.clauses == 2 and lex.mean_length == 1.0
    assert sparse.Lexicon.clause_vector([], lex.mean_length) == {sparse.term_id(sparse.EMPTY): pytest.approx(1 / 2.2)}


def test_a_longer_clause_weighs_a_term_less() -> None:
    short, long_ = (sparse.Lexicon.clause_vector(t, 5.0) for t in (["算力"], ["算力", *tokenize("其他内容" * 10)]))
    key = sparse.term_id("算力")
    assert short[key] > long_[key] > 0


def test_passage_text_is_what_both_bm25s_tokenise(bundled_index) -> None:  # type: ignore[no-untyped-def]
    first = bundled_index.clauses[0]
    assert bundled_index.tokens[0] == tokenize(store.passage_text(first))
