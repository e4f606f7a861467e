"""Split a Document into Clauses: numbered measures with their heading path and span.

    split(doc)  # the Hubei plan
    -> [..., Clause(path=("二、拓展人工智能融合应用场景", "（一）加速融合助力供给侧改革"),
                    number="1", ref="二（一）1", title="智能制造",
                    text="1.智能制造。推动省内工业企业……", span=(5123, 5480)), ...]

How: every paragraph of `doc.text` (one per line; ingest already rejoined broken
lines) is a numbered heading, a 专栏 box, a table row, or body text. Numbered
paragraphs nest by the rank of their numbering style (第X章 > 第X条 > 一、 > （一） >
1. > （1） > ①); body paragraphs belong to the heading above them. A heading with
body text is a clause; a heading whose only content is its children is not. A
专栏 box, and a table, is one clause wherever it sits.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace

from . import items as clause_items
from .model import Clause, Document
from .text import sentence_spans

_CN_DIGITS = "零一二三四五六七八九"
_CN_NUM = r"[一二三四五六七八九十百零〇两]+"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# (kind, rank, pattern). Lower rank = outer level. Order matters: first match wins.
_MARKERS: list[tuple[str, int, re.Pattern[str]]] = [
    ("chapter", 0, re.compile(rf"^第\s*({_CN_NUM}|\d+)\s*([章篇])\s*")),
    ("section", 1, re.compile(rf"^第\s*({_CN_NUM}|\d+)\s*(节)\s*")),
    ("article", 2, re.compile(rf"^第\s*({_CN_NUM}|\d+)\s*(条)\s*")),
    ("box", 9, re.compile(rf"^专栏\s*({_CN_NUM}|\d+)\s*[：:、.．]?\s*")),
    ("cn", 3, re.compile(rf"^({_CN_NUM})\s*[、．.]\s*")),
    ("pcn", 4, re.compile(rf"^[（(]\s*({_CN_NUM})\s*[)）]\s*")),
    ("num", 5, re.compile(r"^(\d{1,2})\s*(?:[、．]|\.(?!\d))\s*")),
    ("pnum", 6, re.compile(r"^[（(]\s*(\d{1,2})\s*[)）]\s*")),
    ("circle", 7, re.compile(f"^([{_CIRCLED}])\\s*")),
]
_TITLE_END = re.compile(r"[。：:；;！!？?]")
_DATE = re.compile(r"^\d{4}年\d{1,2}月(?:\d{1,2}日)?")
MIN_CHARS = 6  # shorter text (number and punctuation aside) is noise, not a clause


_SIDE_BY_SIDE = re.compile(r"[一二三四五六七八九两]{2}")


def cn_to_int(text: str) -> int | None:
    """Chinese or Arabic numeral to int; None when it is neither. The one numeral reader of the product
    (clause numbers, terms of validity, amounts). Digits side by side with no 十/百/千 between them are no
    numeral ("四五七" of "第四五七条", a policy named by its articles 四、五、七).
    Example: "十三" -> 13, "二十一" -> 21, "两千" -> 2000, "一百零五" -> 105, "7" -> 7, "四五七" -> None."""
    if text.isdigit():
        return int(text)
    if _SIDE_BY_SIDE.search(text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS or ch == "〇" or ch == "两":
            current = 2 if ch == "两" else max(_CN_DIGITS.find(ch), 0)
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "千":
            total += (current or 1) * 1000
            current = 0
        else:
            return None
    return total + current


def int_to_cn(n: int) -> str:
    """int to Chinese numeral as written in clause numbers. Example: 13 -> "十三", 20 -> "二十"."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")
    hundreds, rest = divmod(n, 100)
    tail = (
        ""
        if rest == 0
        else ("零" + _CN_DIGITS[rest] if rest < 10 else ("一" if rest < 20 else "") + int_to_cn(rest))
    )
    return _CN_DIGITS[hundreds] + "百" + tail


@dataclass(frozen=True)
class Marker:
    """A paragraph's leading number. Example: "（三）强化政策支持。" -> kind "pcn", number "（三）"."""

    kind: str
    rank: int
    number: str  # normalised: "第六条", "（三）", "三", "1", "（1）", "①", "专栏2"
    length: int  # characters the marker takes at the start of the paragraph


def clause_number(line: str) -> Marker | None:
    """Leading clause number of a line, normalised.

    Example: "（三）强化政策支持。…" -> Marker("pcn", 4, "（三）", 3); "第十二条 以多种…" -> "第十二条"
    """
    for kind, rank, pattern in _MARKERS:
        m = pattern.match(line)
        if m:
            return Marker(kind, rank, _normalise(kind, m), m.end())
    return None


