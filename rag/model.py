"""Data that flows between the pipeline stages: small frozen dataclasses.

    corpus file --ingest--> Document --clauses--> [Clause] --store--> index/
    question --retrieve--> [Hit] --answer--> Answer([Citation])
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from .items import Item, leading_period, units_of


def _plain(value: Any) -> Any:
    """JSON-shaped data: tuples become lists, at any depth. Example: {"a": (1, (2,))} -> {"a": [1, [2]]}"""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# How a policy stands on a given day: see `status_on`.
IN_FORCE, EXPIRED, UNKNOWN = "现行", "已失效", "未知"


def status_on(
    effective: str | None, expires: str | None, today: date | None = None, expires_by: str | None = None
) -> str:
    """现行, 已失效 or 未知 on `today` (default: the current date), from ISO dates.

    Only the text's term decides: a policy is 已失效 the day after it expires, and 现行 until then
    once in effect (a text we hold has been issued, so an unknown effective date counts as past).
    `expires_by` is the latest its term can end when the exact day is not stated ("有效期四年" of a
    policy issued some day in 2019): past it, the policy is 已失效 too. Otherwise 未知.
    Example: status_on("2020-01-13", "2023-12-31", date(2026, 1, 1)) -> "已失效"
    """
    day = (today or date.today()).isoformat()
    if expires_by and len(expires_by) == 10 and not expires and expires_by < day:
        return EXPIRED
    if not expires or len(expires) != 10:
        return UNKNOWN
    if expires < day:
        return EXPIRED
    if effective and len(effective) == 10 and effective > day:
        return UNKNOWN
    return IN_FORCE


@dataclass(frozen=True)
class DateFact:
    """One date of a policy with the text that states it.

    Example: DateFact("2023-11-11", "第十五条本办法自2021年11月12日起施行，有效期两年。", (3184, 3209),
                      ref="第十五条", basis="有效期两年，自2021-11-12起")
    """

    value: str | None  # ISO "2021-11-12", "2023-03" when only the month is stated; None if not derivable
    text: str  # the sentence that states it, verbatim from Document.text
    span: tuple[int, int]  # [start, end) of `text` in Document.text
    ref: str = ""  # the clause holding it: "第十五条", "落款", "序言"
    clause_id: str = ""
    basis: str = ""  # how the value follows from the text when it is not written out
    latest: str | None = None  # when `value` is unknown, the latest it can be (ISO), if the year is known

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DateFact:
        return cls(**{**data, "span": tuple(data["span"])})


@dataclass(frozen=True)
class PolicyDates:
    """Issued (落款/印发), effective (施行) and expiry (有效期) dates of a policy, each with its source."""

    issued: DateFact | None = None
    effective: DateFact | None = None
    expires: DateFact | None = None

    def value(self, name: str) -> str | None:
        """Example: dates.value("expires") -> "2023-12-31" """
        fact: DateFact | None = getattr(self, name)
        return fact.value if fact else None

    def status(self, today: date | None = None) -> str:
        expires_by = self.expires.latest if self.expires else None
        return status_on(self.value("effective"), self.value("expires"), today, expires_by)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> PolicyDates:
        data = data or {}
        return cls(**{k: DateFact.from_json(v) for k, v in data.items() if v})


@dataclass(frozen=True)
class Document:
    """One policy, with its cleaned text.

    A compilation file holds many policies; each becomes its own Document whose
    `source` is the compilation's file name.
    """

    id: str  # stable across rebuilds, e.g. "004_19fc23e80da6329a-02"
    title: str  # "北京市关于加快中关村科学城人工智能创新引领发展的十五条措施"
    text: str  # cleaned text; Clause.span indexes into it
    source: str  # file name, e.g. "004_19fc23e80da6329a.txt"
    region: str | None = None  # "北京市", "湖北省", "武汉市"
    issuer: str | None = None  # "湖北省人民政府办公厅" where the text states it
    year: int | None = None  # year of issue where the text states it
    dates: PolicyDates = field(default_factory=PolicyDates)  # filled when the index is built

    def to_json(self) -> dict[str, Any]:
        return dict(_plain(asdict(self)))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        return cls(**{**data, "dates": PolicyDates.from_json(data.get("dates"))})


@dataclass(frozen=True)
class Span:
    """A piece of a clause's text: `clause.text[start:end] == text`."""

    text: str
    start: int
    end: int

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Span:
        return cls(**data)


