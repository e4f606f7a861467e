"""Extractive answerer: a Chinese answer made of verbatim sentences of the retrieved clauses.

    Extractive(Vocabulary.of(index.clauses)).answer("湖北到2027年人工智能产业规模要做到多少？", hits)
    -> Answer("《湖北省人民政府办公厅关于加快推进人工智能产业发展的实施意见》：到2027年,培育100亿级产业园5个,
               产业规模达到3500亿元[1]。", citations=(Citation(1, clause, quotes=(…,)),))

No LLM and no network: every character of a non-refused answer, apart from the policy names, the
[n] markers and a few connectives, is copied from a cited clause, so every number in it is one the
clause states. When the evidence is weak (see `judge`) the answer says so ("未在所收录的政策中找到…")
and lists the closest clauses as 可能相关 without asserting them.

The citation checks the LLM path needs (`check_citations`, `numbers_supported`) live here too, so
that both answerers are held to the same rules.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .model import Answer, Citation, Clause, Hit
from .text import STOPWORDS, SYNONYMS, expand_region_groups, norm

log = logging.getLogger(__name__)

# ---------------------------------------------------------------- thresholds (calibrated on dev.jsonl)

# Refusal rules, calibrated on tests/gold/dev.jsonl (64 answerable, 6 unanswerable questions;
# see the report of the change that added them). Each is a general signal, not a list of questions:
#   * a place named in the question that no indexed clause, title or region mentions (厦门);
#   * a year named in the question that no evidence clause states (a 2025 target in a 2017-2022 plan);
#   * a rare content word of the question (IDF >= RARE_IDF, i.e. in under ~2% of clauses) found in
#     no evidence clause (房租减免 in a plan that never mentions rent);
#   * a how-much question whose focus (its rarest noun the evidence mentions) is never stated next to
#     a quantity (上市 is mentioned, but no sentence about it states an amount);
#   * content coverage of the best clause below MIN_COVER, or its dense cosine below MIN_DENSE.
MIN_COVER = 0.30
RARE_IDF = 4.0
MIN_DENSE = 0.0  # e5-small cosines of unrelated Chinese texts sit near 0.8: too flat to use alone
SENTENCE_KEEP = 0.5  # a clause is cited when its best sentence scores at least this share of the best
MAX_CLAUSES = 4
MAX_CLAUSES_WIDE = 6  # list and comparison questions gather from more clauses
LONG_SENTENCE = 110  # longer sentences are trimmed to the comma-pieces that carry the answer
QUANTITY_BONUS = 0.3  # a how-much question prefers sentences that state an amount
MAY_RELATE = 3  # closest clauses offered under a refusal

# Words that say what kind of answer is wanted, not what it is about: they are not evidence.
QUESTION_WORDS = frozenset(
    {
        "补贴", "补帖", "补助", "奖励", "奖补", "资助", "支持", "扶持", "鼓励", "政策", "措施", "文件", "规划", "方案", "意见", "办法",
        "标准", "目标", "要求", "多大", "哪天", "哪里", "哪儿", "哪家", "哪两", "哪四个", "哪几", "谁", "部门", "单位", "时候", "水平",
        "位置", "格局", "成果", "情况", "做", "搞", "给", "要", "想", "能", "打算", "提出", "明确", "出台", "最多", "最高", "一共",
        "总共", "分别", "各是", "各", "两地", "两份", "这份", "那份", "那个", "这些", "人工智能", "ai", "智能化", "新一代", "ai企业", "企业",
        "产业", "发展", "建设", "推进", "加快", "实施", "规定", "提", "讲", "列", "点名", "指", "代表", "哪个", "几个",
        "对象", "门槛", "比例", "封顶", "日期", "落款", "方面", "方向", "做到", "处于", "多少钱", "啥",
    }
)
NAME_FLAGS = frozenset({"ns", "nr", "nz", "nt", "j"})  # jieba tags of names: a title naming one makes it a place
NOUN_FLAGS = frozenset({"n", "nr", "ns", "nt", "nz", "nrt", "vn", "eng", "l", "j", "i"})  # jieba POS tags
GENERIC_PLACES = frozenset({"全国", "国家", "国内", "中国", "全省", "全市", "我省", "我市", "省", "市"})

_QUANTITY_Q = re.compile(r"多少|几[个家项所大类条种年位名亿万千百批次成倍]|多大|多高|多长|多久|比例|金额|额度|上限|"
                         r"封顶|最高|最多|哪天|哪一天|日期|何时|什么时候|哪年|规模|几号")
_LIST_Q = re.compile(r"哪些|哪几|哪[两三四五六七八九十]|分别是|分别依托|包括|是啥|有几")
_COMPARE_Q = re.compile(r"一样|相同|不同|区别|差别|差异|分别|各是|各自|对比|比较|两地|两份")
_QUANTITY = re.compile(r"\d|[一二三四五六七八九十两百千万]+(?:个|家|项|所|大|条|种|位|名|亿|万|倍|成|类|座|平方|兆|人)")
_NUMERAL = re.compile(r"[\d一二三四五六七八九十两百千万亿]")
_YEAR_WORD = re.compile(r"(?<!\d)(?:19|20)\d\d年?(?!\d)")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*[”’」』）)]*")
_PIECE = re.compile(r"(?:[^，,：:]|(?<=\d),(?=\d))+(?:[，：:]|,(?!\d))?")
_MARK = re.compile(r"\[(\d+)\]")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_ENDS = "。；;，,：:！!？? "


# ---------------------------------------------------------------- the corpus's vocabulary


@dataclass
class Vocabulary:
    """What the index contains, for telling rare words from common ones and known places from unknown.

    Example: v = Vocabulary.of(clauses); v.idf("博士后") -> 5.9; v.known_place("厦门") -> False
    """

    texts: list[str]
    places: str  # all titles and regions, joined: where place names are looked up first
    _idf: dict[str, float] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, clauses: Sequence[Clause]) -> Vocabulary:
        texts = [norm(f"{c.doc_title}{c.region or ''}{c.text}").lower() for c in clauses]
        places = norm("".join({f"{c.doc_title}{c.region or ''}" for c in clauses}))
        return cls(texts, places)

    def df(self, term: str) -> int:
        return sum(1 for t in self.texts if term in t)

    def idf(self, term: str) -> float:
        """log((N+1)/(df+1)): 0 for a word every clause has, ~8 for one no clause has."""
        if term not in self._idf:
            self._idf[term] = math.log((len(self.texts) + 1) / (self.df(term) + 1))
        return self._idf[term]

    def known_place(self, place: str) -> bool:
        return place in self.places or any(place in t for t in self.texts)


# ---------------------------------------------------------------- reading the question


@dataclass(frozen=True)
class Query:
    """What the answerer needs to know about a question.

    Example: "杭州对AI企业上市给多少奖励？" -> terms {"上市": 4.1}, places ("杭州",), quantity=True
    """

    text: str
    terms: dict[str, float]  # content word -> weight (its IDF; 0 for words no clause contains)
    nouns: frozenset[str] = frozenset()  # the terms that name things: only these must occur in the evidence
    places: tuple[str, ...] = ()
    unknown_places: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    quantity: bool = False
    listing: bool = False
    comparison: bool = False

    @property
    def weight(self) -> float:
        return sum(self.terms.values())


def analyse(question: str, vocab: Vocabulary) -> Query:
    """Content words, places, years and the kind of answer a question wants.

    Example: analyse("厦门的人工智能创新发展试验区有什么补贴政策？", v).unknown_places -> ("厦门",)
    """
    words = _words(expand_region_groups(question))
    named = [w for w, flag in words if flag.startswith("ns") and len(w) >= 2 and w not in GENERIC_PLACES]
    # A place-tagged word is a place when policy titles or regions name it; jieba also tags words like
    # 上市 or 城市 as places, and those, found only in clause texts, stay content words.
    names = [w for w, flag in words if flag in NAME_FLAGS and len(w) >= 2 and w not in QUESTION_WORDS]
    places = [w for w in dict.fromkeys(named + names) if w in vocab.places]
    unknown = [w for w in named if not vocab.known_place(w)]
    terms = {w: vocab.idf(w) for w, _ in words if _is_content(w) and w not in places and w not in unknown}
    terms = {w: (idf if vocab.df(w) else 0.0) for w, idf in terms.items()}
    nouns = frozenset(w for w, flag in words if w in terms and flag in NOUN_FLAGS and not _NUMERAL.search(w))
    return Query(
        text=question,
        terms=terms,
        nouns=nouns,
        places=tuple(dict.fromkeys(places)),
        unknown_places=tuple(dict.fromkeys(unknown)),
        years=tuple(dict.fromkeys(_YEAR.findall(norm(question)))),
        quantity=bool(_QUANTITY_Q.search(question)),
        listing=bool(_LIST_Q.search(question)),
        comparison=bool(_COMPARE_Q.search(question)) or len(set(places)) >= 2,
    )


@lru_cache(maxsize=1024)
def _words(question: str) -> tuple[tuple[str, str], ...]:
    """jieba words with part-of-speech flags, NFKC-normalised and lower-cased."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    text = unicodedata.normalize("NFKC", question).lower()
    return tuple((p.word, p.flag) for p in jieba.posseg.lcut(text) if p.word.strip())


