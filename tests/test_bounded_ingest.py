"""Bounded ingest: linear-time cleaning, zip bombs refused from the directory, a character cap,
a clause-length cap without punctuation, and a deadline that stops work between stages."""

from __future__ import annotations

import io
import struct
import time
import zipfile
from pathlib import Path

import pytest

from rag import clauses, ingest
from rag.config import Settings
from rag.errors import BudgetError, InputError, LimitError, LoaderError
from rag.model import Document

BROKEN_LINE = "对在本市设立研发中心的人工智能企业给予资金支持并按照投资额度分档补助第{}项"


def broken_lines(n: int) -> list[str]:
    """n lines of one sentence broken across lines (no line ends a sentence): they all rejoin."""
    return ["示例市人工智能产业发展若干措施", ""] + [BROKEN_LINE.format(i) for i in range(n)]


def test_clean_lines_rejoins_without_copying_the_paragraph(monkeypatch: pytest.MonkeyPatch) -> None:
    """40k broken lines rejoin in time linear in them: no line reads or copies the paragraph grown so far
    (a `+=` on one str copied it for every line; 40k lines took 22 s). What makes it linear is checked,
    not timed: the joined text is made once per paragraph, and a line is judged on a head of at most
    _HEAD characters. tests/bench_ingest.py prints the times."""
    made: list[int] = []
    heads: list[int] = []
    text, continues = ingest._Paragraph.text, ingest._continues

    def counted_text(self: ingest._Paragraph) -> str:
        made.append(1)
        return text(self)

    def spied_continues(prev: ingest._Paragraph, line: str) -> bool:
        heads.append(len(prev.head))
        return continues(prev, line)

    monkeypatch.setattr(ingest._Paragraph, "text", counted_text)
    monkeypatch.setattr(ingest, "_continues", spied_continues)
    large = broken_lines(40_000)
    paragraphs = ingest.clean_lines(large)
    assert paragraphs[1:] == ["".join(large[2:])]
    assert len(made) == len(paragraphs)  # once each, at the end
    assert len(heads) >= 40_000 - 1 and max(heads) <= ingest._HEAD


@pytest.mark.parametrize(
    "lines",
    [
        ("对人工智能企业给予支持，", "按投资额", "补助。"),
        ("（二）打造", "示范应用", "场景"),
        ("2025/10/23 15:29:03 湖北省人民政府办公厅", "一段较长的正文内容在这里继续，", "下去没有结束"),
        ("短标", "题", "正文"),
        ("第一条 对在本市设立研发中心的人工智能企业给予", "资金支持并按照投资额度", "分档补助"),
    ],
)
def test_rejoining_by_pieces_decides_like_the_whole_paragraph(lines: tuple[str, str, str]) -> None:
    """The incremental paragraph reads the same facts as the joined string (head, end, length)."""
    first, second, line = lines
    grown = ingest._Paragraph(first)
    grown.add(second)
    assert ingest._continues(grown, line) is ingest.continues(first + second, line)


def docx_bytes(document_xml: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(document_xml.count(b"*") or 1):
                member.write(document_xml.replace(b"*", b""))
    return buf.getvalue()


def test_zip_bomb_is_refused_from_its_directory_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bomb = tmp_path / "炸弹.docx"
    bomb.write_bytes(docx_bytes(b"0" * (1 << 20) + b"*" * 80))  # 80 MB inflated, ~80 KB on disk
    assert bomb.stat().st_size < 1 << 20

    def parse(path: Path) -> str:
        raise AssertionError("the parser must not see a zip bomb")

    monkeypatch.setattr(ingest, "docx_to_text", parse)
    with pytest.raises(LimitError, match=r"炸弹\.docx.*80 MB.*64 MB \(RAG_MAX_UNZIPPED_MB\)"):
        ingest.load(bomb, ingest.Limits(max_unzipped=64 << 20))  # from the directory: `parse` never runs


def test_zip_directory_that_understates_sizes_cannot_inflate_more(tmp_path: Path) -> None:
    """zipfile stops at the declared size, so the directory check bounds what parsers get."""
    name = b"word/document.xml"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name.decode(), b"<w:document>" + b"0" * 5_000_000 + b"</w:document>")
    data = bytearray(buf.getvalue())
    # The uncompressed size sits 22 bytes into the local header (name at 30) and 24 bytes into
    # the central directory entry (name at 46): claim 1,000 bytes in both.
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(signature)
        assert data[at + name_at : at + name_at + len(name)] == name
        struct.pack_into("<I", data, at + size_at, 1000)
    liar = tmp_path / "说谎.docx"
    liar.write_bytes(bytes(data))
    with pytest.raises(LoaderError, match="说谎.docx"):
        ingest.load(liar, ingest.Limits())


def test_not_a_zip_is_a_loader_error(tmp_path: Path) -> None:
    fake = tmp_path / "假的.docx"
    fake.write_bytes(b"this is not a zip archive")
    with pytest.raises(LoaderError, match=r"假的\.docx: not a valid docx"):
        ingest.load(fake, ingest.Limits())


def test_text_past_the_character_cap_is_refused_naming_file_and_limit(tmp_path: Path) -> None:
    path = tmp_path / "长文.txt"
    path.write_text("第一条 支持。\n" + "甲" * 5_000, encoding="utf-8")
    with pytest.raises(LimitError, match=r"长文\.txt.*4,000 characters.*RAG_MAX_FILE_CHARS"):
        ingest.load(path, ingest.Limits(max_chars=4_000))
    assert ingest.load(path, ingest.Limits(max_chars=6_000))


