"""Data that flows between the pipeline stages: small frozen dataclasses.

    corpus file --ingest--> Document --clauses--> [Clause] --store--> index/
    question --retrieve--> [Hit] --answer--> Answer([Citation])
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .items import Item, units_of


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
    items: tuple[Item, ...] = ()  # its sentences with their responsible units (see rag/items.py)

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
        data = asdict(self)
        data["path"] = list(self.path)
        data["span"] = list(self.span)
        data["items"] = [i.to_json() for i in self.items]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Clause:
        data = dict(data)
        data["path"] = tuple(data["path"])
        data["span"] = tuple(data["span"])
        data["items"] = tuple(Item.from_json(i) for i in data.get("items", ()))
        return cls(**data)


@dataclass(frozen=True)
class Hit:
    """A clause returned for a question, with its fused score and why it was found."""

    clause: Clause
    score: float  # fused rank score: higher is better, comparable only within one result list
    why: str = ""  # "dense+bm25", "dense", "bm25", "lookup"
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
        }


@dataclass(frozen=True)
class Answer:
    """A Chinese answer whose [n] markers refer to `citations`."""

    text: str
    citations: tuple[Citation, ...] = ()
    refused: bool = False
    mode: str = "extractive"  # or "llm"
    notices: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self, question: str) -> dict[str, Any]:
        """The `rag ask --json` object (a contract)."""
        return {
            "question": question,
            "answer": self.text,
            "refused": self.refused,
            "mode": self.mode,
            "citations": [c.to_json() for c in self.citations],
        }