def _is_content(word: str) -> bool:
    if word in STOPWORDS or word in QUESTION_WORDS or _YEAR.fullmatch(word):
        return False
    if not re.search(r"[\w\u4e00-\u9fff]", word) or word.isdigit():
        return False
    return len(word) >= 2


def present(term: str, text: str) -> float:
    """1 when the term (or a synonym) is in the normalised text, 0.5 for a near miss, else 0.

    Example: present("房租", "给予租金补贴") -> 1.0; present("创新中新", "制造业创新中心") -> 0.5
    """
    if term in text or any(s in text for s in SYNONYMS.get(term, ())):
        return 1.0
    if len(term) >= 3:
        grams = {term[i : i + 2] for i in range(len(term) - 1)}
        if sum(g in text for g in grams) / len(grams) >= 0.6:
            return 0.5
    return 0.0


def coverage(query: Query, text: str) -> float:
    """Share of the question's content (IDF-weighted) found in a text. 1.0 when there is none to find."""
    if query.weight <= 0:
        return 1.0
    t = norm(text).lower()
    return sum(w * present(term, t) for term, w in query.terms.items()) / query.weight


# ---------------------------------------------------------------- is the evidence strong enough?


@dataclass(frozen=True)
class Verdict:
    """Whether the hits answer the question and, if not, what was not found."""

    ok: bool
    reason: str = ""  # "place", "year", "term", "quantity", "weak"
    missing: tuple[str, ...] = ()