@dataclass(frozen=True)
class Quantity:
    """A number a measure states, with its unit, as written in the clause.

    Example: in "…给予最高500万元资金支持", Quantity(Span("500万元", …), unit="万元", value=5e6, cap=True,
    phrase=Span("最高500万元", …)); a ratio "30%" has unit "%" and value 30.
    """

    span: Span  # the number and its unit
    unit: str  # "元", "万元", "亿元", "亿" (fund sizes), "%"
    value: float  # in 元 for money, in percent for ratios
    cap: bool = False  # an upper limit: 最高, 不超过, 不高于, 最多, 上限
    phrase: Span | None = None  # the limit word with the number, "最高不超过500万元"; else None

    @property
    def shown(self) -> str:
        """The quantity as a table shows it: "最高500万元", "30%"."""
        return (self.phrase or self.span).text

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Quantity:
        phrase = data.get("phrase")
        return cls(**{**data, "span": Span.from_json(data["span"]), "phrase": Span.from_json(phrase) if phrase else None})


@dataclass(frozen=True)
class Measure:
    """One support measure a clause states; every value is a span of the clause text.

    Example: "对于区域内创新主体举办赛事活动成效显著的，可按照不高于实际投入30%的比例，给予最高500万元资金支持。"
    -> Measure(kind="资金支持", amounts=(最高500万元,), ratios=(不高于实际投入30%,), purpose=Span("区域内创新主体
       举办赛事活动成效显著的", …), …)
    """

    kind: str  # the support word as written: 资助, 奖励, 补贴, 补助, 贴息, 基金, 一事一议, 资金支持…; "" = conditions only
    sentence: Span  # the sentence that states it
    kind_span: Span | None = None
    purpose: Span | None = None  # what it is for: the "对…" object of the sentence, else the clause's title
    beneficiary: Span | None = None  # who receives it, where stated ("给予承办单位…")
    amounts: tuple[Quantity, ...] = ()  # money: "500万元", fund sizes "200亿元"
    ratios: tuple[Quantity, ...] = ()  # "30%"
    thresholds: tuple[Quantity, ...] = ()  # numbers of eligibility conditions: "1000万元以上"
    responsible: tuple[Span, ...] = ()  # units named in 责任单位 / 牵头单位 / 责任部门

    @property
    def provides(self) -> bool:
        """Whether it gives something (a kind or an amount), not only conditions."""
        return bool(self.kind or self.amounts or self.ratios)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Measure:
        def span(value: dict[str, Any] | None) -> Span | None:
            return Span.from_json(value) if value else None

        return cls(
            kind=data["kind"],
            sentence=Span.from_json(data["sentence"]),
            kind_span=span(data.get("kind_span")),
            purpose=span(data.get("purpose")),
            beneficiary=span(data.get("beneficiary")),
            amounts=tuple(Quantity.from_json(q) for q in data.get("amounts", ())),
            ratios=tuple(Quantity.from_json(q) for q in data.get("ratios", ())),
            thresholds=tuple(Quantity.from_json(q) for q in data.get("thresholds", ())),
            responsible=tuple(Span.from_json(s) for s in data.get("responsible", ())),
        )


