"""Clause items: sentences with the units note that closes them, headings, table rows."""

from __future__ import annotations

import json

from conftest import PROJECT

from rag import items


def texts(text: str, title: str = "") -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:
    return [(i.text(text), i.role, i.units) for i in items.split(text, title)]


def test_a_note_gives_its_units_to_the_sentences_since_the_previous_note() -> None:
    text = "6.特色区域。支持建设园区甲。（责任单位：滨湖科学城管委会）支持建设小镇乙。支持建设小镇丙。（责任单位：高新区管委会）"
    out = texts(text, "特色区域")
    assert out[0] == ("6.特色区域。", "heading", (("责任单位", "滨湖科学城管委会"),))
    assert out[1] == ("支持建设园区甲。", "", (("责任单位", "滨湖科学城管委会"),))
    assert out[2][1] == "units"
    assert [o[2] for o in out[3:5]] == [(("责任单位", "高新区管委会"),)] * 2


def test_lead_and_partner_units_and_nested_brackets() -> None:
    text = "推进攻关。（牵头单位：市科技局；配合单位：市教委、各县（市）区政府）"
    assert items.notes(text)[0].units == (("牵头单位", "市科技局"), ("配合单位", "市教委、各县（市）区政府"))
    assert items.parse_units("牵头单位：市科技局，责任单位：市财政局") == (("牵头单位", "市科技局"), ("责任单位", "市财政局"))
    assert items.notes("…资助。〔责任部门：市科技局、经济和信息化委〕")[0].units == (("责任部门", "市科技局、经济和信息化委"),)


def test_a_consulting_note_keeps_its_phone_and_a_mention_of_units_in_a_sentence_is_not_a_note() -> None:
    note = items.notes("给予资助。（政策咨询部门：市科技局高新处，咨询电话：61886241）")[0]
    assert note.units == (("政策咨询部门", "市科技局高新处"), ("咨询电话", "61886241"))
    assert items.notes("鼓励各有关单位：积极申报项目。") == []


def test_a_phone_line_after_a_note_is_the_notes_and_a_note_a_line_break_cut_goes_on_to_its_bracket() -> None:
    # "落实部门：…" then "咨询电话：…" on the next line: asked for the number, the answer names the department too
    out = texts("五、落实部门及咨询电话\n落实部门：市科技局高新处\n\n咨询电话：65692245", "落实部门及咨询电话")
    assert out[-1] == ("咨询电话：65692245", "", (("落实部门", "市科技局高新处"),))
    # a bracketed note cut by line breaks: its other lines are the note, never an answer; the sentence after is not
    text = "对企业补助。（政策咨询部门：甲局，咨询电话：1111；乙局，\n咨询电话：2222；丙局，咨询电话：\n3333）对平台补助。"
    roles = [(t, r) for t, r, _ in texts(text)]
    assert roles[0] == ("对企业补助。", "") and roles[1][1] == "units"
    assert [r for _, r in roles[2:-1]] == ["units"] * (len(roles) - 3)
    assert roles[-1][0].endswith("对平台补助。")
    # a sentence after a note that does not open with a phone label keeps no units
    assert texts("对企业补助。\n责任单位：市科技局\n对平台补助。")[-1] == ("对平台补助。", "", ())


def test_a_note_naming_several_offices_gives_each_its_number_across_a_line_break() -> None:
    # "（政策咨询部门：甲处，咨询电话：1111；\n乙处，咨询电话：2222）": the second office is the note's too
    text = "对高校补贴。（政策咨询部门：市甲局一处，咨询电话：1111；\n市乙局二处，咨询电话：2222）"
    both = (("政策咨询部门", "市甲局一处"), ("咨询电话", "1111"), ("政策咨询部门", "市乙局二处"), ("咨询电话", "2222"))
    out = texts(text)
    assert out[0] == ("对高校补贴。", "", both)
    assert [r for _, r, _ in out[1:]] == ["units", "units"] and all(u == both for _, _, u in out)
    # offices in one line, each after the number of the one before: the number is a number, the office an office
    assert items.parse_units("政策咨询部门：市甲局一处，咨询电话：1111；市乙局二处，咨询电话：2222") == both


def test_table_rows_are_items_and_a_clause_without_notes_has_no_units() -> None:
    table = "指标 | 2020年 | 2022年\n企业(家) | 10 | 30"
    assert [(t, r) for t, r, _ in texts(table)] == [("指标 | 2020年 | 2022年", "row"), ("企业(家) | 10 | 30", "row")]
    assert all(u == () for _, _, u in texts("第六条 鼓励投资。设立基金。", ""))