def _normalise(kind: str, m: re.Match[str]) -> str:
    raw = m.group(1)
    if kind in {"chapter", "section", "article"}:
        value = cn_to_int(raw)
        return f"第{int_to_cn(value) if value is not None else raw}{m.group(2)}"
    if kind == "box":
        return f"专栏{cn_to_int(raw) or raw}"
    if kind == "pcn":
        return f"（{raw}）"
    if kind == "pnum":
        return f"（{int(raw)}）"
    if kind == "num":
        return str(int(raw))
    return raw


@dataclass
class _Node:
    """A heading (or the document root / a box / a table) while the tree is built."""

    marker: Marker | None
    label: str  # how it appears in a path: "（一）加速融合助力供给侧改革"
    title: str
    paras: list[int] = field(default_factory=list)  # indexes of its own paragraphs
    children: list[_Node] = field(default_factory=list)
    kind: str = "heading"  # "heading", "box", "table", "preamble", "closing"
    last: dict[str, int] = field(default_factory=dict)  # boxes: last item number per numbering style


def split(doc: Document, max_chars: int = 400) -> list[Clause]:
    """Clauses of a document, in reading order. A long clause is cut into parts of about
    `max_chars` at sentence ends; no part is longer than `hard_cap(max_chars)`, even in text
    without punctuation (RAG_CLAUSE_CHARS sets max_chars).

    Example: split(tenth_of_beijing_measures) -> 15 clauses numbered "第一条" … "第十五条".
    """
    if max_chars < 50:
        raise ValueError(f"max_chars must be at least 50, got {max_chars}")
    spans = paragraph_spans(doc.text)
    paras = [doc.text[s:e] for s, e in spans]
    root = _build_tree(paras)
    clauses: list[Clause] = []
    for node, path in _walk(root, ()):
        if _is_clause(node, paras):
            clauses.extend(_emit(doc, node, path, spans, max_chars))
    return clauses


