"""Text normalisation and jieba tokenisation shared by indexing, retrieval and answering."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

_WS = re.compile(r"\s+")
# A sentence runs to 。！？； (or a line break) and keeps the closing quotes or brackets and [n] citation
# markers that follow its punctuation: "……补助50万元。”[2]" is one sentence.
_SENTENCE_SPAN = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)]*(?:\[\d+\])*|\n|$)")
_WORDISH = re.compile(r"[\w\u4e00-\u9fff]")

# The type of a policy is the word its title ends with; a question names a policy by such a word.
POLICY_TYPES = (
    "总体规划", "发展规划", "规划", "实施意见", "指导意见", "若干意见", "意见", "实施方案", "行动方案", "工作方案", "方案",
    "三年行动计划", "行动计划", "计划", "专项政策", "若干政策", "政策措施", "政策", "实施细则", "细则", "暂行办法",
    "实施办法", "管理办法", "办法", "若干措施", "措施", "产业导则", "导则", "通知", "决定", "条例",
)  # fmt: skip
# Short names of policy types in general use: "湖北的AI总规" is its 总体规划 (not the 总规模 of a fund)
TYPE_SHORT = {"总规": "总体规划"}

# Words that carry no topic: question words, particles, connectives. Kept small on purpose —
# BM25's IDF already discounts words every clause has (人工智能, 发展).
STOPWORDS = frozenset(
    ["的", "了", "和", "与", "及", "以及", "或", "等", "在", "对", "为", "是", "有", "没有", "什么", "哪些", "哪个", "哪", "多少", "几", "怎么", "怎样", "如何", "吗", "呢", "吧", "啊", "要", "把", "被", "给", "让", "从", "向", "里", "中", "上", "下", "其", "该", "这", "那", "这些", "那些", "这个", "那个", "各", "每", "并", "而", "也", "都", "就", "还", "又", "则", "能", "可", "可以", "会", "将", "着", "过", "之", "以", "于", "由", "所", "者", "个", "讲", "说", "具体", "分别", "一下", "请问", "请", "我", "我们", "你", "他们", "它", "啥", "哪儿", "一样", "不同", "是否", "有没有", "怎么样", "什么样", "方面", "内容", "相关", "关于", "规定", "提到", "里面", "文件"]
)

# Spoken or abbreviated forms in questions -> the words policies use. Applied to questions only;
# each pair is general usage, not tied to any one question.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "ai": ("人工智能",),
    "补贴": ("补助", "奖励", "资助", "支持"),
    "补助": ("补贴", "资助"),
    "奖励": ("奖补", "补助"),
    "资助": ("补助", "补贴"),
    "先导区": ("试验区",),
    "试验区": ("先导区",),
    "房租": ("租金",),
    "租金": ("房租",),
    "钱": ("资金",),
    "牵头": ("责任单位", "负责"),
    "负责": ("责任单位", "牵头"),
    "谁": ("责任单位",),
}


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """[start, end) of each sentence of text[start:end], surrounding whitespace excluded; the one
    sentence splitter of the product (clauses, answer items and LLM answers all use it).

    Example: sentence_spans("目标。到2025年，达到100亿元；\n培育10家。") -> [(0, 3), (3, 18), (19, 25)]
    """
    end = len(text) if end is None else end
    spans = []
    for m in _SENTENCE_SPAN.finditer(text, start, end):
        a, b = m.start(), m.end()
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append((a, b))
    return spans


def sentences(text: str) -> list[str]:
    """The sentences of a text. Example: sentences("一、目标。到2025年，规模达到100亿元；培育10家企业。")
    -> ["一、目标。", "到2025年，规模达到100亿元；", "培育10家企业。"]"""
    return [text[a:b] for a, b in sentence_spans(text)]


def norm(text: str) -> str:
    """NFKC and no whitespace: the form in which quotes and clause texts are compared.

    Example: "到 2025 年，（一）" -> "到2025年,(一)"
    """
    return _WS.sub("", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=1)
def _jieba():  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


# jieba's part-of-speech tags of closed word classes: conjunctions (或者, 还是), particles (的话, 等等), modal
# particles (吗, 呗) and interjections. A question's words of these classes say nothing of its topic.
_CLOSED_CLASSES = ("c", "u", "y", "e")


@lru_cache(maxsize=1)
def _closed_words() -> frozenset[str]:
    """The words jieba's dictionary tags with a closed class, read once from it (some 600 of its 349,000
    entries: loading jieba's part-of-speech table whole would hold all of them, about 55 MB)."""
    words: set[str] = set()
    with _jieba().get_dict_file() as lines:
        for raw in lines:
            fields = raw.decode("utf-8").split()
            if len(fields) == 3 and fields[2].startswith(_CLOSED_CLASSES):
                words.add(fields[0])
    return frozenset(words)