def test_items_round_trip_through_json() -> None:
    item = items.Item(3, 9, (("责任单位", "市科技局"),), "units")
    assert items.Item.from_json(json.loads(json.dumps(item.to_json()))) == item


def test_every_units_note_of_the_bundled_corpus_is_parsed() -> None:
    """Each "（责任单位：…）"-style note of the bundled clauses becomes units of the items before it."""
    manifest = json.loads((PROJECT / "index" / "manifest.json").read_text(encoding="utf-8"))
    lines = (PROJECT / "index" / manifest["data"]["clauses"]).read_text(encoding="utf-8").splitlines()
    noted = 0
    for data in map(json.loads, lines):
        if "责任单位：" in data["text"].replace(":", "：") or "牵头单位：" in data["text"].replace(":", "："):
            parsed = [items.Item.from_json(i) for i in data["items"]]
            assert any(i.units for i in parsed), data["text"][:60]
            noted += 1
    assert noted > 100


def test_a_note_of_units_without_a_label_belongs_to_its_item() -> None:
    text = "1.城市运行。促进智慧城市建设和产业发展融合。（中新天津生态城、市委网信办、滨海新区人民政府等按职责分工负责）"
    found = items.split(text)
    said = [i for i in found if i.role == ""]
    assert said and all(i.units == (("责任单位", "中新天津生态城、市委网信办、滨海新区人民政府"),) for i in said)
    assert [i.role for i in found].count("units") == 1


def test_a_note_in_a_later_part_covers_the_items_that_end_the_parts_before_it() -> None:
    first = items.split("13.打造药谷。加强融合，提升产业竞争力。提升研发实力。", "打造药谷")
    middle = items.split("建设数据体系。")  # no note of its own
    last = items.split("加快推进远程医疗。（责任部门：市工信局、市卫健委）推进智慧养老。（责任部门：市民政局）")
    carried = items.carry_units([first, middle, last])
    unit = (("责任部门", "市工信局、市卫健委"),)
    assert all(i.units == unit for i in carried[0]) and all(i.units == unit for i in carried[1])
    assert [i.units for i in carried[2]] == [unit, unit, (("责任部门", "市民政局"),), (("责任部门", "市民政局"),)]
    # items after a part's own last note are covered by the next part's first note, not by that note
    own = items.split("甲措施。（责任单位：市科技局）乙措施。")
    nxt = items.split("（责任单位：市财政局）丙措施。（责任单位：市商务局）")
    out = items.carry_units([own, nxt])
    assert [i.units[0][1] for i in out[0]] == ["市科技局", "市科技局", "市财政局"]
    # a clause whose parts have no notes keeps no units
    assert items.carry_units([items.split("甲。"), items.split("乙。")]) == [items.split("甲。"), items.split("乙。")]


def test_split_clauses_of_the_bundled_index_carry_their_units_note(bundled_index) -> None:  # type: ignore[no-untyped-def]
    # 苏州's 三（五）13 (中国药谷) is split in parts; its one note ends the last part and covers them all
    parts = [c for c in bundled_index.clauses if "苏州" in c.doc_title and c.ref.endswith("三（五）13")]
    assert len(parts) >= 2
    for c in parts:
        assert all(i.units and "市卫生健康委" in i.units[0][1] for i in c.items), (c.part, [i.units for i in c.items])


def test_an_entry_number_is_not_the_integer_part_of_a_decimal() -> None:
    assert items.numbered("2.建设算力中心。") and items.numbered("（四）培育企业。") and items.numbered("第六条 鼓励投资。")
    assert not items.numbered("1.5亿元用于建设。")
    assert items.unnumbered("（四）培育10家企业") == "培育10家企业" and items.unnumbered("1.5亿元") == "1.5亿元"


def test_a_consulting_entry_without_labels_gives_its_office_and_number_to_its_items() -> None:
    text = "4.政策咨询\n市经信局信息化推进处；咨询电话：61885818。"
    out = texts(text, "政策咨询")
    office = (("政策咨询部门", "市经信局信息化推进处"), ("咨询电话", "61885818"))
    assert [u for _, _, u in out] == [office] * len(out) and all(t for t, _, _ in out)  # no empty note item
    assert all(u == () for _, _, u in texts(text, "申报材料"))  # another entry's title: no consulting note
