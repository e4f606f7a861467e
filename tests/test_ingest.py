"""ingest: loaders, cleaning, compilation split and metadata, on fixtures and the bundled corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import FIXTURES, PROJECT, gold_quotes

from rag import ingest
from rag.errors import LoaderError
from rag.text import norm as squash  # quotes and clauses are compared as NFKC without whitespace

CORPUS = PROJECT / "corpus"


@pytest.fixture(scope="module")
def corpus_docs() -> list[ingest.Document]:
    docs, failed = ingest.load_many(sorted(CORPUS.glob("*")))
    assert failed == []
    return docs


def by_title(docs: list[ingest.Document], words: str) -> ingest.Document:
    return next(d for d in docs if words in d.title)


# ---------------------------------------------------------------- bundled corpus


def test_bundled_corpus_has_36_documents_with_stable_ids(corpus_docs: list[ingest.Document]) -> None:
    assert len(corpus_docs) == 36
    ids = [d.id for d in corpus_docs]
    assert len(set(ids)) == 36
    assert ids[:3] == ["000_bd35aee1ad441e2b", "001_a574007286141d25", "003_7750412351cae417"]
    assert ids[3] == "004_19fc23e80da6329a-01" and ids[-1] == "004_19fc23e80da6329a-33"
    again, _ = ingest.load_many(sorted(CORPUS.glob("*")))
    assert [d.id for d in again] == ids and [d.text for d in again] == [d.text for d in corpus_docs]


def test_compilation_documents_have_their_own_title_city_and_source(
    corpus_docs: list[ingest.Document],
) -> None:
    beijing = by_title(corpus_docs, "十五条措施")
    assert beijing.title == "北京市关于加快中关村科学城人工智能创新引领发展的十五条措施"
    assert beijing.region == "北京市" and beijing.source == "004_19fc23e80da6329a.txt"
    assert beijing.text.startswith(beijing.title)
    assert "十六条" not in beijing.text and "第十五条" in beijing.text
    assert by_title(corpus_docs, "马桥").region == "上海市"
    assert by_title(corpus_docs, "德清县").region == "德清县"
    assert by_title(corpus_docs, "第四、五、七条政策实施细则").region == "武汉市"
    cities = {d.region for d in corpus_docs if d.source.startswith("004")}
    assert len(cities) == 17


def test_hubei_metadata(corpus_docs: list[ingest.Document]) -> None:
    plan, opinion, wuhan = corpus_docs[:3]
    assert plan.title == "湖北省新一代人工智能发展总体规划(2020—2030年)"
    assert (plan.region, plan.issuer, plan.year) == ("湖北省", "湖北省人民政府", 2020)
    assert opinion.title == "湖北省人民政府办公厅关于加快推进人工智能产业发展的实施意见"
    assert (opinion.region, opinion.issuer, opinion.year) == ("湖北省", "湖北省人民政府办公厅", 2025)
    assert (wuhan.region, wuhan.issuer, wuhan.year) == ("武汉市", "武汉市经济和信息化局", 2023)


def test_chrome_is_gone_and_broken_lines_are_joined(corpus_docs: list[ingest.Document]) -> None:
    text = "\n".join(d.text for d in corpus_docs)
    for chrome in [
        "当前位置",
        "人气",
        "安徽产业网",
        "热情欢迎",
        "每一位来访者",
        "生态文明建设的倡导者",
        "了解更多",
        "找回密码",
    ]:
        assert chrome not in text, chrome
    assert "以提升感知识别、知识计算、认知推理、人机交互能力为重点" in text
    assert not re.search(r"^\d{1,4}$", text, flags=re.MULTILINE)  # stray page numbers
    assert "智能陪护机器人\n" not in text  # the product list appended to the Hubei page


def test_every_gold_quote_survives_cleaning(corpus_docs: list[ingest.Document]) -> None:
    texts: dict[str, list[str]] = {}
    for d in corpus_docs:
        texts.setdefault(d.source, []).append(squash(d.text))
    quotes = gold_quotes(texts)
    missing = [q for f, q in quotes if not any(squash(q) in t for t in texts[f])]
    assert len(quotes) > 100 and missing == []


# ---------------------------------------------------------------- loaders


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_text_files_in_utf8_and_gbk(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "policy.txt"
    path.write_bytes((FIXTURES / "four_clauses.txt").read_text(encoding="utf-8").encode(encoding))
    [doc] = ingest.load(path)
    assert doc.id == "policy" and doc.title == "测试市人工智能扶持办法"
    assert "核心产业规模达到100亿元，带动相关产业规模达到500亿元。" in doc.text


def test_markdown_loads_like_text(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# 某市政策\n\n一、目标\n到2025年建成10个平台。\n", encoding="utf-8")
    [doc] = ingest.load(path)
    assert "到2025年建成10个平台。" in doc.text


def test_html_drops_scripts_and_navigation(tmp_path: Path) -> None:
    html = (
        "<html><head><style>p{}</style><script>var x=1;</script></head><body>"
        "<nav>首页 | 新闻</nav><div>当前位置: 首页 > 政策</div>"
        "<h1>某市人工智能产业政策</h1><p>一、对企业给予最高100万元奖励。</p>"
        "<table><tr><th>指标</th><th>2025年</th></tr><tr><td>产业规模(亿元)</td><td>300</td></tr></table>"
        "</body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    [doc] = ingest.load(path)
    assert doc.title == "某市人工智能产业政策" and doc.region == "某市" or doc.title == "某市人工智能产业政策"
    assert "var x" not in doc.text and "首页" not in doc.text and "当前位置" not in doc.text
    assert "产业规模(亿元) | 300" in doc.text


def test_docx_keeps_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("长沙市测试政策")
    document.add_paragraph("一、发展目标")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "指标", "2025年"
    table.cell(1, 0).text, table.cell(1, 1).text = "产业规模(亿元)", "500"
    document.add_paragraph("二、保障措施。加强组织领导。")
    path = tmp_path / "policy.docx"
    document.save(str(path))
    [doc] = ingest.load(path)
    assert doc.title == "长沙市测试政策" and doc.region == "长沙市"
    assert (
        doc.text.index("指标 | 2025年")
        < doc.text.index("产业规模(亿元) | 500")
        < doc.text.index("二、保障措施")
    )


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("policy.xls", b"whatever", "unsupported"),
        ("broken.pdf", b"%PDF-1.4 not really", "pdf"),
        ("broken.docx", b"PK\x03\x04 nope", "docx"),
    ],
)
def test_bad_files_raise_loader_error_naming_the_file(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LoaderError, match=re.escape(name)) as info:
        ingest.load(path)
    assert reason in str(info.value)


def test_missing_file_raises_loader_error(tmp_path: Path) -> None:
    with pytest.raises(LoaderError, match="gone.txt"):
        ingest.load(tmp_path / "gone.txt")


def test_load_many_reports_bad_files_and_keeps_the_rest(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    docs, failed = ingest.load_many([FIXTURES / "four_clauses.txt", bad])
    assert [d.id for d in docs] == ["four_clauses"]
    assert [f for f, _ in failed] == [bad] and "bad.pdf" in failed[0][1]


# ---------------------------------------------------------------- compilation and cleaning units


def test_generic_compilation_split() -> None:
    docs = ingest.load(FIXTURES / "compilation.txt")
    assert [d.id for d in docs] == ["compilation-01", "compilation-02"]
    first, second = docs
    assert first.title == "青山市人工智能发展若干措施" and first.region == "青山市"
    assert "第二条" in first.text and "智能工厂" not in first.text and "编写说明" not in first.text
    assert second.title == "绿水县智能制造行动计划（2021—2023年）" and second.year == 2021
    assert all(d.source == "compilation.txt" for d in docs)


@pytest.mark.parametrize(
    ("prev", "line", "joined"),
    [
        ("基础，以提升感知识别、知识计算、认知推理、人机交互", "能力为重点，推进新一代人工智能", True),
        ("一、总体要求", "（一）指导思想。坚持创新。", False),
        ("（二）打造“3+2+N”示范创新应用", "围绕重点领域建设示范。", False),
        ("完善人工智能发展扶持政策，严格落实相关税收优惠政策。", "统筹利用各类财政资金。", False),
        (
            "省人民政府关于印发湖北省新一代人工智能发展总体规划的通知",
            "各市、州、县人民政府，省政府各部门：",
            False,
        ),
        ("2.构建新型数据及算力基础设施。依托国内顶尖的互联网企业，加强高标准", "数据中心建设。", True),
        # short numbered lines that are not headings: a sentence already ended, a word left hanging, an article's text
        ("3.发展智能农机。推广北斗导航，建设智能", "农场示范基地。", True),
        ("（二）建成20家以上示范性智能工厂，培育50个以", "上智能车间。", True),
        ("第七条对落户本区的算力企业，按其年度研发投入", "给予补助。", True),
        # headings stay headings: with a comma, and an article's short title
        ("（一）围绕产业生态培育，完善空间布局", "以产业园区为依托，建设载体。", False),
        ("第三条建设原则", "坚持应用牵引。", False),
    ],
)
def test_continues(prev: str, line: str, joined: bool) -> None:
    assert ingest.continues(prev, line) is joined


def test_clean_lines_drops_page_numbers_and_chrome() -> None:
    lines = [
        "当前位置:新闻资讯 > 正文",
        "鼓励企业开展人工智能关键技术研发，对符合条件的项目给予",
        "",
        "12",
        "",
        "最高100万元支持。",
        "扫一扫 二维码",
    ]
    assert ingest.clean_lines(lines) == [
        "鼓励企业开展人工智能关键技术研发，对符合条件的项目给予最高100万元支持。"
    ]


def test_normalise_line_removes_pdf_padding_and_joins_table_cells() -> None:
    assert ingest.normalise_line("到 2022 年，实施 100 个以上项目") == "到2022年，实施100个以上项目"
    assert ingest.normalise_line("核心产业规模 (亿元)\t200\t600") == "核心产业规模(亿元) | 200 | 600"
    assert ingest.normalise_line("Figure one") == "Figure one"


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("推进上海马桥人工智能创新试验区建设工作方案", "上海市"),
        ("湖北省新一代人工智能发展总体规划", "湖北省"),
        ("《武汉国家新一代人工智能创新发展试验区建设若干政策》实施细则", "武汉市"),
        ("德清县新一代人工智能应用县发展规划", "德清县"),
        ("关于加快人工智能发展的意见", None),
        ("某某县人民政府关于加快人工智能发展的意见", "某某县"),
    ],
)
def test_region_of_a_policy(text: str, region: str | None) -> None:
    from rag import places

    assert places.first(text) == region


def test_guess_title_unwraps_notices_and_falls_back_to_file_name() -> None:
    assert ingest.guess_title(["关于印发《某市行动计划》的通知", "各区："], "x") == "某市行动计划"
    assert ingest.guess_title(["一、总体要求"], "my_file") == "my_file"
