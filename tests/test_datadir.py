"""The data directory (RAG_HOME) layered over the bundled index: what loads, what a change writes,
what it reuses, and how stale state, a held lock and a spent time budget are handled."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import FakeEmbedder

from rag import embed, ingest, lock, store, ui, update
from rag.config import Settings
from rag.errors import BudgetError, BusyError, IndexMismatchError

POLICY_A = "甲市人工智能扶持办法\n\n第一条 对新落户的人工智能企业给予一次性奖励88万元。\n\n第二条 对算力券给予50%补贴。\n"
POLICY_B = "乙市智能网联汽车办法\n\n第一条 支持智能网联汽车道路测试，给予最高200万元补助。\n"


@pytest.fixture
def shipped(tiny_settings: Settings) -> Settings:
    """tiny_settings with a bundled index of its corpus, as the product ships one."""
    update.build_bundled(tiny_settings)
    return tiny_settings


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, str]:
    """{relative path: sha256} of everything under folder, hidden files included (but the lock file,
    which names its last holder)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != update.LOCK_FILE
    }


def test_without_added_files_the_bundled_index_serves(shipped: Settings) -> None:
    index = store.load(shipped)
    assert index.location == shipped.index_dir and index.warnings == ()
    assert not shipped.data_index_dir.exists()


def test_adding_writes_only_the_data_directory(shipped: Settings, tmp_path: Path) -> None:
    bundled_index, bundled_corpus = snapshot(shipped.index_dir), snapshot(shipped.corpus_dir)
    before = store.load(shipped)
    report = update.build(shipped, [write(tmp_path / "in", "甲市办法.txt", POLICY_A)])
    assert snapshot(shipped.index_dir) == bundled_index and snapshot(shipped.corpus_dir) == bundled_corpus
    after = store.load(shipped)
    assert after.location == shipped.data_index_dir and after.warnings == ()
    assert len(after.documents) == len(before.documents) + 1
    assert report.clauses_embedded == len(after.clauses) - len(before.clauses) == 2  # bundled vectors reused
    assert after.manifest["added_files"] == ["甲市办法.txt"]
    assert sorted(p.name for p in shipped.added_dir.iterdir()) == ["甲市办法.txt"]


