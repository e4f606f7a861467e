"""Find clauses by a typed reference: "中关村十五条措施 第六条", "总体规划专栏10".

    name, ref = parse_ref("中关村十五条措施第六条讲的是什么？")  # ("中关村十五条措施", "第六条")
    find(clauses, docs, "湖北实施意见第十三条")  # -> [Clause(ref="五（十三）", …)]

A reference has a policy-name part, matched fuzzily against document titles
(character bigrams plus region words, so abbreviations work), and a clause part
matched against `Clause.ref`: exactly, then as the tail of a longer ref, then —
for 第X条 in a document that has no 第X条, and for 第X项 or 第X点 — as the X-th item of its main list;
第X部分 is the part numbered X、 (一、二、…).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from typing import TypeVar

from .clauses import cn_to_int, int_to_cn
from .model import Clause, Document
from .places import first as find_region
from .text import known_word

_NUM = r"(?:[一二三四五六七八九十百零〇两]+|\d{1,3})"
# 第15项, 第3点: the 15th item of a list numbered 1, 2, …; 第3部分: the part numbered 三、
_ARTICLE = re.compile(rf"第\s*({_NUM})\s*(部分|[条章节项点])")
_BOX = re.compile(rf"专栏\s*({_NUM})")
# "二（一）1", "二、(一)", "（十三）", "三（二）4（1）": at least one bracketed level.
_COMPACT = re.compile(
    r"([一二三四五六七八九十]+)?、?\s*([（(]\s*[一二三四五六七八九十]+\s*[)）])\s*(\d{1,2})?\s*([（(]\d{1,2}[)）])?"
)
_QUESTION_HEAD = re.compile(r"^(?:请问|请|查询|查一下|查找|看看|我想知道|帮我查)")
_NAME_PUNCT = "《》<>“”\"'‘’「」 \t,，.。:：、"
_ALIASES = {"AI": "人工智能", "ai": "人工智能"}


def parse_ref(text: str) -> tuple[str | None, str | None]:
    """Split a typed reference into (policy name, clause ref), numbers normalised.

    Example: "中关村十五条措施 第六条" -> ("中关村十五条措施", "第六条");
    "湖北省总体规划 二（一）1" -> ("湖北省总体规划", "二（一）1"); "第6条" -> (None, "第六条");
    "北京对图灵奖有什么支持" -> (None, None)
    """
    text = unicodedata.normalize("NFKC", text or "").strip()
    found = _first_ref(text)
    if found is None:
        return None, None
    start, ref = found
    return _clean_name(text[:start]), ref


def _first_ref(text: str) -> tuple[int, str] | None:
    """(position, normalised ref) of the earliest clause reference in the text."""
    hits: list[tuple[int, str]] = []
    # "第四五七条" names no article (cn_to_int: digits side by side are no numeral): the next 第X条 may
    numbered = ((a, value) for a in _ARTICLE.finditer(text) if (value := cn_to_int(a.group(1))) is not None)
    if found := next(numbered, None):
        article, value = found
        hits.append((article.start(), f"第{int_to_cn(value)}{article.group(2)}"))
    if m := next((b for b in _BOX.finditer(text) if not _opens_word(text, b)), None):
        hits.append((m.start(), f"专栏{cn_to_int(m.group(1))}"))
    if m := _COMPACT.search(text):
        cn, pcn, num, pnum = m.groups()
        pcn = "（" + pcn.strip("()（） ") + "）"
        pnum = f"（{pnum.strip('()（）')}）" if pnum else ""
        hits.append((m.start(), f"{cn or ''}{pcn}{num or ''}{pnum}"))
    return min(hits) if hits else None


def _opens_word(text: str, box: re.Match[str]) -> bool:
    """Whether the 一 or 两 after 专栏 opens a word with the character after it, and numbers no box: "那个专栏
    一共点了几门技术" (一共), "专栏两个" (两个); "专栏一的内容", "专栏十二" name one."""
    return box.group(1) in ("一", "两") and known_word(box.group(1) + text[box.end() : box.end() + 1])


# an entry of a box named by its number: "专栏16第1项", "企业培育的专栏7 第3项"
_BOX_ENTRY = re.compile(rf"专栏\s*{_NUM}\s*(?:的|里的|里面的|里|中的|中)?\s*第\s*({_NUM})\s*[项个条点]")


def box_entry(text: str) -> int | None:
    """The number of the entry a question names inside the box it names; None when it names none.

    Example: box_entry("沈阳规划专栏16第1项讲啥") -> 1; box_entry("专栏16讲啥") -> None
    """
    m = _BOX_ENTRY.search(unicodedata.normalize("NFKC", text or ""))
    return cn_to_int(m.group(1)) if m else None