def evidence(query: Query, hits: Sequence[Hit]) -> list[Hit]:
    """Hits from the places the question names (all hits when it names none, or none match).

    Example: "重庆试验区建交通大脑…" keeps the Chongqing clauses and drops Chengdu's.
    """
    if not query.places:
        return list(hits)
    kept = [h for h in hits if any(p in _context(h.clause) for p in query.places)]
    return kept or list(hits)


def _context(clause: Clause) -> str:
    """The clause with what it inherits: title, region, heading path."""
    return norm(f"{clause.doc_title}{clause.region or ''}{''.join(clause.path)}{clause.ref}{clause.text}").lower()


def judge(query: Query, hits: Sequence[Hit]) -> Verdict:
    """Apply the refusal rules (see the thresholds above) to the evidence hits.

    Example: judge(analyse("武汉先导区方案对引进AI博士后给多少补贴？", v), hits)
             -> Verdict(False, "quantity", ("博士后",)) when no sentence about 博士后 has an amount.
    """
    if query.unknown_places:
        return Verdict(False, "place", query.unknown_places)
    if not hits:
        return Verdict(False, "weak")
    contexts = [_context(h.clause) + str(h.clause.year or "") for h in hits]
    missing_years = tuple(y for y in query.years if not any(y in c for c in contexts))
    if missing_years:
        return Verdict(False, "year", missing_years)
    rare = tuple(
        t for t, w in query.terms.items() if t in query.nouns and w >= RARE_IDF and not any(present(t, c) for c in contexts)
    )
    if rare:
        return Verdict(False, "term", rare)
    best = max(coverage(query, c) for c in contexts)
    if best < MIN_COVER or max(h.dense for h in hits) < MIN_DENSE:
        return Verdict(False, "weak", tuple(query.terms))
    if query.quantity and not quantity_stated(query, hits):
        return Verdict(False, "quantity", (focus(query, hits) or "",))
    return Verdict(True)