def test_second_add_reads_only_the_new_file(
    shipped: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    update.build(shipped, [write(tmp_path / "in", "甲市办法.txt", POLICY_A)])
    read: list[str] = []
    real_load = ingest.load

    def counting_load(path: Path, limits: ingest.Limits = ingest.NO_LIMITS) -> list[ingest.Document]:
        read.append(Path(path).name)
        return real_load(path, limits)

    monkeypatch.setattr(ingest, "load", counting_load)
    report = update.build(shipped, [write(tmp_path / "in", "乙市办法.txt", POLICY_B)])
    assert read == ["乙市办法.txt"] and report.clauses_embedded == 1


def test_rag_index_without_paths_rebuilds_bundled_and_added(shipped: Settings, tmp_path: Path) -> None:
    update.build(shipped, [write(tmp_path / "in", "甲市办法.txt", POLICY_A)])
    first = [c.id for c in store.load(shipped).clauses]
    report = update.build(shipped)
    assert report.clauses_embedded == 0
    assert [c.id for c in store.load(shipped).clauses] == first


def test_data_index_warns_after_the_bundled_corpus_changed(shipped: Settings, tmp_path: Path) -> None:
    """An upgrade may ship a new corpus: the data index serves with a warning until `rag index`."""
    update.build(shipped, [write(tmp_path / "in", "甲市办法.txt", POLICY_A)])
    bundled = store.corpus_files(shipped.corpus_dir)[0]
    bundled.write_text(bundled.read_text(encoding="utf-8") + "\n第九条 新增的一条措施。\n", encoding="utf-8")
    index = store.load(shipped)
    assert index.location == shipped.data_index_dir
    [warning] = index.warnings
    assert str(shipped.corpus_dir) in warning and f"changed: {bundled.name}" in warning and "rag index" in warning
    update.build(shipped)
    index = store.load(shipped)
    assert index.warnings == () and "甲市办法.txt" in index.manifest["added_files"]
    assert any("新增的一条措施" in c.text for c in index.clauses)


class OtherEmbedder(FakeEmbedder):
    id = "other-embedder"
    dim = 32


def test_changed_embedder_builds_the_full_index_in_the_data_dir(
    shipped: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(embed._CACHE, OtherEmbedder.id, OtherEmbedder())
    other = replace(shipped, embedder=OtherEmbedder.id)
    with pytest.raises(IndexMismatchError, match="built with fake-embedder but RAG_EMBEDDER is other-embedder.*rag index"):
        store.load(other)
    bundled = snapshot(shipped.index_dir)
    report = update.build(other)
    assert report.clauses_embedded == report.clauses_total > 0
    assert snapshot(shipped.index_dir) == bundled
    index = store.load(other)
    assert index.location == other.data_index_dir and index.faiss_index.d == 32


def test_same_bytes_under_another_name_are_not_added_again(shipped: Settings, tmp_path: Path) -> None:
    update.build(shipped, [write(tmp_path / "in", "甲市办法.txt", POLICY_A)])
    manifest = (shipped.data_index_dir / "manifest.json").read_bytes()
    report = update.add(shipped, [(write(tmp_path / "in", "x", POLICY_A), "另一个名字.txt")])
    assert report.added == (update.FileOutcome("另一个名字.txt", duplicate_of="甲市办法.txt"),)
    assert not report.built and (shipped.data_index_dir / "manifest.json").read_bytes() == manifest


def test_a_taken_stem_gets_a_free_name(shipped: Settings, tmp_path: Path) -> None:
    bundled = store.corpus_files(shipped.corpus_dir)[0]
    report = update.add(shipped, [(write(tmp_path / "in", "x", POLICY_A), bundled.stem.upper() + ".md")])
    [outcome] = report.added
    assert outcome.stored_as == bundled.stem.upper() + "-2.md" and outcome.clauses == 2


@pytest.mark.parametrize(
    ("name", "taken", "free"),
    [("a.txt", set(), "a.txt"), ("a.txt", {"a.txt"}, "a-2.txt"), ("a.txt", {"A.md", "a-2.pdf"}, "a-3.txt")],
)
def test_free_name(name: str, taken: set[str], free: str) -> None:
    assert update.free_name(name, taken) == free


@pytest.mark.parametrize(
    ("name", "problem"),
    [("../a.txt", "not a plain file name"), (".hidden.txt", "may not start with '.'"),
     ("a\nb.txt", "not a plain file name"), ("slides.pptx", "unsupported file type .pptx")],
)
def test_names_that_cannot_be_corpus_files_are_refused(
    shipped: Settings, tmp_path: Path, name: str, problem: str
) -> None:
    [outcome] = update.add(shipped, [(write(tmp_path / "in", "x", POLICY_A), name)]).added
    assert outcome.error is not None and problem in outcome.error


def test_an_added_file_with_a_bundled_stem_is_left_out(
    shipped: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    bundled = store.corpus_files(shipped.corpus_dir)[0]
    write(shipped.added_dir, bundled.stem + ".txt", POLICY_A)  # put there by hand
    update.build(shipped)
    assert "has the name of a bundled file" in caplog.text
    assert store.load(shipped).manifest["added_files"] == []


def test_a_file_copied_into_the_data_corpus_by_hand_is_indexed_when_named(shipped: Settings) -> None:
    by_hand = write(shipped.added_dir, "手工放入.txt", POLICY_A)
    assert "not indexed: 手工放入.txt" in store.load(shipped).warnings[0]
    report = update.build(shipped, [by_hand])
    assert report.built and report.added == (update.FileOutcome("手工放入.txt", duplicate_of="手工放入.txt"),)
    index = store.load(shipped)
    assert index.warnings == () and index.manifest["added_files"] == ["手工放入.txt"]


# ---------------------------------------------------------------- recovery


def test_recover_removes_what_interrupted_changes_left(shipped: Settings, tmp_path: Path) -> None:
    update.build(shipped, [write(tmp_path / "in", "甲市办法.txt", POLICY_A)])
    write(shipped.added_dir / ".build-dead", "半截.txt", POLICY_B)
    write(shipped.data_index_dir / ".build-dead", "vectors-x.faiss", "x")
    write(shipped.data_index_dir, "vectors-deadbeef0000.faiss", "x")
    write(shipped.data_index_dir, ".manifest.json.abc", "{")
    write(shipped.index_dir / ".build-old", "clauses-x.jsonl", "x")  # left in index/ by older versions
    update.recover(shipped)
    assert sorted(p.name for p in shipped.added_dir.iterdir()) == ["甲市办法.txt"]
    manifest = store.read_manifest(shipped.data_index_dir)
    assert sorted(p.name for p in shipped.data_index_dir.iterdir()) == sorted(["manifest.json", *manifest["data"].values()])
    assert not list(shipped.index_dir.glob(".build-*"))


@pytest.mark.parametrize("manifest_change", ["older format", "unreadable"])
def test_recover_keeps_the_files_of_an_index_it_cannot_serve(shipped: Settings, tmp_path: Path, manifest_change: str) -> None:
    """An index of an older format (its vectors are reused by the next `rag index`) or with a damaged
    manifest keeps its data files at start."""
    update.build(shipped, [write(tmp_path / "in", "甲市办法.txt", POLICY_A)])
    path = shipped.data_index_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest_change == "older format":
        path.write_text(json.dumps({**manifest, "format_version": manifest["format_version"] - 1}), encoding="utf-8")
    else:
        path.write_text("{", encoding="utf-8")
    update.recover(shipped)
    assert all((shipped.data_index_dir / name).exists() for name in manifest["data"].values())


def test_recover_finishes_a_committed_move(shipped: Settings, tmp_path: Path) -> None:
    """Killed after the manifest swap: the staged file the manifest lists is moved into place."""
    update.build(shipped, [write(tmp_path / "in", "甲市办法.txt", POLICY_A)])
    staging = shipped.added_dir / ".build-killed"
    staging.mkdir()
    os.replace(shipped.added_dir / "甲市办法.txt", staging / "甲市办法.txt")
    assert "removed: 甲市办法.txt" in store.load(shipped).warnings[0]  # serves meanwhile
    ui.Workspace.load(shipped)  # the app's start recovers
    assert (shipped.added_dir / "甲市办法.txt").read_text(encoding="utf-8") == POLICY_A
    assert not staging.exists() and store.load(shipped).warnings == ()


def test_recover_leaves_a_live_writer_alone(shipped: Settings) -> None:
    stale = write(shipped.added_dir / ".build-live", "进行中.txt", POLICY_B)
    with lock.exclusive(shipped.home / update.LOCK_FILE, 1, "another writer"):
        update.recover(shipped)
    assert stale.exists()


def test_stale_upload_folders_are_removed(tmp_path: Path) -> None:
    old, fresh = tmp_path / "rag-upload-old", tmp_path / "rag-upload-fresh"
    write(old, "a.txt", "x")
    write(fresh, "b.txt", "x")
    long_ago = time.time() - update.STALE_UPLOAD_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    update._remove_stale_uploads(tmp_path)
    assert not old.exists() and fresh.exists()


# ---------------------------------------------------------------- one writer, bounded time


def test_a_second_writer_gives_up_naming_the_holder(shipped: Settings, tmp_path: Path) -> None:
    impatient = replace(shipped, lock_timeout=0.3)
    busy = pytest.raises(BusyError, match=r"pid \d+, held by the test.*0\.3 s \(RAG_LOCK_TIMEOUT\)")
    with lock.exclusive(shipped.home / update.LOCK_FILE, 1, "held by the test"), busy:
        update.build(impatient, [write(tmp_path / "in", "甲市办法.txt", POLICY_A)])
    assert not shipped.data_index_dir.exists()


def test_a_second_writer_waits_and_then_goes_ahead(
    shipped: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock.exclusive(shipped.home / update.LOCK_FILE, 1, "another upload"):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    threading.Timer(0.5, release.set).start()
    report = update.build(shipped, [write(tmp_path / "in", "甲市办法.txt", POLICY_A)])
    holder.join()
    assert report.built and "another upload" in caplog.text and "waiting up to" in caplog.text


class SlowEmbedder(FakeEmbedder):
    def passages(self, texts: list[str]):  # type: ignore[no-untyped-def]
        time.sleep(1.2)
        return super().passages(texts)


def test_an_upload_past_its_time_budget_changes_nothing(
    shipped: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    update.build(shipped, [write(tmp_path / "in", "甲市办法.txt", POLICY_A)])
    workspace = ui.Workspace.load(replace(shipped, upload_seconds=1))
    home = snapshot(shipped.home)
    monkeypatch.setitem(embed._CACHE, "fake-embedder", SlowEmbedder())
    [result] = workspace.add_files([(write(tmp_path / "in", "乙", POLICY_B), "乙市办法.txt")])
    assert result.error is not None and "1 s (RAG_UPLOAD_SECONDS)" in result.error
    assert snapshot(shipped.home) == home  # no file, no staging, the same index
    assert "甲市人工智能扶持办法" in [d.title for d in workspace.documents()]


def test_budget_error_from_add(shipped: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(embed._CACHE, "fake-embedder", SlowEmbedder())
    with pytest.raises(BudgetError, match="time budget"):
        update.add(shipped, [(write(tmp_path / "in", "甲", POLICY_A), "甲市办法.txt")], budget=0.5)
    assert not shipped.data_index_dir.exists() and list(shipped.added_dir.iterdir()) == []


def test_upload_results_come_back_in_order(shipped: Settings, tmp_path: Path) -> None:
    workspace = ui.Workspace.load(shipped)
    uploads = [
        (write(tmp_path / "in", "e", ""), "空.txt"),
        (write(tmp_path / "in", "a", POLICY_A), "甲市办法.txt"),
        (write(tmp_path / "in", "a2", POLICY_A), "甲市办法副本.txt"),
        (write(tmp_path / "in", "b", POLICY_B), "乙市办法.txt"),
    ]
    results = workspace.add_files(uploads)
    assert [r.name for r in results] == ["空.txt", "甲市办法.txt", "甲市办法副本.txt", "乙市办法.txt"]
    assert results[0].error and results[1].clauses == 2 and results[3].clauses == 1
    assert "内容相同的文件 甲市办法.txt" in results[2].notes[0]
    manifest = json.loads((shipped.data_index_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["added_files"] == ["乙市办法.txt", "甲市办法.txt"]