def _clean_name(text: str) -> str | None:
    """Policy-name part: question words and punctuation trimmed. Example: "请问 《总体规划》的" -> "总体规划"."""
    name = _QUESTION_HEAD.sub("", text.strip()).strip(_NAME_PUNCT)
    name = re.sub(r"(?:中的|里的|的|中|里)$", "", name).strip(_NAME_PUNCT)
    return name if len(name) >= 2 else None


# ---------------------------------------------------------------- policy names


def bigrams(text: str) -> set[str]:
    """Character bigrams of the letters/digits. Example: "总体规划" -> {"总体", "体规", "规划"}."""
    for short, full in _ALIASES.items():
        text = text.replace(short, full)
    chars = [ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum()]
    return {a + b for a, b in itertools.pairwise(chars)}


def score(name: str, title: str, region: str | None) -> float:
    """How well a typed name fits a document: share of its bigrams in the title, plus region fit."""
    wanted = bigrams(name)
    if not wanted:
        return 0.0
    score = len(wanted & bigrams(title)) / len(wanted)
    named = find_region(name)
    if named:
        score += 0.3 if named == region else -0.3
    return score


def match_docs(docs: Sequence[Document] | Mapping[str, str], name: str, min_score: float = 0.34) -> list[str]:
    """Document ids ranked by how well `name` fits their title, best first; deterministic.

    `docs` may be Documents or a mapping id -> title.
    Example: match_docs(docs, "湖北省总体规划") -> ["000_bd35aee1ad441e2b", …]
    """
    if isinstance(docs, Mapping):
        entries = [(doc_id, title, find_region(title)) for doc_id, title in docs.items()]
    else:
        entries = [(d.id, d.title, d.region) for d in docs]
    scored = [(score(name, title, region), i, doc_id) for i, (doc_id, title, region) in enumerate(entries)]
    ranked = sorted((s for s in scored if s[0] >= min_score), key=lambda s: (-s[0], s[1]))
    return [doc_id for _, _, doc_id in ranked]


# ---------------------------------------------------------------- clause refs


def _is_descendant(ref: str, target: str) -> bool:
    """Whether `ref` is `target` or a clause inside it. Example: ("第二条1", "第二条") -> True; ("十一", "十") -> False."""
    if not ref.startswith(target):
        return False
    rest = ref[len(target) :]
    if not rest:
        return True
    numerals = "一二三四五六七八九十百零"
    return not (
        (target[-1] in numerals and rest[0] in numerals + "条章节")
        or (target[-1].isdigit() and rest[0].isdigit())
    )


def resolve(doc_clauses: list[Clause], target: str, said: str = "") -> list[Clause]:
    """Clauses of one document that a normalised ref names, with their sub-clauses. `said`, the text the
    ref was typed in, picks one of several refs ending alike by the heading it names: "保障措施（四）" is
    三（四） under "三、保障措施", not 二（四） under "二、主要任务"."""
    exact = [c for c in doc_clauses if _is_descendant(c.ref, target)]
    if exact:
        return _narrowed(exact, target, said)
    tails = refs_ending(doc_clauses, target)
    if len(tails) > 1 and said:
        tails = [r for r in tails if any(c.ref == r and _names_heading(c, said) for c in doc_clauses)] or tails
    if len(tails) > 1 and said:
        tails = _heading_said(doc_clauses, tails, said) or tails
    if len(tails) == 1:
        tail = tails[0]
        return _narrowed([c for c in doc_clauses if _is_descendant(c.ref, tail)], target, said)
    if part := re.fullmatch(r"第(.+)部分", target):  # the part numbered 三、 of a policy numbered 一、二、…
        return [c for c in doc_clauses if _is_descendant(c.ref, part.group(1))]
    m = re.fullmatch(r"第(.+)([条项点])", target)
    if m and not any(re.search(r"第.+条", c.ref) for c in doc_clauses):
        return _ordinal(doc_clauses, m.group(1), m.group(2))
    if m and m.group(2) != "条":  # a policy of articles: its main list is its articles (第3项 is 第三条)
        return resolve(doc_clauses, f"第{m.group(1)}条")
    return []


def refs_ending(doc_clauses: Sequence[Clause], target: str) -> list[str]:
    """The refs of a document's clauses that end with a ref but are longer, in document order: "（四）" ->
    ["二（四）", "三（四）"] in a policy whose parts 二 and 三 both have a （四）."""
    if len(target) < 2:
        return []
    return list(dict.fromkeys(c.ref for c in doc_clauses if c.ref != target and c.ref.endswith(target)))