def focus(query: Query, hits: Sequence[Hit]) -> str | None:
    """The most specific thing a question asks about that the evidence mentions: its rarest noun found
    in some clause text but in no policy title (a title word such as 先导区 says where, not what).

    Example: "武汉先导区方案对引进AI博士后给多少补贴？" -> "博士后"
    """
    titles = "".join({norm(h.clause.doc_title).lower() for h in hits})
    texts = [norm(h.clause.text).lower() for h in hits]
    nouns = [t for t in query.nouns if query.terms[t] > 0 and t not in titles and any(t in x for x in texts)]
    return max(nouns, key=lambda t: query.terms[t], default=None)


def quantity_stated(query: Query, hits: Sequence[Hit]) -> bool:
    """Whether some clause states a quantity (a digit, 四大, 三个 …) in the same sentence as the
    question's focus (anywhere in a table), in a clause of the year the question names, if any.
    True when there is no focus to check.

    Example: False for "杭州对AI企业上市给多少奖励？" when the only 上市 sentence is "支持企业境内外上市。"
    """
    term = focus(query, hits)
    if term is None:
        return True
    for h in hits:
        if query.years and not any(y in _context(h.clause) + str(h.clause.year or "") for y in query.years):
            continue
        units = [h.clause.text] if "|" in h.clause.text else sentences(h.clause.text)
        if any(states_quantity(u) and term in norm(u).lower() for u in units):
            return True
    return False


def _top_terms(query: Query, n: int = 2) -> tuple[str, ...]:
    return tuple(sorted(query.terms, key=lambda t: -query.terms[t])[:n])


# ---------------------------------------------------------------- sentences


def states_quantity(text: str) -> bool:
    """Whether a text states an amount or count; a year alone is not one.

    Example: "培育10家企业" -> True; "完善城市大脑四大中枢平台" -> True; "到2022年，环境不断完善" -> False
    """
    return bool(_QUANTITY.search(_YEAR_WORD.sub("", text)))


def sentences(text: str) -> list[str]:
    """Sentences of a clause text, split after 。！？； and at line breaks.

    Example: sentences("一、目标。到2025年，规模达到100亿元；培育10家企业。") -> ["一、目标。", "到2025年，规模达到100亿元；", "培育10家企业。"]
    """
    return [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip(_ENDS)]


@dataclass(frozen=True)
class Pick:
    """A sentence chosen for the answer, with the hit it comes from and its score."""

    hit: Hit
    sentence: str
    score: float


def score_sentence(query: Query, sentence: str, rank: int) -> float:
    """Content coverage, plus a little for a stated quantity or year the question wants, and for rank.

    Example: for "…多少所学校…", "在100所学校开展个性化精准化教学试验" scores above a sentence without a number.
    """
    s = coverage(query, sentence)
    if query.quantity and states_quantity(sentence):
        s += QUANTITY_BONUS
    if any(y in sentence for y in query.years):
        s += 0.1
    return s + 0.05 / (rank + 1)


def best_sentences(query: Query, hit: Hit, rank: int) -> list[Pick]:
    """The hit's sentences, best first (a clause heading alone is never picked)."""
    picks = [Pick(hit, s, score_sentence(query, s, rank)) for s in sentences(hit.clause.text)]
    picks = [p for p in picks if len(p.sentence.strip(_ENDS)) > 4]
    return sorted(picks, key=lambda p: -p.score)


def select(query: Query, hits: Sequence[Hit]) -> list[Pick]:
    """The sentences the answer is made of: the best ones across clauses, at most two per clause
    (three for list questions), from at most MAX_CLAUSES clauses (MAX_CLAUSES_WIDE for lists and
    comparisons). A quantity question's best number-bearing sentence goes first."""
    per_hit = [best_sentences(query, h, r) for r, h in enumerate(_of_the_year(query, hits))]
    per_hit = [p for p in per_hit if p]
    if not per_hit:
        return []
    top = max(p[0].score for p in per_hit)
    wide = query.listing or query.comparison
    chosen = [p for p in per_hit if p[0].score >= SENTENCE_KEEP * top]
    chosen = _cover_places(query, per_hit, chosen) if query.comparison else chosen
    chosen = chosen[: MAX_CLAUSES_WIDE if wide else MAX_CLAUSES]
    keep = 3 if query.listing else 2
    picks = [p for clause_picks in chosen for p in clause_picks[:keep] if p.score >= 0.6 * clause_picks[0].score]
    return _quantity_first(query, picks)