def test_pdf_stops_reading_pages_at_the_character_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pages_read: list[int] = []

    class Page:
        def __init__(self, n: int) -> None:
            self.n = n

        def extract_text(self) -> str:
            pages_read.append(self.n)
            return "人工智能产业发展" * 125  # 1,000 characters

    class Reader:
        def __init__(self, path: str) -> None:
            self.pages = [Page(n) for n in range(1_000)]

    import pypdf

    monkeypatch.setattr(pypdf, "PdfReader", Reader)
    path = tmp_path / "大.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(LimitError, match=r"大\.pdf.*RAG_MAX_FILE_CHARS"):
        ingest.load(path, ingest.Limits(max_chars=10_000))
    assert len(pages_read) <= 11


def test_deadline_stops_a_load_with_a_budget_error(tmp_path: Path) -> None:
    path = tmp_path / "慢.txt"
    path.write_text("示例政策\n\n第一条 支持企业。\n", encoding="utf-8")
    spent = ingest.Deadline(0.0)
    time.sleep(0.01)
    with pytest.raises(BudgetError, match=r"慢\.txt.*time budget of 0 s \(RAG_UPLOAD_SECONDS\).*previous index"):
        ingest.load(path, ingest.Limits(deadline=spent))
    assert ingest.load(path, ingest.Limits(deadline=ingest.Deadline(60)))


def test_no_punctuation_file_gives_capped_clauses(tmp_path: Path) -> None:
    """A 150 KB file with no full stop used to become one 50,000-character clause."""
    text = "人工智能产业发展政策研究" * 4_200  # 50,400 characters, no sentence end, no comma
    path = tmp_path / "无标点.txt"
    path.write_bytes(("无标点的政策汇编\n\n" + text).encode("utf-8"))
    assert path.stat().st_size > 150_000
    [doc] = ingest.load(path)
    parts = clauses.split(doc)
    assert max(len(c.text) for c in parts) <= clauses.hard_cap(400)
    assert len(parts) >= len(text) // 400
    assert "".join(c.text for c in parts).replace("\n", "") == "无标点的政策汇编" + text  # nothing lost


def test_over_long_sentence_is_cut_after_a_comma() -> None:
    sentence = "，".join(["支持企业开展人工智能技术研发与应用"] * 60) + "。"
    doc = Document(id="d", title="示例", text=sentence, source="d.txt")
    parts = clauses.split(doc, max_chars=200)
    assert all(len(c.text) <= clauses.hard_cap(200) for c in parts)
    assert all(c.text.endswith(("，", "。")) for c in parts)
    assert "".join(c.text for c in parts) == sentence


def test_over_long_table_row_is_capped() -> None:
    row = " | ".join(["人工智能核心产业规模目标"] * 200)
    doc = Document(id="t", title="表", text="年份 | 目标\n" + row, source="t.txt")
    parts = clauses.split(doc, max_chars=200)
    assert len(parts) > 5 and all(len(c.text) <= clauses.hard_cap(200) for c in parts)


def test_sentences_within_the_cap_are_kept_whole() -> None:
    """The cap only cuts what has no sentence end within 1.3x the target: bundled clauses stay as they were."""
    sentence = "支" * 480 + "。"
    doc = Document(id="d", title="示例", text=sentence, source="d.txt")
    assert [c.text for c in clauses.split(doc)] == [sentence]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RAG_MAX_FILE_CHARS": "10"}, "RAG_MAX_FILE_CHARS must be between"),
        ({"RAG_MAX_UNZIPPED_MB": "0"}, "RAG_MAX_UNZIPPED_MB must be between"),
        ({"RAG_CLAUSE_CHARS": "5"}, "RAG_CLAUSE_CHARS must be between"),
        ({"RAG_UPLOAD_SECONDS": "-1"}, "RAG_UPLOAD_SECONDS must be between"),
        ({"RAG_LOCK_TIMEOUT": "x"}, "RAG_LOCK_TIMEOUT must be a number"),
    ],
)
def test_limit_settings_are_checked(env: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        Settings.from_env(env)


def test_limit_settings_read_from_the_environment(tmp_path: Path) -> None:
    s = Settings.from_env(
        {"RAG_HOME": str(tmp_path), "RAG_MAX_FILE_CHARS": "20000", "RAG_MAX_UNZIPPED_MB": "8",
         "RAG_CLAUSE_CHARS": "300", "RAG_UPLOAD_SECONDS": "30", "RAG_LOCK_TIMEOUT": "5"}
    )
    assert (s.max_file_chars, s.max_unzipped_mb, s.clause_chars) == (20_000, 8, 300)
    assert (s.upload_seconds, s.lock_timeout) == (30, 5)
    assert s.added_dir == tmp_path / "corpus" and s.data_index_dir == tmp_path / "index"


def test_the_deadline_also_stops_item_embedding(fake_embedder) -> None:  # type: ignore[no-untyped-def]
    from rag import item_vectors, items
    from rag.model import Clause

    text = "第一条 支持企业开展攻关。对新落户企业给予奖励。（责任单位：市科技局）"
    clause = Clause("d:1", "d", "示例办法", [], None, text, (0, len(text)))
    clause = Clause(**{**clause.__dict__, "items": items.split(text)})
    spent = ingest.Deadline(0.0)
    time.sleep(0.01)
    with pytest.raises(BudgetError, match="time budget"):
        item_vectors.embed_items([clause], fake_embedder, {}, deadline=spent)
    matrix, embedded = item_vectors.embed_items([clause], fake_embedder, {}, deadline=ingest.Deadline(60))
    assert embedded == len(matrix) > 0