def _narrowed(found: list[Clause], target: str, said: str) -> list[Clause]:
    """The item a question names inside the clause it names ("（二）里的第3项" is the item numbered 3 under
    （二）), with its sub-clauses, when exactly one item under it has that number; else all found."""
    m = _ARTICLE.search(unicodedata.normalize("NFKC", said)) if said else None
    value = cn_to_int(m.group(1)) if m and m.group(2) in "项点" and not target.startswith("第") else None
    if value is None:
        return found
    named = list(dict.fromkeys(c.ref for c in found if c.number in (str(value), int_to_cn(value), f"（{int_to_cn(value)}）")))
    if len(named) != 1:
        return found
    return [c for c in found if _is_descendant(c.ref, named[0])]


K = TypeVar("K")
HEADING_RUN = 4  # characters of a heading a question writes as it stands, to name it ("关键核心技术" of "聚力关键核心技术研发")


def _heading_said(doc_clauses: Sequence[Clause], tails: Sequence[str], said: str) -> list[str]:
    """Of several refs ending alike, the one whose own heading the question writes the longest run of
    (HEADING_RUN characters at least, 人工智能 aside), when no other's heading shares as long a run:
    "（二）关键核心技术里的第3项" is 三（二） under "（二）聚力关键核心技术研发", not 二（二）or 四（二）."""
    plain = unicodedata.normalize("NFKC", said).replace("人工智能", "")
    runs = {}
    for ref in tails:
        heads = {c.title for c in doc_clauses if c.ref == ref} | {c.path[-1] for c in doc_clauses if c.ref.startswith(ref) and c.ref != ref and c.path}
        runs[ref] = max((common_run(plain, unicodedata.normalize("NFKC", h).replace("人工智能", "")) for h in heads if h), default=0)
    best = max(runs.values(), default=0)
    top = [r for r, n in runs.items() if n == best]
    return top if best >= HEADING_RUN and len(top) == 1 else []


def named_heading(said: str, headings: Mapping[K, str], besides: str = "") -> K | None:
    """Of several headings (or titles), the one a question names by writing it: the longest run of characters
    the two share, HEADING_RUN and half the heading at least (人工智能 aside, and not a run of `besides`, the
    policy's own title), when no other heading shares as long a run; None otherwise.

    Example: named_heading("深圳行动计划最后那部分保障措施 有几条", {1: "四、保障措施", 2: "三、主要任务"}) -> 1
    """
    plain = unicodedata.normalize("NFKC", said).replace("人工智能", "")
    runs: dict[K, int] = {}
    for key, heading in headings.items():
        text = unicodedata.normalize("NFKC", heading).replace("人工智能", "")
        run = shared_run(plain, text)
        if len(run) >= max(HEADING_RUN, len(text) / 2) and not (besides and run in besides):
            runs[key] = len(run)
    best = max(runs.values(), default=0)
    top = [key for key, n in runs.items() if n == best]
    return top[0] if len(top) == 1 else None


def common_run(a: str, b: str) -> int:
    """Length of the longest run of characters two texts share. Example: ("关键核心技术里", "聚力关键核心技术研发") -> 6"""
    return len(shared_run(a, b))


def shared_run(a: str, b: str) -> str:
    """The longest run of characters two texts share. Example: ("关键核心技术里", "聚力关键核心技术研发") -> "关键核心技术" """
    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return a[m.a : m.a + m.size]


def _names_heading(clause: Clause, said: str) -> bool:
    """Whether a text names the heading a clause sits under ("三、保障措施" -> 保障措施)."""
    words = (re.sub(r"^[一二三四五六七八九十]+、|^[（(][一二三四五六七八九十]+[)）]", "", h).strip() for h in clause.path)
    return any(len(w) >= 2 and w in said for w in words)


def _ordinal(doc_clauses: list[Clause], numeral: str, word: str = "条") -> list[Clause]:
    """第X条 in a document numbered （一）…（十六） or 一、…: the item numbered X, if only one is. 第X项 and
    第X点 name the X-th item of a list numbered 1. 2. … first, as a plan's numbered measures are counted.

    Example: the Hubei 实施意见 numbers its measures （一）…（十六） across sections, so
    its "第十三条" is the clause numbered "（十三）"; the Guangzhou action plan numbers its measures 1.…24.
    under headings (一)…(四), so its "第4项" is the measure numbered 4.
    """
    value = cn_to_int(numeral)
    if value is None:
        return []
    numbers = [f"（{int_to_cn(value)}）", int_to_cn(value), str(value)]
    if word in "项点":
        numbers.insert(0, numbers.pop())
    for number in numbers:
        refs = list(dict.fromkeys(c.ref for c in doc_clauses if c.number == number))
        if number.startswith("（"):  # a heading holding only numbered items is no clause, but numbers one too:
            # the Guangzhou plan's （五） of 二 (items 13.…18.) and of 三, so its 第5条 is not 三（五）
            refs = list(dict.fromkeys(refs + [c.ref[: i + len(number)] for c in doc_clauses if (i := c.ref.find(number)) >= 0]))
        if len(refs) == 1:
            return [c for c in doc_clauses if _is_descendant(c.ref, refs[0])]
    return []