@dataclass(frozen=True)
class Clause:
    """The unit of retrieval and citation: one numbered measure with its place in the hierarchy.

    Example: the Hubei plan's clause "1.智能制造。推动省内工业企业……" has
    path ("二、拓展人工智能融合应用场景", "（一）加速融合助力供给侧改革"), number "1",
    ref "二（一）1".
    """

    id: str  # stable: same document text and splitter give the same id
    doc_id: str
    doc_title: str
    path: tuple[str, ...]  # headings above the clause, outermost first, each with its number
    number: str | None  # own number, normalised: "第六条", "专栏2", "1", "（三）", "一"; None if unnumbered
    text: str  # the clause text, own heading included, broken lines joined
    span: tuple[int, int]  # [start, end) in Document.text
    source: str = ""
    region: str | None = None
    year: int | None = None
    ref: str = ""  # compact citation inside the document: "二（一）1", "第六条", "专栏2"
    part: int = 0  # 0 for a whole clause; 1, 2, … for parts of a clause too long to embed
    title: str = ""  # the clause's own heading words if it has one: "智能制造"
    measures: tuple[Measure, ...] = ()  # support measures stated in `text` (rag.measures)
    effective: str | None = None  # the policy's dates (ISO), copied from Document.dates
    expires: str | None = None
    expires_by: str | None = None  # the latest the policy's term can end when `expires` is not stated
    items: tuple[Item, ...] = ()  # its sentences with their responsible units (see rag/items.py)
    lead: str = ""  # a later part's period, from an earlier part of its clause ("到2022年"); see with_leads

    def status(self, today: date | None = None) -> str:
        """现行 / 已失效 / 未知 of the clause's policy on `today`."""
        return status_on(self.effective, self.expires, today, self.expires_by)

    @property
    def units(self) -> tuple[tuple[str, str], ...]:
        """(label, value) of every units note of the clause: (("责任单位", "市科技局、市财政局"),)."""
        return units_of(self.items)

    def item_text(self, item: Item) -> str:
        return self.text[item.start : item.end]

    @property
    def path_str(self) -> str:
        """Heading path as one string: "二、拓展… > （一）加速…"."""
        return " > ".join(self.path)

    @property
    def citation(self) -> str:
        """How a person cites it: "《湖北省…总体规划》二（一）1"."""
        return f"《{self.doc_title}》{self.ref}".strip()

    def to_json(self) -> dict[str, Any]:
        data = dict(_plain(asdict(self)))
        data["items"] = [i.to_json() for i in self.items]
        del data["lead"]  # derived from the clauses around it when an index is made (with_leads)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Clause:
        data = dict(data)
        data["path"] = tuple(data["path"])
        data["span"] = tuple(data["span"])
        data["items"] = tuple(Item.from_json(i) for i in data.get("items", ()))
        data["measures"] = tuple(Measure.from_json(m) for m in data.get("measures", ()))
        return cls(**data)


@dataclass(frozen=True)
class Hit:
    """A clause returned for a question, with its fused score and why it was found."""

    clause: Clause
    score: float  # fused rank score: higher is better, comparable only within one result list
    why: str = ""  # "dense+bm25", "dense", "bm25", "lookup", "definition" (the clause defining a term asked)
    dense: float = 0.0  # cosine similarity of question and clause vectors (0 when not scored)
    lexical: float = 0.0  # BM25 score of the clause for the question's jieba tokens

    def to_json(self) -> dict[str, Any]:
        """The `rag search --json` hit object (a contract: other tooling reads it)."""
        c = self.clause
        return {
            "id": c.id,
            "doc": c.doc_title,
            "path": c.path_str,
            "number": c.number,
            "region": c.region,
            "text": c.text,
            "score": round(float(self.score), 6),
            "source": c.source,
        }


@dataclass(frozen=True)
class Citation:
    """A clause an answer cites as [n]."""

    n: int
    clause: Clause
    quotes: tuple[str, ...] = ()  # sentences of the clause the answer used, for highlighting

    def to_json(self) -> dict[str, Any]:
        """The `rag ask --json` citation object (a contract)."""
        c = self.clause
        return {
            "n": self.n,
            "id": c.id,
            "doc": c.doc_title,
            "path": c.path_str,
            "number": c.number,
            "text": c.text,
            "source": c.source,
            "expires": c.expires,
            "status": c.status(),
        }


