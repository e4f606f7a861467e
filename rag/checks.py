"""Checks both answerers are held to: citations that name given clauses, numbers their clauses state.

    check_citations("A[1]B[4]", 3) -> [4]
    numbers_supported("补贴30%，最高300万元", ["按30%给予补贴，最高300万元"]) -> set()
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

_MARK = re.compile(r"\[(\d+)\]")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_YEAR_WORD = re.compile(r"(?<!\d)(?:19|20)\d\d年?(?!\d)")
_QUANTITY = re.compile(r"\d|[一二三四五六七八九十两百千万]+(?:个|家|项|所|大|条|种|位|名|亿|万|倍|成|类|座|平方|兆|人)")
# An amount with its unit: "500万元", "30%", "1亿元", "3年", "100个" (a year alone is not one; "一批", "a
# batch of", no number; nor a rank, "第六名", "第12名", nor "the same", "同一项目").
AMOUNT = re.compile(
    r"(?<![第同\d.,一二三四五六七八九十两百千万])(?!一批)(?:\d+(?:[.,]\d+)*|[一二三四五六七八九十两百千万]+)\s*(?:万亿元|亿元|万元|千元|元|%|％|‰|倍|个百分点|"
    r"家|个|项|所|名|人|位|台|套|款|条|座|万平方米|平方米|平方公里|公顷|亩|公里|千米|吨|千瓦|兆瓦|年|月|天|次|批|类|"
    r"万人次|亿人次|GB|TB|PB|EB|TOPS|PFLOPS|P|E|Gbps|G|万|亿|"
    r"\+(?=[\u4e00-\u9fff]))"  # "培养2000+企业人工智能工程师": a figure and more, of the thing after it
)


def markers(text: str) -> list[int]:
    """[n] markers in order. Example: markers("A[2]，B[1][2]。") -> [2, 1, 2]"""
    return [int(m) for m in _MARK.findall(text)]


def renumbered(text: str, number: Callable[[int], int]) -> str:
    """Each [n] marker written as [number(n)]. Example: renumbered("A[2]B[1]", {1: 2, 2: 1}.get) -> "A[1]B[2]" """
    return _MARK.sub(lambda m: f"[{number(int(m.group(1)))}]", text)


def unmarked(text: str) -> str:
    """The text without its [n] markers. Example: unmarked("按1:1承担[1]。") -> "按1:1承担。" """
    return _MARK.sub("", text)


def digit_runs(text: str) -> set[str]:
    """Digit sequences of a text, NFKC-normalised, thousands separators removed, [n] markers ignored.

    Example: digit_runs("到2025年达到3,500亿元，占1.5%[1]") -> {"2025", "3500", "1.5"}
    """
    t = unicodedata.normalize("NFKC", unmarked(text))
    t = re.sub(r"(?<=\d),(?=\d{3})", "", t)
    return set(_DIGITS.findall(t))


def numbers_supported(text: str, sources: Iterable[str]) -> set[str]:
    """Digit sequences of `text` that appear in none of `sources` (empty set: all supported).

    Example: numbers_supported("补贴30%，最高300万元", ["按30%给予补贴，最高300万元"]) -> set()
    """
    known: set[str] = set()
    for s in sources:
        known |= digit_runs(s)
    return digit_runs(text) - known


def check_citations(text: str, given: int) -> list[int]:
    """Markers that name no clause of the `given` ones. Example: check_citations("A[1]B[4]", 3) -> [4]"""
    return [n for n in markers(text) if not 1 <= n <= given]


def states_quantity(text: str) -> bool:
    """Whether a text states an amount or count; a year alone is not one.

    Neither is an entry's own number ("15.大力引进…") nor a document number ("杭政办函〔2018〕114号").

    Example: "培育10家企业" -> True; "完善城市大脑四大中枢平台" -> True; "到2022年，环境不断完善" -> False
    """
    text = _NOT_QUANTITY.sub("", unicodedata.normalize("NFKC", text))
    return bool(_QUANTITY.search(_YEAR_WORD.sub("", text)))


# An entry's own number where a line begins ("15.", "(3)", "3、"), a document number ("〔2018〕114号") and a
# mobile network's generation ("5G网络", "4G/5G"): names with a digit in them, as 千人计划 has a numeral
_NOT_QUANTITY = re.compile(
    r"(?m)^\s*(?:\d{1,3}\s*[.、．](?!\d)|[(（]\d{1,3}[)）])|[〔\[(（［]\s*(?:19|20)\d\d\s*[〕\])）］]\s*\d+\s*号"
    r"|(?<![\d.])[2-6]G(?![A-Za-z\d])"
)


def amounts(text: str) -> list[str]:
    """Amounts with their units, as written. Example: amounts("按30%给予支持，最高500万元") -> ["30%", "500万元"]"""
    t = unicodedata.normalize("NFKC", text)
    return [m.group(0) for m in AMOUNT.finditer(t) if not _YEAR_WORD.fullmatch(m.group(0)) and not _GENERATION.fullmatch(m.group(0))]


def unit_of(amount: str) -> str:
    """The unit an amount is stated in, its figures taken out (万 and 万亿 count as figures, so sums in 元
    compare): unit_of("500万元") -> "元", unit_of("15.7平方公里") -> "平方公里", unit_of("30%") -> "%" """
    return re.sub(r"[\d.,一二三四五六七八九十两百千万]+", "", amount.replace("万亿", ""))


_GENERATION = re.compile(r"[2-6]\s*G")  # "5G": a network generation, not an amount (see _NOT_QUANTITY)
