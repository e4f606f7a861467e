"""Homophone slips of a question, corrected against the policies' own words (rag/typos.py)."""

from __future__ import annotations

from rag.typos import MIN_USES, Speller, note, sounds

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
    rare = Speller.of(POLICY)  # every word written once: below MIN_USES
    assert rare.correct("合肥租房有补帖吗") == ("合肥租房有补帖吗", ())
    assert speller().correct("量子通心补贴") == ("量子通心补贴", ())  # 通信 is not in the policies


def test_sounds_drop_tones_and_keep_every_reading() -> None:
    assert sounds("帖") == ("tie",) and set(sounds("行")) >= {"xing", "hang"}
    assert sounds("a") == () and sounds("女")[0] == "nü"  # the dots of ü stay: 女 is not 奴


def test_the_user_is_told_what_was_read() -> None:
    assert note([("补帖", "补贴")]) == "已将问题中的“补帖”按“补贴”理解。"
    assert note([]) == ""
