"""`rag compare`: per-region rows of measures on a topic, checked against a grep of the corpus."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from rag import cli, compare, retrieve, store, update
from rag.config import Settings
from rag.errors import InputError

# Regions whose policies provide a measure on the topic: the sentences a grep of the bundled corpus
# finds (topic word + a support word), each read and kept only if it gives something on the topic.
EXPECTED = {
    "算力": {"成都市", "济南市", "武汉市", "长沙市"},
    "首版次软件": {"上海市", "天津市", "成都市"},
    "赛事/挑战赛": {"北京市", "成都市", "广州市"},
    "租金/场地": {"成都市", "广州市", "长沙市", "济南市"},
    "上市": {"上海市", "成都市", "济南市"},
    "人才": {"湖北省", "武汉市", "北京市", "深圳市", "杭州市", "合肥市", "德清县", "重庆市", "成都市",
             "西安市", "济南市", "广州市", "苏州市", "长沙市", "郑州市", "沈阳市"},
}  # fmt: skip
GREP_WORDS = {
    "算力": r"算力|智算|超算|超级计算|计算资源|计算能力|计算中心",
    "首版次软件": r"首版次",
    "赛事/挑战赛": r"赛事|挑战赛|大赛|竞赛",
    "租金/场地": r"租金|房租|办公用房|场地",
    "上市": r"上市",
    "人才": r"人才",
}
_SENTENCE = re.compile(r"[^。；;\n]+[。；;]?")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.mark.parametrize("topic", sorted(EXPECTED))
def test_every_region_with_a_measure_on_the_topic_is_found(bundled_index: store.Index, topic: str) -> None:
    found = {r.region for r in compare.rows(bundled_index, topic)}
    assert EXPECTED[topic] <= found, f"missing {EXPECTED[topic] - found}"


@pytest.mark.parametrize("topic", sorted(GREP_WORDS))
def test_no_region_a_grep_finds_paying_on_the_topic_is_missed(bundled_index: store.Index, topic: str) -> None:
    """Mechanical grep: a sentence naming the topic that says 给予/予以 and an amount in 元 or %."""
    grepped = set()
    for policy in bundled_index.documents.values():
        for s in _SENTENCE.finditer(policy.text):
            text = s.group(0)
            paying = re.search(r"给予|予以", text) and re.search(r"\d\s*(?:万|亿)?元|\d\s*%", text)
            if re.search(GREP_WORDS[topic], text) and paying and policy.region:
                grepped.add(policy.region)
    found = {r.region for r in compare.rows(bundled_index, topic)}
    assert grepped and grepped <= found, f"missing {grepped - found}"


@pytest.mark.parametrize("topic", ["算力", "人才", "赛事/挑战赛", "租金/场地", "上市", "补贴", "基金"])
def test_every_amount_stands_verbatim_in_its_clause(bundled_index: store.Index, topic: str) -> None:
    table = compare.rows(bundled_index, topic)
    assert table
    for row in table:
        clause = bundled_index.clause(row.id)
        assert clause is not None and clause.text == row.text and clause.region == row.region
        assert row.measure.split(" … ")[0] in row.text
        for amount in row.amounts:
            assert amount in row.text, (row.citation, amount)
            for number in _NUMBER.findall(amount):
                assert number in row.text


def test_rows_are_grouped_by_region_and_carry_the_policy_status(bundled_index: store.Index) -> None:
    table = compare.rows(bundled_index, "人才")
    regions = [r.region for r in table]
    assert regions == sorted(regions, key=lambda r: regions.index(r))  # each region's rows together
    hangzhou = [r for r in table if r.region == "杭州市"]
    assert hangzhou and all(r.status == "已失效" and r.expires == "2023-12-31" for r in hangzhou)


def test_regions_narrow_the_table_and_unknown_ones_are_named(bundled_index: store.Index) -> None:
    table = compare.rows(bundled_index, "赛事/挑战赛", ["北京", "成都市"])
    assert {r.region for r in table} == {"北京市", "成都市"}
    with pytest.raises(InputError, match="火星"):
        compare.rows(bundled_index, "算力", ["火星"])
    for bad in ("", "   ", "算" * 61):
        with pytest.raises(InputError):
            compare.rows(bundled_index, bad)


def test_table_for_an_answer_keeps_the_best_rows_of_each_region(bundled_index: store.Index) -> None:
    table = compare.table_for(bundled_index, "人才", ["长沙", "成都"], per_region=2)
    assert [r.region for r in table].count("长沙市") == 2 and [r.region for r in table].count("成都市") == 2


def test_topic_terms_split_alternatives_and_add_usage() -> None:
    assert compare.topic_terms("赛事/挑战赛") == (("赛事",), ("大赛",), ("挑战赛",), ("竞赛",), ("比赛",))
    assert ("租金",) in compare.topic_terms("房租") and ("办公用房",) in compare.topic_terms("场地")


# ---------------------------------------------------------------- per region, not a global top-k


def test_a_region_outranked_everywhere_still_gets_its_row(tmp_path: Path, fake_embedder: object) -> None:
    """Strong 算力 clauses of one city fill a global top-k; the other city's single weak one must
    still be a row."""
    fields = [
        "智能制造",
        "智慧医疗",
        "智慧交通",
        "金融科技",
        "智慧教育",
        "智慧农业",
        "城市治理",
        "智能网联汽车",
    ]
    strong = "\n".join(
        f"第{i}条 支持{f}算力平台建设，对{f}领域算力服务企业按算力采购费用给予算力补贴，最高{i}0万元。"
        for i, f in enumerate(fields, 1)
    )
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "strong.txt").write_text(f"示例市人工智能算力若干措施\n\n{strong}\n", encoding="utf-8")
    (corpus / "weak.txt").write_text(
        "测试市人工智能产业发展若干政策\n\n第一条 加强人才培养，建设研发平台，完善产业生态，推动示范应用，"
        "其中对使用算力的中小企业给予最高5万元补助。\n第二条 加强组织领导，落实工作责任。\n",
        encoding="utf-8",
    )
    settings = Settings(index_dir=tmp_path / "index", corpus_dir=corpus, embedder="fake-embedder", home=tmp_path / "home")
    update.build(settings)
    index = store.load(settings)

    top = retrieve.search(index, "算力", 5)
    assert {h.clause.region for h in top} == {"示例市"}  # a global top-k misses 测试市
    table = compare.rows(index, "算力")
    assert {r.region for r in table} == {"示例市", "测试市"}
    (weak,) = [r for r in table if r.region == "测试市"]
    assert weak.amounts == ("最高5万元",) and weak.citation.endswith("第一条")


# ---------------------------------------------------------------- the command line


def test_cli_json_rows_have_the_contract_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["compare", "首版次软件", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["topic"] == "首版次软件" and data["rows"]
    keys = {"region", "doc", "doc_id", "id", "citation", "measure", "amounts", "text", "expires", "status"}
    assert all(keys <= set(row) for row in data["rows"])


def test_cli_csv_has_a_header_and_one_line_per_row(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["compare", "上市", "--region", "成都", "--region", "济南", "--csv"]) == 0
    table = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert table[0] == list(compare.CSV_HEADER)
    assert len(table) > 1 and {line[0] for line in table[1:]} == {"成都市", "济南市"}


def test_cli_text_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["compare", "算力", "--region", "北京"]) == 0
    out = capsys.readouterr().out
    assert "北京市" in out and "最高1000万元" in out
    assert cli.main(["compare", "算力", "--region", "火星"]) == 2
    assert "火星" in capsys.readouterr().err


def test_cli_docs_json_has_dates_for_every_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["docs", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    keys = {"id", "title", "region", "year", "issued", "effective", "expires", "status", "clauses"}
    assert rows and all(keys <= set(r) for r in rows)
    hangzhou = next(r for r in rows if r["title"].startswith("杭州市建设"))
    assert (hangzhou["effective"], hangzhou["expires"]) == ("2020-01-13", "2023-12-31")
    assert hangzhou["sources"]["expires"]["text"].startswith("本政策自2020年1月13日起施行")
    assert all(r["status"] in {"现行", "已失效", "未知"} for r in rows)