@dataclass(frozen=True)
class TableRow:
    """One row of the compact table a comparison or "哪些城市…" answer carries: a place, its measure (an
    item of clause [n], verbatim) and the amounts that item states.

    Example: TableRow("北京市", 1, "按不高于实际投入30%的比例，给予最高500万元资金支持", ("30%", "500万元"))
    """

    place: str
    n: int
    measure: str
    amounts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """A Chinese answer whose [n] markers refer to `citations`."""

    text: str
    citations: tuple[Citation, ...] = ()
    refused: bool = False
    mode: str = "extractive"  # or "llm"
    notices: tuple[str, ...] = field(default_factory=tuple)
    table: tuple[TableRow, ...] = ()  # comparisons and "哪些城市…" answers: one row per place

    def to_json(self, question: str) -> dict[str, Any]:
        """The `rag ask --json` object (a contract)."""
        return {
            "question": question,
            "answer": self.text,
            "refused": self.refused,
            "mode": self.mode,
            "citations": [c.to_json() for c in self.citations],
        }


def with_leads(clauses: list[Clause]) -> list[Clause]:
    """The clauses, each later part of a clause too long to embed whole given the period that leads an
    earlier part (`lead`): the 4th part of a "建设目标" clause opening "到2022年，…" belongs to 2022 too.

    Example: parts 1 "二、建设目标 到2022年，…。——培养…" and 2 "——推出…10个以上…" -> part 2's lead "到2022年"
    """
    out: list[Clause] = []
    opened: dict[str, dict[str, str]] = {}  # doc -> ref -> the period its clause opens with, or inherits
    for c in clauses:
        prev = out[-1] if out else None
        lead = ""
        if c.part > 1 and prev is not None and (prev.doc_id, prev.ref, prev.part) == (c.doc_id, c.ref, c.part - 1):
            said = (leading_period(prev.item_text(item)) for item in reversed(prev.items))
            lead = next((p for p in said if p), prev.lead)
            lead = lead if _TARGET_PERIOD.match(lead) else ""  # a target's period, not "2015年，全市…"
        elif c.part <= 1:
            refs = opened.setdefault(c.doc_id, {})
            parent = _parent_ref(c.ref, refs)
            table = any(i.role == "row" for i in c.items)  # a table's rows take their period from its header
            lead = refs[parent] if parent is not None and not table else ""
            if c.ref:
                refs[c.ref] = _opening_period(c) or lead
        out.append(c if lead == c.lead else replace(c, lead=lead))
    return out


_TARGET_PERIOD = re.compile(r"到|至|截至|近期|中期|远期")


_NUMERALS = "一二三四五六七八九十百0123456789"


def _parent_ref(ref: str, seen: dict[str, str]) -> str | None:
    """The ref of the clause that one with `ref` is an entry of: the longest earlier ref of its policy that
    its own begins with, ending where a number ends ("二（四）" -> "二", "二（二）2" -> "二（二）"; "十一" is not
    an entry of "十", nor "二12" of "二1")."""
    for k in range(len(ref) - 1, 0, -1):
        head = ref[:k]
        if head in seen and not (head[-1] in _NUMERALS and ref[k] in _NUMERALS):
            return head
    return None


def _opening_period(c: Clause) -> str:
    """The target period a clause's first sentence opens with, when its text names no other year: "二、建设目标
    到2023年，实现…" -> "到2023年" (its entries （一）…（四） are 2023's targets); "" for "到2020年…；到2025年…"."""
    first = next((c.item_text(i) for i in c.items if i.role != "heading"), "")
    lead = leading_period(first)  # "力争到2025年，…" too: the phrase is looked for in the first characters
    if not lead or not _TARGET_PERIOD.match(lead):
        return ""
    years = set(re.findall(r"(?:19|20)\d\d(?=\s*年)", c.text))
    return lead if len(years) <= 1 else ""