def find(clauses: Sequence[Clause], docs: Sequence[Document], text: str) -> list[Clause]:
    """The clause(s) a reference names, in document order (all parts; sub-clauses included).

    Without a policy name the reference must be unambiguous: it resolves only when
    exactly one document has such a clause. Example:
    find(cl, docs, "中关村十五条措施第六条") -> [Clause(ref="第六条", doc_title="北京市…十五条措施")]
    """
    name, target = parse_ref(text)
    if target is None:
        return []
    by_doc: dict[str, list[Clause]] = {}
    for clause in clauses:
        by_doc.setdefault(clause.doc_id, []).append(clause)
    if name:
        for doc_id in match_docs(docs, name)[:3]:
            if found := resolve(by_doc.get(doc_id, []), target, text):
                return found
        return []
    hits = [found for doc_clauses in by_doc.values() if (found := resolve(doc_clauses, target))]
    return hits[0] if len(hits) == 1 else []


def neighbours(clauses: Sequence[Clause], clause: Clause, n: int = 1) -> tuple[list[Clause], list[Clause]]:
    """Up to n clauses before and after `clause` in its document, skipping its own parts.

    Example: neighbours(cl, 第六条) -> ([第五条], [第七条])
    """
    same_doc = [c for c in clauses if c.doc_id == clause.doc_id]
    own = [
        i
        for i, c in enumerate(same_doc)
        if c.ref == clause.ref and c.span == clause.span or c.id == clause.id
    ]
    if not own:
        return [], []
    first, last = own[0], own[-1]
    while first > 0 and same_doc[first - 1].ref == clause.ref and same_doc[first - 1].part:
        first -= 1
    while last + 1 < len(same_doc) and same_doc[last + 1].ref == clause.ref and same_doc[last + 1].part:
        last += 1
    return same_doc[max(0, first - n) : first], same_doc[last + 1 : last + 1 + n]


# A term a policy defines, where its text defines it: "2、人工智能企业。指以…", "人工智能产品包括：…",
# "本办法所称新一代人工智能开放创新平台是指…", "(六)实际投产时间,是指…". The term opens the clause, an item,
# a sentence or a numbered entry, or follows 所称; a bare 指 that opens a word ("指导", "指标") defines nothing.
_DEFINES = re.compile(
    r"(?:^|[\n。；;]|(?<=\d)[、.．]|[)）]|所称)\s*([\u4e00-\u9fffA-Za-z/]{3,16}?)\s*[。，,]?\s*"
    r"(?:是指|(指)[：:]?|包括[：:]|包含[：:])"
)
# what a question asking a term's meaning writes right after the term: "人工智能产品具体指哪些",
# "人工智能服务包括哪些", "…是指啥"
_ASKS_MEANING = re.compile(r"\s*(?:具体|主要|都|到底|究竟|一般)?\s*(?:是指|指的?是?|包括|包含|是)\s*(?:哪[些几类种]|什么|啥|些啥)(?![时样])")


def definitions(clauses: Sequence[Clause]) -> list[tuple[str, Clause, int]]:
    """The terms the clauses define, each with its clause and the position of the item that defines it.

    Example: definitions([细则 一（三）2]) -> [("人工智能企业", clause, 1), ("人工智能软件", clause, 2), …]
    """
    found = []
    for clause in clauses:
        for m in _DEFINES.finditer(clause.text):
            if m.end() == m.end(2) and known_word(clause.text[m.start(2) : m.start(2) + 2]):
                continue  # "成立专家咨询委员会，指导…"
            position = next((n for n, item in enumerate(clause.items) if item.start <= m.end() - 1 < item.end), None)
            if position is not None:
                found.append((m.group(1), clause, position))
    return found


def defined_asked(text: str, defined: Sequence[tuple[str, Clause, int]]) -> list[tuple[Clause, int]]:
    """The definitions of the longest term a question asks the meaning of, as (clause, item position);
    [] when it asks the meaning of no term defined.

    Example: defined_asked("武汉细则 人工智能产品具体指哪些", definitions(clauses)) -> [(一（三）2, 4)]
    """
    said = unicodedata.normalize("NFKC", text)
    for alias, name in _ALIASES.items():
        said = said.replace(alias, name)
    asked = [
        (term, clause, position)
        for term, clause, position in defined
        if any(_ASKS_MEANING.match(said, m.end()) for m in re.finditer(re.escape(term), said))
    ]
    longest = max((len(term) for term, _, _ in asked), default=0)
    return [(clause, position) for term, clause, position in asked if len(term) == longest]