def consulting(clause: Clause) -> bool:
    """Whether a clause is an entry that names whom to ask about the measure it closes ("4.政策咨询"); its
    office and number are its items' units (items.split). The answerer cites it beside the measure's other
    entries when a question asks whom to ask (extractive's `_consulting`)."""
    return clause_items.consulting_title(clause.title) and bool(clause_items.units_of(clause.items))


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each non-blank line. Example: "a\\n\\nbc" -> [(0, 1), (3, 5)]."""
    spans, pos = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + line.index(stripped[0])
            spans.append((start, start + len(stripped)))
        pos += len(line) + 1
    return spans


def _build_tree(paras: list[str]) -> _Node:
    """Nest paragraphs under headings by numbering rank; see the module docstring."""
    root = _Node(None, "", "", kind="root")
    stack: list[_Node] = [root]
    for i, text in enumerate(paras):
        marker = clause_number(text)
        top = stack[-1]
        if marker and marker.kind == "box":
            while stack[-1].kind in {"box", "table", "closing"}:
                stack.pop()
            _push(stack, _Node(marker, _label(marker, text), _title(marker, text), [i], kind="box"))
        elif marker and not (top.kind == "box" and _inside_box(stack, marker)):
            while len(stack) > 1 and (stack[-1].marker is None or stack[-1].marker.rank >= marker.rank):
                stack.pop()
            _push(stack, _Node(marker, _label(marker, text), _title(marker, text), [i]))
        elif " | " in text and top.kind != "box":
            if top.kind != "table":
                _push(stack, _Node(None, "", "", kind="table"))
            stack[-1].paras.append(i)
        elif _DATE.match(text) and len(text) <= 20 and top.kind != "box":
            while stack[-1].kind in {"table", "closing"}:
                stack.pop()
            _push(stack, _Node(None, "", "", [i], kind="closing"))
        else:
            # A table ends at the first line of prose; a signature block at the first long line.
            if top.kind == "table" or (top.kind == "closing" and not _is_signature(text)):
                stack.pop()
            _attach_body(stack, root, i, paras)
    return root


def _is_signature(text: str) -> bool:
    """Lines that belong with a date at the end: "(此件公开发布)", "（此件主动公开）"."""
    return len(text) <= 20 and text[0] in "(（" and text[-1] in ")）"


def _inside_box(stack: list[_Node], marker: Marker) -> bool:
    """Whether a numbered item belongs to the open 专栏 box rather than the text around it.

    A numbering style not used outside the box is the box's own; a style used on both
    sides belongs to the box when it starts afresh there (1.) or continues the box's list.
    """
    box = stack[-1]
    outside = {n.marker.kind for n in stack[:-1] if n.marker}
    if marker.kind not in outside:
        inside = True
    else:
        value = cn_to_int(marker.number.strip("（）第条章节专栏"))
        last = box.last.get(marker.kind)
        inside = value == (1 if last is None else last + 1)
    if inside:
        box.last[marker.kind] = cn_to_int(marker.number.strip("（）第条章节专栏")) or 0
    return inside


def _push(stack: list[_Node], node: _Node) -> None:
    stack[-1].children.append(node)
    stack.append(node)


def _attach_body(stack: list[_Node], root: _Node, i: int, paras: list[str]) -> None:
    """A body paragraph joins the innermost open heading; before any, a preamble clause.

    Short preamble lines (the title, "各有关单位：") travel with the sentence after them.
    """
    top = stack[-1]
    if top is not root:
        top.paras.append(i)
        return
    last = root.children[-1] if root.children else None
    if last is None or last.kind != "preamble" or _ends_sentence(paras[last.paras[-1]]):
        last = _Node(None, "", "", kind="preamble")
        root.children.append(last)
    last.paras.append(i)


def _ends_sentence(text: str) -> bool:
    return len(text) >= 20 and text[-1] in "。；！？;!?”）)"


# How a number is joined to its title in a path: "一、总体要求", "1.智能制造", "第二章 认定条件".
_LABEL_SEP = {"cn": "、", "num": ".", "chapter": " ", "section": " ", "article": " ", "box": " "}


def _label(marker: Marker, text: str) -> str:
    """Path label of a heading: its normalised number and its title words."""
    title = _title(marker, text)
    sep = _LABEL_SEP.get(marker.kind, "")
    return f"{marker.number}{sep}{title or text[marker.length :][:20]}".strip()


def _title(marker: Marker, text: str) -> str:
    """The heading words after the number, if the paragraph starts with a short title.

    Example: "1.智能制造。推动…" -> "智能制造"; "第一条为引导推动…，制定本导则。" -> ""
    """
    rest = text[marker.length :].strip()
    m = _TITLE_END.search(rest)
    head = rest[: m.start()] if m else rest
    if 0 < len(head) <= 30 and "，" not in head and "," not in head:
        return head.strip()
    return ""


def _walk(node: _Node, path: tuple[_Node, ...]) -> list[tuple[_Node, tuple[_Node, ...]]]:
    """Nodes in document order with their ancestors (root excluded)."""
    out: list[tuple[_Node, tuple[_Node, ...]]] = []
    for child in node.children:
        out.append((child, path))
        if child.kind != "box":  # a box is one clause with everything inside it
            out.extend(_walk(child, path + (child,)))
    return out


# ---------------------------------------------------------------- emitting


def _content_len(text: str, marker: Marker | None) -> int:
    body = text[marker.length :] if marker else text
    return sum(ch.isalnum() for ch in body)


def _is_clause(node: _Node, paras: list[str]) -> bool:
    """Body-less headings with children and noise fragments are not clauses."""
    if not node.paras:
        return False
    if sum(_content_len(paras[i], None) for i in node.paras) < MIN_CHARS:
        return False
    if node.kind == "preamble":  # the title block alone is not a clause; a sentence is
        text = "".join(paras[i] for i in node.paras)
        return len(text) >= 40 or bool(re.search(r"[。；！？;!?]", text))
    if node.kind != "heading" or len(node.paras) > 1:
        return True
    text = paras[node.paras[0]]
    rest = text[node.marker.length :] if node.marker else text
    heading_only = len(_TITLE_END.sub("", rest)) <= len(node.title) + 1
    return not (heading_only and node.children)


def _ref(node: _Node, path: tuple[_Node, ...]) -> str:
    """Compact citation: "二（一）1", "第六条", "第二条1", "专栏2", "序言", "一（三）表"."""
    if node.kind == "preamble":
        return "序言"
    if node.kind == "closing":
        return "落款"
    if node.kind == "box" and node.marker:
        return node.marker.number
    chain = [n for n in path if n.marker and n.kind == "heading"]
    if node.marker:
        chain.append(node)
    kinds = [n.marker.kind for n in chain if n.marker]
    if "article" in kinds:
        chain = chain[len(kinds) - 1 - kinds[::-1].index("article") :]
    ref = "".join(n.marker.number for n in chain if n.marker)
    return ref + "表" if node.kind == "table" else ref


def _runs(indexes: list[int]) -> list[list[int]]:
    """Consecutive stretches. Example: [3, 4, 7] -> [[3, 4], [7]]."""
    runs: list[list[int]] = []
    for i in indexes:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def hard_cap(max_chars: int) -> int:
    """The longest a clause part may be. Example: hard_cap(400) -> 520."""
    return max_chars * 13 // 10


_SOFT_BREAK = "，,、：: "  # where an over-long sentence is cut when it has no sentence end


def _cut(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """[start, end) in pieces of at most max_chars: after the last comma or space of the second half
    of each window, else at max_chars exactly. Example: 1,000 characters without punctuation ->
    spans of 400, 400, 200."""
    pieces = []
    while end - start > max_chars:
        window = text[start + max_chars // 2 : start + max_chars]
        soft = max(window.rfind(ch) for ch in _SOFT_BREAK)
        stop = start + max_chars // 2 + soft + 1 if soft >= 0 else start + max_chars
        pieces.append((start, stop))
        start = stop
    pieces.append((start, end))
    return pieces


def _sentences(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Sentence spans of [start, end); one longer than hard_cap(max_chars) is cut (`_cut`)."""
    spans: list[tuple[int, int]] = []
    for s_start, s_end in sentence_spans(text, start, end):
        if s_end - s_start > hard_cap(max_chars):
            spans.extend(_cut(text, s_start, s_end, max_chars))
        else:
            spans.append((s_start, s_end))
    return spans


