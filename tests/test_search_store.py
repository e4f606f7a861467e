"""Scopes (what a search may return), as FAISS masks and as Milvus filter expressions."""

from __future__ import annotations

import pytest

from rag.milvus import expression
from rag.model import Clause
from rag.search_store import Scope


def clause(doc: str, region: str | None, year: int | None) -> Clause:
    return Clause(id=f"{doc}:1", doc_id=doc, doc_title=doc, path=[], number=None, text="正文", span=(0, 2),
                  source=f"{doc}.txt", region=region, year=year)


CLAUSES = [clause("a", "北京市", 2020), clause("b", "北京市", 2022), clause("c", "上海市", 2022), clause("d", None, None)]


@pytest.mark.parametrize(
    ("scope", "admitted"),
    [
        (Scope(), "abcd"),
        (Scope(docs=frozenset({"a", "c"})), "ac"),
        (Scope(regions=frozenset({"北京市"})), "ab"),
        (Scope(years=frozenset({2022})), "bc"),
        (Scope(not_docs=frozenset({"a", "d"})), "bc"),
        (Scope(regions=frozenset({"北京市"})) & Scope(years=frozenset({2022})), "b"),
        (Scope(docs=frozenset({"a", "b"})) & Scope(docs=frozenset({"b", "c"})), "b"),
        (Scope(docs=frozenset({"a"})) & Scope(not_docs=frozenset({"a"})), ""),
    ],
)
def test_scopes_admit_what_they_say(scope: Scope, admitted: str) -> None:
    assert "".join(c.doc_id for c in CLAUSES if scope.admits(c)) == admitted
    assert list(scope.mask(CLAUSES)) == [c.doc_id in admitted for c in CLAUSES]
    assert scope.empty == (admitted == "")


def test_an_empty_condition_admits_nothing() -> None:
    assert Scope(regions=frozenset()).empty and Scope(years=frozenset()).empty and not Scope().empty


def test_scopes_become_milvus_filter_expressions() -> None:
    assert expression(None) == "" and expression(Scope()) == ""
    scope = Scope(docs=frozenset({"b", "a"}), regions=frozenset({"北京市"}), years=frozenset({2022, 2020}),
                  not_docs=frozenset({"c"}))
    assert expression(scope) == (
        'doc_id in ["a", "b"] and region in ["北京市"] and year in [2020, 2022] and doc_id not in ["c"]'
    )


def test_quotes_and_backslashes_in_names_cannot_break_out_of_the_string() -> None:
    text = expression(Scope(docs=frozenset({'甲" or doc_id != "', "乙\\"})))
    assert text == 'doc_id in ["乙\\\\", "甲\\" or doc_id != \\""]'


def test_faiss_positions_are_the_clauses_the_scope_admits(bundled_index) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    from rag.search_store import FaissStore

    store = FaissStore(bundled_index)
    docs = sorted({c.doc_id for c in bundled_index.clauses})
    regions = sorted({c.region for c in bundled_index.clauses if c.region})
    scopes = [
        Scope(docs=frozenset(docs[:1])),
        Scope(docs=frozenset(docs[3:6]), regions=frozenset(regions[:2])),
        Scope(regions=frozenset(regions[1:3])),
        Scope(years=frozenset({2020})),
        Scope(not_docs=frozenset(docs[:10])),
        Scope(docs=frozenset()),
    ]
    for scope in scopes:
        expected = np.flatnonzero(scope.mask(bundled_index.clauses))
        assert np.array_equal(store.positions(scope), expected), scope