def closed_class(word: str) -> bool:
    """Whether jieba's dictionary tags a word as a conjunction, particle, modal particle or interjection.

    Example: closed_class("或者") -> True; closed_class("的话") -> True; closed_class("住房") -> False
    """
    return word in _closed_words()


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens, lower-cased, without stopwords and punctuation.

    Example: "北京对引进图灵奖获得者有什么支持？" -> ["北京", "引进", "图灵", "图灵奖", "获得", "获得者", "支持"]
    """
    text = unicodedata.normalize("NFKC", text).lower()
    return [t for t in _jieba().lcut_for_search(text) if t.strip() and t not in STOPWORDS and _WORDISH.search(t)]


def tokenize_exact(text: str) -> list[str]:
    """jieba's accurate-mode words, lower-cased, punctuation dropped (stopwords kept).

    Example: "AI企业租房" -> ["ai", "企业", "租房"]
    """
    return exact_words(tokenize_exact_raw(unicodedata.normalize("NFKC", text).lower()))


def exact_words(raw: Sequence[str]) -> list[str]:
    """The words of jieba's cut of a text (`tokenize_exact_raw`), punctuation and spaces dropped: a text cut
    once serves both. Example: ["ai", "企业", "，", "租房"] -> ["ai", "企业", "租房"]"""
    return [t for t in raw if t.strip() and _WORDISH.search(t)]


def tokenize_exact_raw(text: str) -> list[str]:
    """jieba's accurate-mode words of a text, every character kept in order (their lengths add up to it).

    Example: "核心片区(含" -> ["核心", "片区", "(", "含"]
    """
    return list(_jieba().lcut(text))


def tail_words(text: str, limit: int) -> str:
    """The longest end of `text` made of whole jieba words and at most `limit` characters.

    Example: tail_words("市人民政府联合管委会设立天使投资基金", 10) -> "设立天使投资基金"
    """
    out = ""
    for word in reversed(_jieba().lcut(text)):
        if len(out) + len(word) > limit:
            break
        out = word + out
    return out


@lru_cache(maxsize=256)
def word_spans(text: str) -> frozenset[tuple[int, int]]:
    """(start, end) of each of jieba's words of a text, read once for a text met again (a question is read for
    places several times). Example: word_spans("精英国际") -> {(0, 2), (2, 4)}"""
    return frozenset((start, end) for _, start, end in _jieba().tokenize(text))


def known_word(word: str) -> bool:
    """Whether jieba's dictionary has the word. Example: known_word("补贴") -> True; known_word("补帖") -> False"""
    return _jieba().dt.FREQ.get(word, 0) > 0


def query_tokens(question: str) -> list[str]:
    """Tokens of a question with policy-language synonyms added.

    Example: "AI企业租房有补贴吗" -> [..., "ai", "人工智能", ..., "补贴", "补助", "奖励", "资助", "支持"]
    """
    out: list[str] = []
    for token in tokenize(question):
        out.append(token)
        out.extend(SYNONYMS.get(token, ()))
    return out
