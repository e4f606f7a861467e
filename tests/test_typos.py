"""Homophone slips of a question, corrected against the policies' own words (rag/typos.py)."""

from __future__ import annotations

from rag.typos import MIN_USES, WORD_USES, Speller, note, sounds

POLICY = [
    "对企业租用办公用房给予租金补贴，补贴期限3年。",
    "设立人工智能产业发展基金，基金规模100亿元，基金投向早期项目。",
    "郑州市支持企业建设工业大脑。郑州市设立专项资金。郑州市负责组织实施。",
    "各市人民政府负责落实。",
]


def speller() -> Speller:
    return Speller.of(POLICY * MIN_USES)


def test_a_slip_of_the_same_sound_is_read_as_the_policies_word() -> None:
    assert speller().correct("合肥租房有补帖吗") == ("合肥租房有补贴吗", (("补帖", "补贴"),))
    text, fixes = speller().correct("郑洲的产业发展基今多大")
    assert text == "郑州的产业发展基金多大" and dict(fixes) == {"郑洲": "郑州", "基今": "基金"}


def test_words_people_write_are_left_alone() -> None:
    for question in ("各是多少", "合肥和广州各是咋搞的", "今年有补贴吗", "租金补贴多少", ""):
        assert speller().correct(question) == (question, ())


def test_nothing_is_guessed_where_the_policies_offer_no_word() -> None:
    rare = Speller.of(["对企业租用办公用房给予租金补贴。"] * (WORD_USES - 1))  # 补贴 written too rarely
    assert rare.correct("合肥租房有补帖吗") == ("合肥租房有补帖吗", ())
    assert speller().correct("量子通心补贴") == ("量子通心补贴", ())  # 通信 is not in the policies


def test_a_pair_two_words_make_side_by_side_is_no_word_the_policies_write() -> None:
    # 心片 occurs in the policies only across 核心|片区; 公建 only inside 办公建筑, a word jieba reads there
    often = ["发展智能芯片产业。", "推进共建共享。"] * MIN_USES
    spell = Speller.of([*often, "建设琶洲核心片区。", "国家机关办公建筑执行绿色标准。"])  # each once
    assert spell.correct("哪些城市提到类脑计算心片") == ("哪些城市提到类脑计算芯片", (("心片", "芯片"),))
    assert spell.correct("政府投的公建呢") == ("政府投的公建呢", ())


def test_a_word_the_policies_write_twice_is_what_a_slip_no_one_writes_stands_for() -> None:
    # 情绪 is written twice in all the policies; 情续 by none of them, nor is it in jieba's dictionary
    spell = Speller.of(["识别人的情绪。", "感知用户情绪变化。"])
    assert spell.correct("要让机器认出人的情续") == ("要让机器认出人的情绪", (("情续", "情绪"),))
    assert Speller.of(["识别人的情绪。"]).correct("要让机器认出人的情续")[1] == ()


def test_a_character_before_a_mark_of_the_verb_is_the_verb_itself() -> None:
    # "集聚区提了": 提 is said with 了, a verb; 区市 of the same sounds is no word asked
    spell = Speller.of(["推进区市联动。"] * MIN_USES)
    assert spell.correct("市长对搞产业集聚区提了啥") == ("市长对搞产业集聚区提了啥", ())
    assert spell.correct("市长对搞产业集聚区提啥") != ("市长对搞产业集聚区提啥", ())  # without 了, read as a slip


def test_a_slip_inside_a_longer_word_jieba_does_not_know_is_read_too() -> None:
    spell = Speller.of(["举办人工智能产品博览会。"] * MIN_USES)
    assert spell.correct("哪些地方要办产品应用博揽会") == ("哪些地方要办产品应用博览会", (("博揽", "博览"),))


def test_a_slip_jieba_cuts_off_its_word_is_read_with_the_word() -> None:
    # "传感气": jieba reads 传感 / 气, each a word; 传感器, of the same sounds, is the policies' word
    spell = Speller.of(["发展新型智能传感器产品，攻关高精密减速器。企业家座谈会。"] * MIN_USES)
    assert spell.correct("智能传感气 有哪些类型") == ("智能传感器 有哪些类型", (("传感气", "传感器"),))
    assert spell.correct("点名要攻关高精密减速气") == ("点名要攻关高精密减速器", (("减速气", "减速器"),))
    # a character followed by 了 is a verb: "企业接了任务" is no slip for 企业家
    assert spell.correct("企业接了国家的任务") == ("企业接了国家的任务", ())
    # where the policies do not write the word often enough, nothing is guessed
    assert Speller.of(["发展新型智能传感器产品。"]).correct("智能传感气 有哪些")[1] == ()


