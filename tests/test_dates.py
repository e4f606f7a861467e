"""Policy dates: what the text states, the status on a given day, expiry notices, and a table of
every bundled policy's dates checked against its text."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from rag import clauses, dates, store
from rag.config import Settings
from rag.errors import IndexMismatchError
from rag.model import Citation, Clause, Document

DAY = date(2026, 11, 30)  # statuses below are as of this day; the code's default is today


def doc(
    text: str, doc_id: str = "d", title: str = "示例市人工智能若干政策", region: str = "示例市"
) -> Document:
    return Document(id=doc_id, title=title, text=text, source=f"{doc_id}.txt", region=region)


# ---------------------------------------------------------------- reading the text


@pytest.mark.parametrize(
    ("text", "issued", "effective", "expires"),
    [
        (
            "第一条 支持。\n本政策自2020年1月13日起施行，有效期至2023年12月31日，由市科技局负责。",
            None,
            "2020-01-13",
            "2023-12-31",
        ),
        ("第十五条本办法自 2021 年 11 月 12 日起施行，有效期两年。", None, "2021-11-12", "2023-11-11"),
        ("此方案自2020年12月10日实施，有效期至2022年12月31日止。", None, "2020-12-10", "2022-12-31"),
        (
            "现印发给你们。\n2019年3月1日\n一、支持。\n本政策自印发之日起30日后施行，有效期四年。",
            "2019-03-01",
            "2019-03-31",
            "2023-03-30",
        ),
        (
            "现印发给你们。\n2018年9月17日\n本办法自发布之日起实施，有效期至2020年12月31日。",
            "2018-09-17",
            "2018-09-17",
            "2020-12-31",
        ),
        ("本政策自印发之日起施行，有效期至2023年6月16日。", None, None, "2023-06-16"),
        ("一、总体要求\n（一）指导思想。深入贯彻落实。", None, None, None),
        ("2024年2月29日\n本办法自印发之日起施行，有效期一年。", "2024-02-29", "2024-02-29", "2025-02-28"),
    ],
)
def test_extract_reads_the_three_dates(
    text: str, issued: str | None, effective: str | None, expires: str | None
) -> None:
    found = dates.extract(text)
    assert (found.value("issued"), found.value("effective"), found.value("expires")) == (
        issued,
        effective,
        expires,
    )
    for fact in (found.issued, found.effective, found.expires):
        if fact is not None:  # every date keeps the sentence that states it, verbatim
            assert text[fact.span[0] : fact.span[1]] == fact.text


def test_a_rule_without_its_base_date_keeps_the_sentence_and_says_why() -> None:
    found = dates.extract("以上措施自发布之日起实施，由海淀园管委会负责解释。")
    assert found.effective is not None and found.effective.value is None
    assert found.effective.text == "以上措施自发布之日起实施，由海淀园管委会负责解释。"
    assert "发布日期未载明" in found.effective.basis


def test_a_month_only_signature_date_is_not_a_day() -> None:
    found = dates.extract("各有关单位：\n现征求意见。\n2023年3月\n一、指导思想")
    assert found.issued is not None and found.issued.value is None and found.issued.text == "2023年3月"
    assert dates.with_year(doc("各有关单位：\n2023年3月\n一、指导思想")).year == 2023


def test_with_year_fills_only_a_missing_year() -> None:
    text = "一、支持。\n此方案自2020年12月10日实施，有效期至2022年12月31日止。"
    assert dates.with_year(doc(text)).year == 2020
    assert dates.with_year(Document("d", "t", text, "d.txt", year=2019)).year == 2019
    assert dates.with_year(doc("没有日期。")).year is None


# ---------------------------------------------------------------- status and notices


@pytest.mark.parametrize(
    ("effective", "expires", "expires_by", "status"),
    [
        ("2020-01-13", "2023-12-31", None, "已失效"),
        ("2020-01-13", "2026-11-30", None, "现行"),  # the last day of its term still counts
        (None, "2027-12-31", None, "现行"),
        ("2027-01-01", "2029-12-31", None, "未知"),  # not yet in effect
        (None, None, None, "未知"),
        (None, None, "2024-01-29", "已失效"),
        (None, None, "2027-01-29", "未知"),
    ],
)
def test_status_on_a_given_day(
    effective: str | None, expires: str | None, expires_by: str | None, status: str
) -> None:
    assert dates.status_on(effective, expires, DAY, expires_by) == status


def test_expiry_note_names_the_policy_and_its_last_day() -> None:
    expired = dates.annotate([doc("本政策自2020年1月13日起施行，有效期至2023年12月31日。")], [])[0][0]
    assert dates.expiry_note(expired, DAY) == "注：《示例市人工智能若干政策》有效期至2023年12月31日，已失效。"
    assert dates.expiry_note(expired, date(2023, 6, 1)) is None
    assert dates.expiry_note(doc("没有日期。"), DAY) is None


def test_clauses_carry_their_policys_dates_into_citations() -> None:
    policy = doc(
        "第一条 对企业给予最高100万元补助。\n第二条 本政策自2020年1月13日起施行，有效期至2023年12月31日。"
    )
    docs, dated = dates.annotate([policy], clauses.split(policy))
    first = dated[0]
    assert (first.effective, first.expires, first.status(DAY)) == ("2020-01-13", "2023-12-31", "已失效")
    assert docs[0].dates.expires is not None and docs[0].dates.expires.ref == "第二条"
    assert docs[0].dates.expires.clause_id == dated[1].id
    cited = Citation(1, first).to_json()
    assert cited["expires"] == "2023-12-31" and cited["status"] in {"已失效", "现行", "未知"}
    assert dates.expiry_note(first, DAY) == "注：《示例市人工智能若干政策》有效期至2023年12月31日，已失效。"


# ---------------------------------------------------------------- across policies


def test_a_term_kept_in_step_with_another_indexed_policy_is_resolved() -> None:
    parent = doc(
        "2021年5月6日\n一、支持。\n本政策自印发之日起施行，有效期三年。", "p", "示例市人工智能专项政策"
    )
    rules = doc(
        "一、细则。\n本细则自发布之日起实施，有效期与《示例市人民政府办公厅关于印发示例市人工智能专项政策的通知》"
        "（示办函〔2021〕7号）保持一致。",
        "r",
        "示例市人工智能专项政策实施细则",
    )
    docs, _ = dates.annotate([parent, rules], [])
    assert docs[0].dates.value("expires") == "2024-05-05"
    linked = docs[1].dates.expires
    assert (
        linked is not None
        and linked.value == "2024-05-05"
        and "与《示例市人工智能专项政策》保持一致" in linked.basis
    )


def test_a_policy_cited_with_its_document_number_gets_that_year_and_a_bounded_term() -> None:
    parent = doc("一、支持。\n本政策自印发之日起30日后正式施行,有效期四年。", "p", "示例市人工智能专项政策")
    rules = doc(
        "一、细则。\n有效期与《示例市人民政府办公厅关于印发示例市人工智能专项政策的通知》（示办函〔2019〕15号）保持一致。",
        "r",
        "示例市人工智能专项政策实施细则",
    )
    docs, _ = dates.annotate([parent, rules], [])
    assert docs[0].year == 2019
    assert docs[0].dates.value("expires") is None
    assert docs[0].dates.expires is not None and docs[0].dates.expires.latest == "2024-01-29"
    assert docs[0].dates.status(DAY) == "已失效" and docs[1].dates.status(DAY) == "已失效"
    assert docs[0].dates.status(date(2023, 1, 1)) == "未知"
    assert (
        dates.expiry_note(docs[1], DAY)
        == "注：《示例市人工智能专项政策实施细则》的有效期最迟于2024年1月29日届满，已失效。"
    )


def test_a_link_to_a_policy_not_indexed_stays_unknown_and_says_so() -> None:
    rules = doc(
        "本细则自印发之日起施行，有效期与《关于加快示例产业发展的实施意见》（示管办〔2017〕77号）一致。"
    )
    found = dates.annotate([rules], [])[0][0].dates.expires
    assert found is not None and found.value is None and "未收录" in found.basis


# ---------------------------------------------------------------- every bundled policy, checked by hand

# id suffix: (year, issued, effective, expires, status on DAY). Read from each policy's text:
# 落款 dates, "自…起施行", "有效期至…", "有效期N年", and years stated by another policy's 文号.
BUNDLED = {
    "000_bd35aee1ad441e2b": (2020, "2020-08-25", None, None, "未知"),  # 落款 2020年8月25日
    "001_a574007286141d25": (2025, "2025-10-13", None, None, "未知"),  # 落款 2025年10月13日
    "003_7750412351cae417": (2023, None, None, None, "未知"),  # 征求意见稿, 落款 2023年3月 only
    "-01": (None, None, None, None, "未知"),
    "-02": (None, None, None, None, "未知"),  # 自发布之日起实施, no date
    "-03": (2017, None, None, None, "未知"),  # cited by -05 as 沪府办发〔2017〕66号
    "-04": (None, None, None, None, "未知"),
    "-05": (
        2018,
        "2018-09-17",
        "2018-09-17",
        "2020-12-31",
        "已失效",
    ),  # 落款 2018年9月17日, 自发布之日起, 有效期至2020年12月31日
    "-06": (None, None, None, None, "未知"),
    "-07": (None, None, None, None, "未知"),
    "-08": (2019, None, None, None, "未知"),  # title (2019—2023年): a plan period, not a term
    "-09": (2020, None, "2020-01-13", "2023-12-31", "已失效"),
    "-10": (2020, None, None, None, "未知"),
    "-11": (None, None, None, None, "未知"),
    "-12": (None, None, None, None, "未知"),
    "-13": (2019, None, None, None, "已失效"),  # 30日后施行, 有效期四年; 2019 from -14's 成办函〔2019〕15号
    "-14": (None, None, None, None, "已失效"),  # 有效期与 -13 保持一致
    "-15": (2020, None, "2020-12-10", "2022-12-31", "已失效"),
    "-16": (2020, None, None, None, "未知"),
    "-17": (None, None, None, "2023-06-16", "已失效"),
    "-18": (2020, None, None, None, "未知"),
    "-19": (None, None, None, "2025-12-31", "已失效"),
    "-20": (None, None, None, None, "未知"),  # 与《关于加快IAB产业发展的实施意见》一致: not in the corpus
    "-21": (2020, None, None, None, "未知"),
    "-22": (2021, None, None, None, "未知"),
    "-23": (None, None, None, "2023-12-31", "已失效"),
    "-24": (None, None, None, None, "未知"),
    "-25": (None, None, None, None, "未知"),  # 有效期三年 from an unknown day of an unknown year
    "-26": (None, None, None, None, "未知"),
    "-27": (None, None, None, None, "未知"),  # 自公布之日起施行, no term
    "-28": (2021, None, "2021-11-12", "2023-11-11", "已失效"),  # 有效期两年
    "-29": (None, None, None, None, "未知"),  # 有效期3年 from an unknown day
    "-30": (2021, None, None, "2023-12-31", "已失效"),
    "-31": (2021, None, None, None, "未知"),
    "-32": (2018, None, None, None, "未知"),
    "-33": (2018, None, None, None, "未知"),
}


def _bundled(index: store.Index, key: str) -> Document:
    return index.documents[key if not key.startswith("-") else "004_19fc23e80da6329a" + key]


def test_every_bundled_policy_has_the_dates_its_text_states(bundled_index: store.Index) -> None:
    assert len(bundled_index.documents) == len(BUNDLED)
    for key, (year, issued, effective, expires, status) in BUNDLED.items():
        policy = _bundled(bundled_index, key)
        found = (policy.year, policy.dates.value("issued"), policy.dates.value("effective"),
                 policy.dates.value("expires"), policy.dates.status(DAY))  # fmt: skip
        assert found == (year, issued, effective, expires, status), policy.title


def test_every_bundled_date_stands_in_the_sentence_it_cites(bundled_index: store.Index) -> None:
    for policy in bundled_index.documents.values():
        for name in ("issued", "effective", "expires"):
            fact = getattr(policy.dates, name)
            if fact is None:
                continue
            assert policy.text[fact.span[0] : fact.span[1]] == fact.text
            assert fact.ref, f"{policy.title}: {name} has no source clause"
            if fact.value and not fact.basis:  # written out: the sentence spells the very date
                y, m, d = (int(p) for p in fact.value.split("-"))
                assert re.search(rf"{y}\s*年\s*{m}\s*月\s*{d}\s*日", fact.text), (policy.title, name)


def test_clauses_of_the_bundled_index_carry_their_policys_dates(bundled_index: store.Index) -> None:
    for clause in bundled_index.clauses:
        policy = bundled_index.documents[clause.doc_id]
        assert (clause.expires, clause.effective, clause.year) == (
            policy.dates.value("expires"), policy.dates.value("effective"), policy.year)  # fmt: skip


# ---------------------------------------------------------------- the index format


def test_an_index_of_the_previous_format_asks_for_a_rebuild(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"format_version": 1, "embedder": "e5-small-bundled"}))
    with pytest.raises(IndexMismatchError, match=r"run `rag index`"):
        store.load(Settings(index_dir=tmp_path, corpus_dir=tmp_path / "corpus", home=tmp_path / "home"))


def test_dates_and_measures_survive_the_json_round_trip(bundled_index: store.Index) -> None:
    clause = next(c for c in bundled_index.clauses if c.measures and c.expires)
    assert Clause.from_json(json.loads(json.dumps(clause.to_json(), ensure_ascii=False))) == clause
    policy = bundled_index.documents[clause.doc_id]
    assert Document.from_json(json.loads(json.dumps(policy.to_json(), ensure_ascii=False))) == policy
