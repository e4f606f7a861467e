"""RAG_STORE=milvus: `rag index` fills the collection (Milvus Lite embedded and `milvus-lite server`), adds
and removes rows idempotently, refuses another embedder's collection, and searches like FAISS."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import GOLD_DEV, FakeEmbedder, collection_for, milvus_settings

from rag import cli, embed, milvus, retrieve, store, ui, update
from rag.config import Settings
from rag.errors import IndexMismatchError, InputError, StoreError
from rag.evaluate import load_gold, run, summarize
from rag.search_store import FaissStore, Query, Scope
from rag.text import query_tokens

pytestmark = pytest.mark.milvus
KINDS = ("milvus-lite", "milvus-server")
QUESTIONS = ("图灵奖获得者创业资助", "智能算力中心补助", "人工智能应用场景清单", "示例市科技局", "与本库无关的问题")
POLICY = "丙市人工智能若干措施\n\n第一条 对人工智能企业租用算力给予30%补贴。\n\n第二条 对新落户企业奖励100万元。\n"


@pytest.fixture(params=KINDS)
def msettings(request: pytest.FixtureRequest, tiny_settings: Settings, tmp_path: Path) -> Settings:
    """tiny_settings (fake embedder, tiny corpus) with RAG_STORE=milvus, a collection of this test's own."""
    s = milvus_settings(request.param, tmp_path, request, collection=collection_for(request))
    yield replace(tiny_settings, store=s.store, milvus_uri=s.milvus_uri, milvus_collection=s.milvus_collection)
    milvus.disconnect(s)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def rows(settings: Settings) -> dict[str, str]:
    """{id: doc_id} of every row of the collection."""
    client = milvus.connect(settings)
    found = client.query(settings.milvus_collection, filter="", output_fields=["id", "doc_id"], limit=16384)
    return {str(r["id"]): str(r["doc_id"]) for r in found}


def both_stores(settings: Settings) -> tuple[store.Index, store.Index]:
    return store.load(settings), store.load(replace(settings, store="faiss"))


def assert_same_lists(got: list[tuple[int, float]], want: list[tuple[int, float]]) -> None:
    """Same clauses with the same scores (order among equal scores may differ)."""
    assert dict(got).keys() == dict(want).keys()
    for pos, score in got:
        assert score == pytest.approx(dict(want)[pos], rel=1e-4, abs=1e-5)


# ---------------------------------------------------------------- filling and searching


def test_rag_index_fills_the_collection_and_it_searches_like_faiss(msettings: Settings) -> None:
    report = update.build(msettings)
    assert report.store is not None and report.store.upserted == report.clauses_total > 0
    mil, fai = both_stores(msettings)
    assert mil.search_store.kind == "milvus" and mil.faiss_index is None and mil.warnings == ()
    assert set(rows(msettings)) == {c.id for c in mil.clauses}
    doc = mil.clauses[0].doc_id
    for question in QUESTIONS:
        vector = retrieve.query_vector(mil, question)
        for scope in (None, Scope(docs=frozenset({doc})), Scope(not_docs=frozenset({doc})), Scope(docs=frozenset())):
            query = Query(vector, query_tokens(question))
            got, want = mil.search_store.ranked(query, scope, 60), FaissStore(fai).ranked(query, scope, 60)
            assert_same_lists(got[0], want[0])
            assert_same_lists(got[1], want[1])
        assert [h.clause.id for h in retrieve.search(mil, question, 3)] == [
            h.clause.id for h in retrieve.search(fai, question, 3)
        ]


def test_indexing_again_writes_nothing(msettings: Settings) -> None:
    first = update.build(msettings)
    again = update.build(msettings)
    assert again.store.upserted == 0 and again.store.deleted == 0
    assert again.store.unchanged == first.clauses_total
    assert store.load(msettings).warnings == ()