def _of_the_year(query: Query, hits: Sequence[Hit]) -> list[Hit]:
    """When the question names a year, the clauses that state it (targets of other years would mislead)."""
    dated = [h for h in hits if any(y in _context(h.clause) + str(h.clause.year or "") for y in query.years)]
    return dated or list(hits)


def _cover_places(query: Query, per_hit: list[list[Pick]], chosen: list[list[Pick]]) -> list[list[Pick]]:
    """A comparison answers for every place it names: add each place's best clause if missing."""
    out = list(chosen)
    for place in query.places:
        if any(place in _context(p[0].hit.clause) for p in out):
            continue
        best = next((p for p in per_hit if place in _context(p[0].hit.clause)), None)
        if best:
            out.insert(1, best)
    return out


def _quantity_first(query: Query, picks: list[Pick]) -> list[Pick]:
    if not query.quantity:
        return picks
    numeric = [p for p in picks if states_quantity(p.sentence)]
    if not numeric:
        return picks
    first = max(numeric, key=lambda p: p.score)
    return [first] + [p for p in picks if p is not first]


# ---------------------------------------------------------------- rendering


class Numbering:
    """[n] in order of first use. Example: n = Numbering(); n.of(c2) -> 1; n.of(c1) -> 2; n.of(c2) -> 1"""

    def __init__(self) -> None:
        self._n: dict[str, int] = {}
        self._clauses: dict[str, Clause] = {}
        self._quotes: dict[str, list[str]] = {}

    def of(self, clause: Clause, quote: str | None = None) -> int:
        if clause.id not in self._n:
            self._n[clause.id] = len(self._n) + 1
            self._clauses[clause.id] = clause
            self._quotes[clause.id] = []
        if quote and quote not in self._quotes[clause.id]:
            self._quotes[clause.id].append(quote)
        return self._n[clause.id]

    def citations(self) -> tuple[Citation, ...]:
        return tuple(Citation(n, self._clauses[cid], tuple(self._quotes[cid])) for cid, n in self._n.items())


def trim(query: Query, sentence: str) -> str:
    """A long sentence cut to the comma-pieces that carry the answer, gaps marked with ……

    Example: a 200-character target sentence -> "到2027年,……产业规模达到3500亿元"
    """
    body = sentence.rstrip(_ENDS)
    if len(body) <= LONG_SENTENCE:
        return body
    pieces = [m.group(0) for m in _PIECE.finditer(body)]
    keep = [i for i, p in enumerate(pieces) if _useful_piece(query, p, i)]
    if not keep:
        return body
    out, last = "", -1
    for i in keep:
        out += ("……" if out and i != last + 1 else "") + pieces[i]
        last = i
    return out.rstrip(_ENDS) + ("……" if last < len(pieces) - 1 else "")


def _useful_piece(query: Query, piece: str, i: int) -> bool:
    if i == 0 and _YEAR.search(piece):
        return True
    t = norm(piece).lower()
    if any(present(term, t) for term, w in query.terms.items() if w > 0):
        return True
    return bool(query.quantity and states_quantity(piece))


def _with_table_header(clause: Clause, row: str) -> str:
    """A table row prefixed by the table's header row, so its numbers keep their years and units.

    Example: "企业(家) | 10 | 30" -> "指标 | 到2022年 | 到2025年；企业(家) | 10 | 30"
    """
    header = next((line.strip() for line in clause.text.splitlines() if "|" in line), "")
    if "|" not in row or not header or norm(header) == norm(row) or header in row:
        return row
    return f"{header.strip(' |')}；{row.strip(' |')}"


def render(query: Query, picks: Sequence[Pick]) -> tuple[str, tuple[Citation, ...]]:
    """Chinese answer text grouped by policy (in order of first use), each sentence followed by [n].

    Example: -> "《湖北省…总体规划》：在100所学校开展个性化精准化教学试验[1]。"
    """
    numbering = Numbering()
    groups: dict[str, list[str]] = {}
    for p in picks:
        n = numbering.of(p.hit.clause, p.sentence)
        body = _with_table_header(p.hit.clause, trim(query, p.sentence))
        groups.setdefault(p.hit.clause.doc_title, []).append(f"{body}[{n}]。")
    lines = [f"《{title}》：{''.join(parts)}" for title, parts in groups.items()]
    return "\n".join(lines), numbering.citations()


