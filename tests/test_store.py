"""Index build, persistence, incremental add, atomic replace and validation."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import FIXTURES, PROJECT

from rag import clauses, dates, ingest, measures, store
from rag.config import Settings
from rag.errors import IndexMismatchError


def test_build_writes_readable_manifest_and_no_pickle(tiny_settings: Settings) -> None:
    report = store.build(tiny_settings)
    manifest = json.loads((tiny_settings.index_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format_version"] == store.FORMAT_VERSION
    assert manifest["embedder"] == "fake-embedder"
    assert manifest["dimension"] == 64
    assert manifest["clause_count"] == report.clauses_total > 0
    assert manifest["document_count"] == 2
    assert set(manifest["files"]) == {"示例市人工智能若干措施.txt", "样本省人工智能规划.md"}
    assert manifest["built_at"].endswith("Z")
    names = {p.name for p in tiny_settings.index_dir.iterdir()}
    assert names == {"manifest.json", *manifest["data"].values()}
    assert not [n for n in names if n.endswith((".pkl", ".pickle"))]


def test_load_round_trips_clauses_and_documents(tiny_settings: Settings) -> None:
    store.build(tiny_settings)
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
    store.build(tiny_settings)
    first = [c.id for c in store.load(tiny_settings).clauses]
    report = store.build(tiny_settings)
    assert [c.id for c in store.load(tiny_settings).clauses] == first
    assert report.clauses_embedded == 0  # nothing changed, every vector reused


def test_adding_one_file_embeds_only_its_clauses(tiny_settings: Settings, tmp_path: Path) -> None:
    store.build(tiny_settings)
    before = store.load(tiny_settings)
    new = tmp_path / "新政策.txt"
    new.write_text("新城市人工智能政策\n\n第一条 支持智能网联汽车测试，给予最高200万元补助。\n", encoding="gb18030")
    report = store.build(tiny_settings, [new])
    after = store.load(tiny_settings)
    assert report.files == ("新政策.txt",)
    assert report.clauses_embedded == len(after.clauses) - len(before.clauses) > 0
    assert {c.id for c in before.clauses} <= {c.id for c in after.clauses}
    assert (tiny_settings.corpus_dir / "新政策.txt").exists()  # kept for later rebuilds


def test_bad_file_is_named_and_nothing_is_lost(tiny_settings: Settings, tmp_path: Path) -> None:
    store.build(tiny_settings)
    before = [c.id for c in store.load(tiny_settings).clauses]
    bad = tmp_path / "表格.xlsx"
    bad.write_bytes(b"PK\x03\x04 not a policy")
    broken = tmp_path / "坏文件.pdf"
    broken.write_bytes(b"%PDF-1.4 truncated")
    report = store.build(tiny_settings, [bad, broken])
    failed = dict(report.failed)
    assert set(failed) == {str(bad), str(broken)}
    assert "xlsx" in failed[str(bad)]
    assert [c.id for c in store.load(tiny_settings).clauses] == before


def test_other_embedder_is_a_clear_mismatch(tiny_settings: Settings) -> None:
    store.build(tiny_settings)
    with pytest.raises(IndexMismatchError, match="rag index"):
        store.load(replace(tiny_settings, embedder="BAAI/bge-m3"))


def test_changed_corpus_is_a_clear_mismatch(tiny_settings: Settings) -> None:
    store.build(tiny_settings)
    (tiny_settings.corpus_dir / "另一份.txt").write_text("另一份政策\n\n第一条 内容。\n", encoding="utf-8")
    with pytest.raises(IndexMismatchError, match=r"not indexed: 另一份\.txt.*rag index"):
        store.load(tiny_settings)


@pytest.mark.parametrize("manifest", ["{not json", json.dumps({"format_version": 999})])
def test_bad_manifest_names_the_fix(tiny_settings: Settings, manifest: str) -> None:
    store.build(tiny_settings)
    (tiny_settings.index_dir / "manifest.json").write_text(manifest, encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="rag index"):
        store.load(tiny_settings)


def test_missing_index_names_the_fix(tmp_path: Path, fake_embedder: object) -> None:
    with pytest.raises(FileNotFoundError, match="rag index"):
        store.load(Settings(index_dir=tmp_path / "nowhere", corpus_dir=tmp_path, embedder="fake-embedder"))


_SLOW_BUILD = """
import sys, time
sys.path.insert(0, {tests!r}); sys.path.insert(0, {project!r})
from conftest import FakeEmbedder
from rag import embed, store
from rag.config import Settings

class Slow(FakeEmbedder):
    def passages(self, texts):
        print("embedding", flush=True)
        time.sleep(30)
        return super().passages(texts)

embed._CACHE["fake-embedder"] = Slow()
store.build(Settings(index_dir={index!r}, corpus_dir={corpus!r}, embedder="fake-embedder"))
"""


def test_killed_build_leaves_previous_index_loadable(tiny_settings: Settings) -> None:
    store.build(tiny_settings)
    before = [c.id for c in store.load(tiny_settings).clauses]
    (tiny_settings.corpus_dir / "新增.txt").write_text(
        "新增城市人工智能政策\n\n第一条 支持企业建设智能算力平台，按投资额给予补助。\n"
        "第二条 对引进的高层次人工智能人才给予安家奖励。\n",
        encoding="utf-8",
    )
    code = _SLOW_BUILD.format(tests=str(FIXTURES.parent), project=str(PROJECT),
                              index=str(tiny_settings.index_dir), corpus=str(tiny_settings.corpus_dir))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "embedding"
    proc.kill()
    proc.wait()
    os.remove(tiny_settings.corpus_dir / "新增.txt")
    assert [c.id for c in store.load(tiny_settings).clauses] == before


def test_committed_index_is_fresh() -> None:
    """The committed index matches the bundled corpus and the current splitter (by hashes, no embedding)."""
    settings = Settings()
    manifest = store.read_manifest(settings.index_dir)
    files = {p.name: store.file_digest(p) for p in store.corpus_files(settings.corpus_dir)}
    assert manifest["files"] == files, "corpus changed since the index was built: run `rag index`"
    docs, failed = ingest.load_many(store.corpus_files(settings.corpus_dir))
    assert not failed
    docs, split = dates.annotate(docs, [c for d in docs for c in clauses.split(d)])
    expected = [c.to_json() for c in measures.annotate(split)]
    stored = [json.loads(line) for line in (settings.index_dir / manifest["data"]["clauses"]).open(encoding="utf-8")]
    assert stored == expected, "clauses differ from the committed index: run `rag index`"


def test_copy_of_index_is_self_contained(tmp_path: Path, fake_embedder: object, tiny_settings: Settings) -> None:
    store.build(tiny_settings)
    moved = tmp_path / "moved"
    shutil.copytree(tiny_settings.index_dir, moved)
    shutil.rmtree(tiny_settings.index_dir)
    index = store.load(replace(tiny_settings, index_dir=moved))
    assert len(index.clauses) == index.faiss_index.ntotal > 0