def test_an_added_file_writes_its_own_rows(msettings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(milvus, "MEAN_DRIFT", 10.0)  # the BM25 mean length stays pinned whatever is added
    before = update.build(msettings)
    report = update.build(msettings, [write(tmp_path / "in", "丙市人工智能若干措施.txt", POLICY)])
    new = report.clauses_total - before.clauses_total
    assert new > 0 and report.store.upserted == new and report.store.unchanged == before.clauses_total
    index = store.load(msettings)
    hits = retrieve.search(index, "丙市租用算力补贴", 3)
    assert hits[0].clause.doc_id == "丙市人工智能若干措施" and hits[0].why != "lookup"


def test_a_moved_mean_length_rewrites_every_row(msettings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(milvus, "MEAN_DRIFT", 0.0)
    update.build(msettings)
    report = update.build(msettings, [write(tmp_path / "in", "丙市人工智能若干措施.txt", POLICY)])
    assert report.store.upserted == report.clauses_total  # every BM25 weight depends on the mean length
    mil, fai = both_stores(msettings)
    query = Query(retrieve.query_vector(mil, "算力补贴"), query_tokens("算力补贴"))
    assert_same_lists(mil.search_store.lexical(query, None, 60), FaissStore(fai).lexical(query, None, 60))


def test_a_removed_file_loses_its_rows(msettings: Settings, tmp_path: Path) -> None:
    update.build(msettings, [write(tmp_path / "in", "丙市人工智能若干措施.txt", POLICY)])
    assert "丙市人工智能若干措施" in rows(msettings).values()
    (msettings.added_dir / "丙市人工智能若干措施.txt").unlink()
    report = update.build(msettings)
    assert report.store.deleted >= 2 and report.store.upserted <= report.clauses_total
    assert "丙市人工智能若干措施" not in rows(msettings).values()
    index = store.load(msettings)
    assert len(rows(msettings)) == len(index.clauses)
    assert all(h.clause.doc_id != "丙市人工智能若干措施" for h in retrieve.search(index, "丙市租用算力补贴", 5))


def test_rag_remove_deletes_the_rows(msettings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(milvus, "MEAN_DRIFT", 10.0)  # no rewrite for a moved BM25 mean: only the deletions
    update.build(msettings, [write(tmp_path / "in", "丙市人工智能若干措施.txt", POLICY)])
    report = update.remove(msettings, ["丙市人工智能若干措施.txt"])
    assert report.store.deleted >= 2 and report.store.upserted == 0
    assert "丙市人工智能若干措施" not in rows(msettings).values()
    assert store.load(msettings).warnings == ()


def test_names_with_quotes_filter_exactly(msettings: Settings, tmp_path: Path) -> None:
    name = '丙市"人工智能"若干措施'
    update.build(msettings, [write(tmp_path / "in", f"{name}.txt", POLICY)])
    index = store.load(msettings)
    hits = retrieve.search(index, "算力补贴", 5, filters={"doc": name})
    assert hits and {h.clause.doc_id for h in hits} == {name}
    others = retrieve.outside(retrieve.Scores(index, "算力补贴", retrieve.query_vector(index, "算力补贴")), [name], 5)
    assert others and name not in {h.clause.doc_id for h in others}


# ---------------------------------------------------------------- what does not match


class OtherEmbedder(FakeEmbedder):
    id = "fake-embedder-32"
    dim = 32
    calls = 0

    def passages(self, texts: list[str]) -> np.ndarray:
        OtherEmbedder.calls += 1
        return super().passages(texts)


def test_a_collection_of_another_embedder_is_refused_before_anything_is_embedded(
    msettings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    update.build(msettings)
    monkeypatch.setitem(embed._CACHE, OtherEmbedder.id, OtherEmbedder())
    other = replace(msettings, embedder=OtherEmbedder.id)
    OtherEmbedder.calls = 0
    with pytest.raises(IndexMismatchError) as refused:
        update.build(other)
    message = str(refused.value)
    assert "fake-embedder (64 dimensions)" in message and "fake-embedder-32 (32 dimensions)" in message
    assert "rag index --recreate" in message and "RAG_MILVUS_COLLECTION" in message
    assert OtherEmbedder.calls == 0
    report = update.build(other, recreate=True)
    assert report.store.upserted == report.clauses_total and OtherEmbedder.calls > 0
    assert store.load(other).search_store.kind == "milvus"


def test_loading_against_another_embedders_collection_is_refused(msettings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(embed._CACHE, OtherEmbedder.id, OtherEmbedder())
    update.build(replace(msettings, embedder=OtherEmbedder.id, home=tmp_path / "other-home"))
    update.build(replace(msettings, store="faiss"))  # the local index is fake-embedder's; the collection is not
    with pytest.raises(IndexMismatchError, match="rag index --recreate"):
        store.load(msettings)


def test_no_collection_says_to_run_rag_index(msettings: Settings) -> None:
    update.build(replace(msettings, store="faiss"))
    with pytest.raises(IndexMismatchError, match="run `rag index`"):
        store.load(msettings)


def test_a_collection_behind_the_index_serves_with_a_warning_and_unknown_rows_are_skipped(
    msettings: Settings, tmp_path: Path
) -> None:
    update.build(msettings, [write(tmp_path / "in", "丙市人工智能若干措施.txt", POLICY)])
    (msettings.added_dir / "丙市人工智能若干措施.txt").unlink()
    update.build(replace(msettings, store="faiss"))  # the local index moves on; Milvus still has 丙市's rows
    index = store.load(msettings)
    assert any("does not mirror" in w and "rag index" in w for w in index.warnings)
    hits = retrieve.search(index, "丙市租用算力补贴", 5)
    assert hits and all(h.clause.doc_id != "丙市人工智能若干措施" for h in hits)


@pytest.mark.parametrize("point", ["store-upserted", "data-written", "manifest-swapped"])
def test_a_change_that_dies_around_the_commit_point_leaves_a_serving_pair(
    msettings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, point: str
) -> None:
    update.build(msettings)
    before = {c.id for c in store.load(msettings).clauses}

    def die(reached: str) -> None:
        if reached == point:
            raise RuntimeError(f"killed at {reached}")

    monkeypatch.setattr(update, "on_checkpoint", die)
    with pytest.raises(RuntimeError):
        update.build(msettings, [write(tmp_path / "in", "丙市人工智能若干措施.txt", POLICY)])
    monkeypatch.setattr(update, "on_checkpoint", None)
    index = store.load(msettings)  # the previous index, or the new one: either serves
    committed = point == "manifest-swapped"
    assert ({c.id for c in index.clauses} == before) != committed
    assert "丙市人工智能若干措施" in rows(msettings).values()  # its rows went in before the commit point
    hits = retrieve.search(index, "丙市租用算力补贴", 5)
    assert hits and all(index.position(h.clause.id) is not None for h in hits)
    if not committed:
        assert all(h.clause.doc_id != "丙市人工智能若干措施" for h in hits)
    report = update.build(msettings)  # the next change brings the collection in step
    assert set(rows(msettings)) == {c.id for c in store.load(msettings).clauses}
    assert store.load(msettings).warnings == () and (report.store.deleted > 0) != committed


def test_recreate_needs_the_milvus_store(tiny_settings: Settings) -> None:
    with pytest.raises(InputError, match="RAG_STORE=milvus"):
        update.build(tiny_settings, recreate=True)


# ---------------------------------------------------------------- the command line and the app


@pytest.mark.parametrize("kind", KINDS)
def test_rag_index_then_search_and_ask_from_the_command_line(
    kind: str, tiny_settings: Settings, tmp_path: Path, request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    s = milvus_settings(kind, tmp_path, request, collection=collection_for(request))
    env = {"RAG_STORE": "milvus", "RAG_MILVUS_URI": s.milvus_target, "RAG_MILVUS_COLLECTION": s.milvus_collection,
           "RAG_EMBEDDER": tiny_settings.embedder, "RAG_HOME": str(tiny_settings.home),
           "RAG_CORPUS_DIR": str(tiny_settings.corpus_dir), "RAG_INDEX_DIR": str(tiny_settings.index_dir)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        assert cli.main(["index"]) == 0
        assert "milvus collection" in capsys.readouterr().out
        assert cli.main(["search", "--json", "-k", "2", "图灵奖获得者创业资助"]) == 0
        hits = json.loads(capsys.readouterr().out)["hits"]
        assert len(hits) == 2 and "图灵奖" in hits[0]["text"]
        assert cli.main(["ask", "--json", "示例市对图灵奖获得者创业有什么资助？"]) == 0
        answer = json.loads(capsys.readouterr().out)
        assert answer["citations"] and any("图灵奖" in c["text"] for c in answer["citations"])
    finally:
        milvus.disconnect(s)


def test_an_upload_in_the_app_goes_to_the_milvus_collection(msettings: Settings, tmp_path: Path) -> None:
    update.build(msettings)
    ws = ui.Workspace.load(msettings)
    results = ws.add_files([(write(tmp_path / "upload", "丙市人工智能若干措施.txt", POLICY), "丙市人工智能若干措施.txt")])
    assert not results[0].error and results[0].clauses >= 2
    assert ws.index.search_store.kind == "milvus" and "丙市人工智能若干措施" in rows(msettings).values()
    assert retrieve.search(ws.index, "丙市租用算力补贴", 3)[0].clause.doc_id == "丙市人工智能若干措施"


# ---------------------------------------------------------------- connections


def test_a_milvus_lite_file_another_process_holds_says_what_to_do(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    s = milvus_settings("milvus-lite", tmp_path, request)
    code = ("import sys, time; from pymilvus import MilvusClient; MilvusClient(sys.argv[1]); print('open', flush=True); "
            "time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code, s.milvus_target], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match="milvus-lite server --host 127.0.0.1") as refused:
            milvus.connect(s)
        assert "another one" in str(refused.value)
    finally:
        holder.kill()
        holder.wait()
        milvus.disconnect(s)


def test_an_unreachable_server_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pymilvus")
    from milvus_server import free_port

    monkeypatch.setattr(milvus, "CONNECT_SECONDS", 2.0)
    s = Settings(home=tmp_path, store="milvus", milvus_uri=f"http://127.0.0.1:{free_port()}", milvus_token="secret-token")
    with pytest.raises(StoreError, match="cannot reach Milvus at http://127.0.0.1") as failed:
        milvus.connect(s)
    assert "secret-token" not in str(failed.value)


def test_a_server_dropping_a_new_connection_once_is_tried_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a busy server may answer a new connection with GOAWAY (too_many_pings); the next try gets through
    pymilvus = pytest.importorskip("pymilvus")
    from pymilvus.exceptions import MilvusException

    tries: list[str] = []

    class Flaky:
        def __init__(self, uri: str, **_: object) -> None:
            tries.append(uri)
            if len(tries) == 1:
                raise MilvusException(message="UNAVAILABLE: Too many pings")

        def close(self) -> None:
            pass

    monkeypatch.setattr(pymilvus, "MilvusClient", Flaky)
    monkeypatch.setattr(milvus, "RECONNECT_PAUSE", 0.0)
    s = Settings(home=tmp_path, store="milvus", milvus_uri="http://127.0.0.1:1", milvus_collection="flaky")
    try:
        assert isinstance(milvus.connect(s), Flaky) and len(tries) == 2
    finally:
        milvus.disconnect(s)


# ---------------------------------------------------------------- retrieval figures


@pytest.fixture(scope="module")
def dev_figures(bundled_index):  # type: ignore[no-untyped-def]
    """`rag eval dev --no-answers` figures of an index, each dev question embedded once for every store."""
    items = load_gold(GOLD_DEV)
    questions = list(dict.fromkeys(i.question for i in items))
    vectors = dict(zip(questions, embed.get(bundled_index.embedder_id).queries(questions), strict=True))

    def figures(index: store.Index) -> dict[str, float]:
        overall = summarize(run(items, lambda q: retrieve.search(index, q, 10, scores=retrieve.Scores(index, q, vectors[q])), None), 5)["overall"]
        return {k: overall[k] for k in ("recall@1", "recall@5", "recall@10", "mrr@10")}

    return figures


def test_dev_retrieval_figures_match_faiss_within_a_hundredth(store_index, bundled_index, dev_figures) -> None:  # type: ignore[no-untyped-def]
    got, want = dev_figures(store_index), dev_figures(bundled_index)
    assert want["recall@5"] > 0.8
    assert all(abs(got[k] - want[k]) <= 0.01 for k in want), (got, want)


# ---------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"RAG_STORE": "pgvector"}, "RAG_STORE must be one of faiss, milvus"),
        ({"RAG_MILVUS_URI": "milvus.example:19530"}, "path ending in .db"),
        ({"RAG_MILVUS_URI": "http://root:Milvus@127.0.0.1:19530"}, "http(s)://host:port"),
        ({"RAG_MILVUS_COLLECTION": "rag-clauses"}, "RAG_MILVUS_COLLECTION"),
    ],
)
def test_store_settings_are_checked(env: dict[str, str], complaint: str) -> None:
    with pytest.raises(InputError) as bad:
        Settings.from_env(env)
    assert complaint in str(bad.value)


def test_store_settings_default_to_milvus_lite_in_rag_home_and_hide_the_token(tmp_path: Path) -> None:
    s = Settings.from_env({"RAG_STORE": "Milvus", "RAG_HOME": str(tmp_path), "RAG_MILVUS_TOKEN": "root:secret"})
    assert s.store == "milvus" and s.milvus_target == str(tmp_path / "milvus.db")
    assert s.milvus_collection == "rag_clauses" and "secret" not in repr(s) and "milvus_token=set" in repr(s)
    server = Settings.from_env({"RAG_STORE": "milvus", "RAG_MILVUS_URI": "https://milvus.example.cn:443"})
    assert server.milvus_target == "https://milvus.example.cn:443"