# ---------------------------------------------------------------- refusal and lookup


def refusal(query: Query, verdict: Verdict, hits: Sequence[Hit]) -> Answer:
    """"未在所收录的政策中找到…", what was searched, and the closest clauses as 可能相关.

    Example: -> "未在所收录的政策中找到厦门的相关政策（所收录的政策没有涉及厦门的文件）。"
    """
    numbering = Numbering()
    lines = [_refusal_head(query, verdict)]
    related = [h for h in hits if verdict.reason != "place"][:MAY_RELATE]
    if related:
        lines.append("可能相关（仅供参考，并未回答该问题）：")
        for h in related:
            n = numbering.of(h.clause)
            lines.append(f"[{n}] {h.clause.citation}：{_snippet(h.clause.text)}")
    return Answer("\n".join(lines), numbering.citations(), refused=True)


def _refusal_head(query: Query, verdict: Verdict) -> str:
    scope = "、".join(p for p in query.places if p not in verdict.missing)
    where = f"（检索范围：{scope}）" if scope else ""
    quoted = "".join(f"“{m}”" for m in verdict.missing)
    if verdict.reason == "place":
        return f"未在所收录的政策中找到{'、'.join(verdict.missing)}的相关政策：所收录的文件没有涉及{'、'.join(verdict.missing)}。"
    if verdict.reason == "year":
        return f"未在所收录的政策中找到{quoted}年的相关内容{where}。"
    if verdict.reason == "term":
        return f"未在所收录的政策中找到关于{quoted}的规定{where}。"
    if verdict.reason == "quantity":
        return f"未在所收录的政策中找到关于{quoted}的具体数额或比例{where}：相关条款只有一般性表述。"
    return f"未在所收录的政策中找到能回答该问题的条款{where}。"


def _snippet(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "……"


def lookup_answer(hits: Sequence[Hit]) -> Answer:
    """A question naming a clause ("第六条讲的是什么") gets the clause itself, whole.

    Example: -> "《北京市…十五条措施》第六条：第六条 鼓励发展早期和长期投资。…[1]"
    """
    numbering = Numbering()
    parts = []
    for h in hits:
        n = numbering.of(h.clause, h.clause.text)
        parts.append(f"{h.clause.citation}：{h.clause.text.strip()}[{n}]")
    return Answer("\n".join(parts), numbering.citations())


# ---------------------------------------------------------------- the answerer


class Extractive:
    """The default answerer: no LLM, no network.

    Example: Extractive(Vocabulary.of(index.clauses)).answer("湖北规划里个性化精准教学要在多少所学校试点？", hits)
             -> Answer("《湖北省新一代人工智能发展总体规划（2020—2030年）》：…在100所学校开展个性化精准化教学试验[1]。", …)
    """

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab

    def answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        lookups = [h for h in hits if h.why == "lookup"]
        if lookups:
            return lookup_answer(lookups)
        query = analyse(question, self.vocab)
        ev = evidence(query, hits)
        verdict = judge(query, ev)
        if not verdict.ok:
            log.info("refused (%s: %s)", verdict.reason, ", ".join(verdict.missing))
            return refusal(query, verdict, ev if verdict.reason != "place" else hits)
        text, citations = render(query, select(query, ev))
        if not citations:
            return refusal(query, Verdict(False, "weak"), hits)
        return Answer(text, citations)


# ---------------------------------------------------------------- checks shared with the LLM path


def markers(text: str) -> list[int]:
    """[n] markers in order. Example: markers("A[2]，B[1][2]。") -> [2, 1, 2]"""
    return [int(m) for m in _MARK.findall(text)]


def digit_runs(text: str) -> set[str]:
    """Digit sequences of a text, NFKC-normalised, thousands separators removed, [n] markers ignored.

    Example: digit_runs("到2025年达到3,500亿元，占1.5%[1]") -> {"2025", "3500", "1.5"}
    """
    t = unicodedata.normalize("NFKC", _MARK.sub("", text))
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