def _chunks(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut doc text [start, end) at sentence ends into pieces of at most ~max_chars.

    Example: two 300-character sentences with max_chars=400 -> two spans.
    """
    pieces: list[tuple[int, int]] = []
    cur_start, cur_end = start, start
    for s_start, s_end in _sentences(text, start, end, max_chars):
        if cur_end > cur_start and s_end - cur_start > max_chars:
            pieces.append((cur_start, cur_end))
            cur_start = s_start
        cur_end = s_end
    if cur_end > cur_start:
        pieces.append((cur_start, cur_end))
    # A short tail reads better with the piece before it than as a part of its own.
    if (
        len(pieces) > 1
        and pieces[-1][1] - pieces[-1][0] < max_chars // 4
        and pieces[-1][1] - pieces[-2][0] <= max_chars * 1.3
    ):
        pieces[-2:] = [(pieces[-2][0], pieces[-1][1])]
    return [
        (a + len(text[a:b]) - len(text[a:b].lstrip()), b - (len(text[a:b]) - len(text[a:b].rstrip())))
        for a, b in pieces
    ]


def _table_chunks(text: str, spans: list[tuple[int, int]], max_chars: int) -> list[tuple[int, int]]:
    """Table rows grouped into pieces of at most ~max_chars; a row is split only past the hard cap."""
    cap = hard_cap(max_chars)
    rows = [cut for s, e in spans for cut in (_cut(text, s, e, max_chars) if e - s > cap else [(s, e)])]
    pieces: list[tuple[int, int]] = []
    for s, e in rows:
        if pieces and e - pieces[-1][0] <= max_chars:
            pieces[-1] = (pieces[-1][0], e)
        else:
            pieces.append((s, e))
    return pieces


def _emit(
    doc: Document, node: _Node, path: tuple[_Node, ...], spans: list[tuple[int, int]], max_chars: int
) -> list[Clause]:
    """The clause(s) of one node: one, or parts 1, 2, … when it is too long."""
    pieces: list[tuple[int, int]] = []
    header = ""
    for run in _runs(node.paras):
        if node.kind == "table":
            header = doc.text[slice(*spans[run[0]])]
            pieces.extend(_table_chunks(doc.text, [spans[i] for i in run], max_chars))
        else:
            pieces.extend(_chunks(doc.text, spans[run[0]][0], spans[run[-1]][1], max_chars))
    labels = tuple(n.label for n in path if n.kind == "heading")
    number = node.marker.number if node.marker else None
    ref = _ref(node, path)
    clauses = []
    for k, (start, end) in enumerate(pieces):
        part = k + 1 if len(pieces) > 1 else 0
        text = doc.text[start:end]
        if node.kind == "table" and k > 0 and header:  # each part keeps the header row: years and units
            room = hard_cap(max_chars) - len(text) - 1
            text = header[:room] + "\n" + text if room > 0 else text
        digest = hashlib.sha1("\x1f".join([doc.id, ref, str(number), str(part), text]).encode()).hexdigest()[
            :12
        ]
        clauses.append(
            Clause(
                id=f"{doc.id}:{digest}",
                doc_id=doc.id,
                doc_title=doc.title,
                path=labels,
                number=number,
                text=text,
                span=(start, end),
                source=doc.source,
                region=doc.region,
                year=doc.year,
                ref=ref,
                part=part,
                title=node.title,
                items=clause_items.split(text, node.title),
            )
        )
    if len(clauses) > 1:  # a units note in a later part covers the items that end the parts before it
        carried = clause_items.carry_units([c.items for c in clauses])
        clauses = [replace(c, items=items) for c, items in zip(clauses, carried)]
    return clauses
