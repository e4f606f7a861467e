"""`rag remove`: added files leave the corpus and the index; a change that fails puts them back."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import cli, retrieve, store, update
from rag.config import Settings
from rag.errors import InputError

POLICY_A = "甲市人工智能扶持办法\n\n第一条 对新落户的人工智能企业给予一次性奖励88万元。\n\n第二条 对算力券给予50%补贴。\n"
POLICY_B = "乙市智能网联汽车办法\n\n第一条 支持智能网联汽车道路测试，给予最高200万元补助。\n"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


@pytest.fixture
def two_added(tiny_settings: Settings, tmp_path: Path) -> Settings:
    update.build(tiny_settings, [write(tmp_path / "in", "甲市办法.txt", POLICY_A), write(tmp_path / "in", "乙市办法.txt", POLICY_B)])
    return tiny_settings


def test_removing_a_file_takes_its_clauses_out(two_added: Settings) -> None:
    before = store.load(two_added)
    report = update.remove(two_added, ["甲市办法.txt"])
    after = store.load(two_added)
    assert not (two_added.added_dir / "甲市办法.txt").exists() and (two_added.added_dir / "乙市办法.txt").exists()
    assert "甲市办法" not in after.documents and "乙市办法" in after.documents
    assert report.clauses_total == len(after.clauses) == len(before.clauses) - len(before.clauses_of("甲市办法"))
    assert report.clauses_embedded == 0  # what stays keeps its vectors
    assert "甲市办法.txt" not in after.manifest["files"] and after.warnings == ()
    assert all(h.clause.doc_id != "甲市办法" for h in retrieve.search(after, "新落户企业一次性奖励", 5))


@pytest.mark.parametrize("name", ["示例市人工智能若干措施.txt", "不存在.txt", "../甲市办法.txt"])
def test_only_added_files_can_be_removed(two_added: Settings, name: str) -> None:
    with pytest.raises(InputError, match="not a file added"):
        update.remove(two_added, [name])
    assert {"甲市办法", "乙市办法"} <= set(store.load(two_added).documents)


def test_a_removal_that_fails_before_the_commit_puts_the_file_back(two_added: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    before = [c.id for c in store.load(two_added).clauses]

    def die(point: str) -> None:
        if point == "data-written":
            raise RuntimeError("killed")

    monkeypatch.setattr(update, "on_checkpoint", die)
    with pytest.raises(RuntimeError):
        update.remove(two_added, ["甲市办法.txt"])
    monkeypatch.setattr(update, "on_checkpoint", None)
    assert (two_added.added_dir / "甲市办法.txt").read_text(encoding="utf-8") == POLICY_A
    assert [c.id for c in store.load(two_added).clauses] == before
    assert not [p for p in two_added.added_dir.iterdir() if p.name.startswith(update.STAGING_PREFIX)]


def test_rag_remove_from_the_command_line(two_added: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name, value in {"RAG_HOME": two_added.home, "RAG_CORPUS_DIR": two_added.corpus_dir,
                        "RAG_INDEX_DIR": two_added.index_dir, "RAG_EMBEDDER": two_added.embedder}.items():
        monkeypatch.setenv(name, str(value))
    assert cli.main(["remove", "乙市办法.txt"]) == 0
    out = capsys.readouterr().out
    assert "removed 乙市办法.txt" in out and "indexed" in out
    assert cli.main(["remove", "乙市办法.txt"]) == 2
    assert "not a file added" in capsys.readouterr().err
