"""Index build, persistence, incremental add and validation (the data directory: test_datadir.py)."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from rag import clauses, dates, ingest, measures, store, update
from rag.config import Settings
from rag.errors import IndexMismatchError


def test_build_writes_readable_manifest_and_no_pickle(tiny_settings: Settings) -> None:
    report = update.build(tiny_settings)
    assert report.index_dir == tiny_settings.data_index_dir
    manifest = json.loads((tiny_settings.data_index_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format_version"] == store.FORMAT_VERSION
    assert manifest["embedder"] == "fake-embedder"
    assert manifest["dimension"] == 64
    assert manifest["clause_count"] == report.clauses_total > 0
    assert manifest["document_count"] == 2
    assert set(manifest["files"]) == {"示例市人工智能若干措施.txt", "样本省人工智能规划.md"}
    assert manifest["added_files"] == [] and manifest["clause_chars"] == 400
    assert manifest["built_at"].endswith("Z")
    names = {p.name for p in tiny_settings.data_index_dir.iterdir()}
    assert names == {"manifest.json", *manifest["data"].values()}
    assert not [n for n in names if n.endswith((".pkl", ".pickle"))]


def test_load_round_trips_clauses_and_documents(tiny_settings: Settings) -> None:
    update.build(tiny_settings)
    index = store.load(tiny_settings)
    docs, _ = ingest.load_many(store.corpus_files(tiny_settings.corpus_dir))
    docs, split = dates.annotate(docs, [c for d in docs for c in clauses.split(d)])
    expected = measures.annotate(split)
    assert index.clauses == expected
    assert index.faiss_index.ntotal == len(expected)
    doc = next(d for d in index.documents.values() if "示例市" in d.title)
    first = index.clauses_of(doc.id)[1]
    assert doc.text[first.span[0] : first.span[1]].strip()


def test_rebuild_gives_same_clause_ids(tiny_settings: Settings) -> None:
    update.build(tiny_settings)
    first = [c.id for c in store.load(tiny_settings).clauses]
    report = update.build(tiny_settings)
    assert [c.id for c in store.load(tiny_settings).clauses] == first
    assert report.clauses_embedded == 0  # nothing changed, every vector reused


def test_adding_one_file_embeds_only_its_clauses(tiny_settings: Settings, tmp_path: Path) -> None:
    update.build(tiny_settings)
    before = store.load(tiny_settings)
    new = tmp_path / "新政策.txt"
    new.write_text("新城市人工智能政策\n\n第一条 支持智能网联汽车测试，给予最高200万元补助。\n", encoding="gb18030")
    report = update.build(tiny_settings, [new])
    after = store.load(tiny_settings)
    assert report.files == ("新政策.txt",)
    assert report.added == (update.FileOutcome("新政策.txt", stored_as="新政策.txt", clauses=1),)
    assert report.clauses_embedded == len(after.clauses) - len(before.clauses) > 0
    assert {c.id for c in before.clauses} <= {c.id for c in after.clauses}
    assert (tiny_settings.added_dir / "新政策.txt").read_bytes() == new.read_bytes()  # kept for rebuilds
    assert not (tiny_settings.corpus_dir / "新政策.txt").exists()  # the bundled corpus is never written


def test_bad_file_is_named_and_nothing_is_lost(tiny_settings: Settings, tmp_path: Path) -> None:
    update.build(tiny_settings)
    before = [c.id for c in store.load(tiny_settings).clauses]
    bad = tmp_path / "表格.xlsx"
    bad.write_bytes(b"PK\x03\x04 not a policy")
    broken = tmp_path / "坏文件.pdf"
    broken.write_bytes(b"%PDF-1.4 truncated")
    manifest = (tiny_settings.data_index_dir / "manifest.json").read_bytes()
    report = update.build(tiny_settings, [bad, broken, tmp_path / "不存在.txt"])
    failed = dict(report.failed)
    assert set(failed) == {str(bad), str(broken), str(tmp_path / "不存在.txt")}
    assert "xlsx" in failed[str(bad)] and "cannot read" in failed[str(tmp_path / "不存在.txt")]
    assert not report.built  # nothing new: nothing written
    assert (tiny_settings.data_index_dir / "manifest.json").read_bytes() == manifest
    assert [p.name for p in tiny_settings.added_dir.iterdir()] == []
    assert [c.id for c in store.load(tiny_settings).clauses] == before


def test_other_embedder_is_a_clear_mismatch(tiny_settings: Settings) -> None:
    update.build(tiny_settings)
    with pytest.raises(IndexMismatchError, match="rag index"):
        store.load(replace(tiny_settings, embedder="BAAI/bge-m3"))


def test_changed_corpus_warns_and_serves_the_last_good_index(
    tiny_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    update.build(tiny_settings)
    before = [c.id for c in store.load(tiny_settings).clauses]
    (tiny_settings.corpus_dir / "另一份.txt").write_text("另一份政策\n\n第一条 内容。\n", encoding="utf-8")
    index = store.load(tiny_settings)
    assert [c.id for c in index.clauses] == before
    [warning] = index.warnings
    assert re.search(r"not indexed: 另一份\.txt.*serves as it is; run `rag index`", warning)
    assert warning in caplog.text
    update.build(tiny_settings)
    assert store.load(tiny_settings).warnings == ()


@pytest.mark.parametrize("manifest", ["{not json", json.dumps({"format_version": 999})])
def test_bad_manifest_names_the_fix(tiny_settings: Settings, manifest: str) -> None:
    update.build(tiny_settings)
    (tiny_settings.data_index_dir / "manifest.json").write_text(manifest, encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="rag index"):
        store.load(tiny_settings)


def test_missing_index_names_the_fix(tmp_path: Path, fake_embedder: object) -> None:
    with pytest.raises(FileNotFoundError, match="rag index"):
        store.load(Settings(index_dir=tmp_path / "nowhere", corpus_dir=tmp_path, home=tmp_path, embedder="fake-embedder"))


def test_committed_index_is_fresh() -> None:
    """The committed index matches the bundled corpus and the current splitter (by hashes, no embedding)."""
    settings = Settings()
    manifest = store.read_manifest(settings.index_dir)
    files = {p.name: store.file_digest(p) for p in store.corpus_files(settings.corpus_dir)}
    assert manifest["files"] == files, "corpus changed since the index was built: run `rag index --bundled`"
    docs, failed = ingest.load_many(store.corpus_files(settings.corpus_dir))
    assert not failed
    docs, split = dates.annotate(docs, [c for d in docs for c in clauses.split(d)])
    expected = [c.to_json() for c in measures.annotate(split)]
    stored = [json.loads(line) for line in (settings.index_dir / manifest["data"]["clauses"]).open(encoding="utf-8")]
    assert stored == expected, "clauses differ from the committed index: run `rag index --bundled`"


def test_copy_of_index_is_self_contained(tmp_path: Path, fake_embedder: object, tiny_settings: Settings) -> None:
    update.build(tiny_settings)
    moved = tmp_path / "moved"
    shutil.copytree(tiny_settings.data_index_dir, moved)
    shutil.rmtree(tiny_settings.data_index_dir)
    index = store.load(replace(tiny_settings, index_dir=moved))
    assert index.location == moved
    assert len(index.clauses) == index.faiss_index.ntotal > 0