def test_the_policies_texts_are_looked_into_for_a_bounded_number_of_rare_pairs(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from rag import typos

    # forty pairs each written once (a question of hostile length made of them): at most MAX_RARE lookups
    lines = [f"{a}{b}。" for a, b in zip("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往", "东南西北中发白春夏秋冬金木水火土风雨雷电山川河海江湖林森草木花鸟虫鱼龙虎豹狼")]
    spell = Speller.of(lines)
    looked: list[str] = []
    real = Speller.written
    monkeypatch.setattr(typos.Speller, "written", lambda self, word: looked.append(word) or real(self, word))
    spell.correct(" ".join(line.rstrip("。") for line in lines))
    assert 0 < len(looked) <= typos.MAX_RARE


def test_sounds_drop_tones_and_keep_every_reading() -> None:
    assert sounds("帖") == ("tie",) and set(sounds("行")) >= {"xing", "hang"}
    assert sounds("a") == () and sounds("女")[0] == "nü"  # the dots of ü stay: 女 is not 奴


def test_the_user_is_told_what_was_read() -> None:
    assert note([("补帖", "补贴")]) == "已将问题中的“补帖”按“补贴”理解。"
    assert note([]) == ""


def test_a_numeral_is_no_slip() -> None:
    # 七 sounds like 期 and 几 like 级, and the policies write 前期 and 分级 often; a count is not a slip for them
    spell = Speller.of(["做好前期工作，实行分级管理。"] * MIN_USES)
    for question in ("那份政策措施 总共几大部分 前七部分各支持啥", "若干政策分几大部分"):
        assert spell.correct(question) == (question, ())


def test_a_function_character_opening_the_pair_is_the_function_word_itself() -> None:
    # "交通上用AI": 上 is the locative after 交通, not a slip for 商; a closing one may be a slip (伦里 for 伦理)
    spell = Speller.of(["推动人工智能商用落地。加强人工智能伦理研究。"] * MIN_USES)
    assert spell.correct("交通上用AI 各打算干啥") == ("交通上用AI 各打算干啥", ())
    assert spell.correct("AI伦里这事咋说") == ("AI伦理这事咋说", (("伦里", "伦理"),))


def test_a_pair_across_two_words_is_no_slip_when_its_neighbour_makes_a_policy_word() -> None:
    # "建实训基地": 实 belongs to 实训, a word the policies write on its own, so 建实 is no slip for 坚实;
    # "基本原责": 本原 is written only across 基本 / 原则, so 原责 is the slip for 原则
    spell = Speller.of(["打下坚实基础。建设人工智能实训基地。坚持以下基本原则。"] * MIN_USES)
    assert spell.correct("中小学开课 建实训基地") == ("中小学开课 建实训基地", ())
    assert spell.correct("遵循几条基本原责") == ("遵循几条基本原则", (("原责", "原则"),))


def test_a_slip_that_makes_another_word_is_read_by_the_phrase_the_policies_write() -> None:
    # 安放 and 编成 are words anyone writes, but the policies never write 智能安放 or 智能编成 and often write
    # 智能安防 and 智能编程: the second word slipped into another of the same sound
    spell = Speller.of(["发展智能安防产品。", "支持智能编程机器人。", "安放设备。", "编成手册。"] * MIN_USES)
    assert spell.correct("西安智能安放产品") == ("西安智能安防产品", (("安放", "安防"),))
    assert spell.correct("哪里提了智能编成") == ("哪里提了智能编程", (("编成", "编程"),))
    # a phrase the policies write as the question does is left alone, and so is one they write too rarely
    assert spell.correct("安放设备") == ("安放设备", ())
    rare = Speller.of(["发展智能安防产品。"] + ["安防设备。"] * MIN_USES)  # 智能安防 written once
    assert rare.correct("智能安放产品") == ("智能安放产品", ())
