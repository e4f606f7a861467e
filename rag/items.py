"""A clause's items: the sentences an answer is built from, each with the units responsible for it.

    split("(一)推进攻坚。依托龙头企业开展攻关。(责任单位:省科技厅、省发改委)", title="推进攻坚")
    -> (Item(0, 9, role="heading"), Item(9, 19, units=(("责任单位", "省科技厅、省发改委"),)),
        Item(19, 37, role="units"))

Policies close a measure with a note naming who carries it out: "（责任单位：市科技局、市财政局）",
"（牵头单位：市科技局；配合单位：市教委）", "〔责任部门：…〕", "（政策咨询部门：…，咨询电话：…）", or with no
label, "（市科技局、市财政局等按职责分工负责）". A note
belongs to the sentences since the previous note of the clause, so "A。（责任单位：X）B。C。（责任单位：Y）"
gives A the unit X and both B and C the unit Y. Items are parsed once, at index time, and stored with
the clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .text import sentence_spans

_LABEL = re.compile(r"([\u4e00-\u9fff]{0,4}(?:单位|部门)|咨询电话|联系电话)\s*[：:]")
_OPEN, _CLOSE = "（(〔[【", "）)〕]】"
PHONE_LABELS = ("咨询电话", "联系电话")  # labels of a number, not of an office
_PHONE_LINE = re.compile(r"\s*\n\s*(?:咨询电话|联系电话)\s*[：:]")
_DUTY_NOTE = re.compile(r"[（(]([^（）()：:]{2,300}?)等?按职责分工负责[）)]")
# An entry's number at the start of a sentence: "专栏3", "第六条", "四、", "（四）", "2、", "2.", "①"; not the "1." of "1.5亿元"
_NUMBER = re.compile(
    r"^\s*(?:专栏\s*\d+|第[一二三四五六七八九十百零]+[条章节]|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]"
    r"|\d+(?:[、．]|\.(?!\d))|[①-⑳])\s*"
)


# A period an item opens with or belongs to: "到2022年", "至2025年底", "近期"; it must name a year or 近/中/远期.
PERIOD = re.compile(r"(?:到|至|截至)?\s*(?:19|20)\d\d\s*年(?:底|末|前)?|近期|中期|远期")
PERIOD_WORD = re.compile(r"近期|中期|远期|(?:19|20)\d\d")


def numbered(text: str) -> bool:
    """Whether a sentence opens an entry of a numbered list: "2.建设…", "（三）…", "②…", "专栏3"."""
    return bool(_NUMBER.match(text))


def unnumbered(text: str) -> str:
    """A sentence without the entry number it opens with. Example: "（四）培育10家…" -> "培育10家…";
    "1.5亿元用于…" -> itself"""
    return _NUMBER.sub("", text, count=1)


def leading_period(text: str) -> str | None:
    """The year phrase a sentence opens with. Example: "到2022年，规模超过500亿元。" -> "到2022年" """
    m = PERIOD.search(text[:24])
    return m.group(0).strip() if m and PERIOD_WORD.search(m.group(0)) else None


@dataclass(frozen=True)
class Item:
    """One item of a clause: text[start:end] of the clause, its responsible units, its role.

    role: "" (a sentence of the measure), "heading" (the clause's number and title alone), "units" (the
    note naming the units: never an answer on its own), "row" (a table row).
    """

    start: int
    end: int
    units: tuple[tuple[str, str], ...] = ()  # (label, value): ("牵头单位", "市科技局"), ("配合单位", "市教委、市经信委")
    role: str = ""

    def text(self, clause_text: str) -> str:
        return clause_text[self.start : self.end]

    def to_json(self) -> list[Any]:
        return [self.start, self.end, [list(u) for u in self.units], self.role]

    @classmethod
    def from_json(cls, data: list[Any]) -> Item:
        start, end, units, role = data
        return cls(int(start), int(end), tuple((str(a), str(b)) for a, b in units), str(role))


@dataclass(frozen=True)
class Note:
    """A units note found in a clause text: its span and its (label, value) pairs."""

    start: int
    end: int
    units: tuple[tuple[str, str], ...]


def notes(text: str) -> list[Note]:
    """Units notes of a text, in order.

    Example: notes("攻关。（牵头单位：市科技局；配合单位：市教委）")
    -> [Note(3, 24, (("牵头单位", "市科技局"), ("配合单位", "市教委")))]
    """
    found: list[Note] = []
    pos = 0
    while (m := _LABEL.search(text, pos)) is not None:
        if m.group(1) in ("咨询电话", "联系电话"):
            pos = m.end()
            continue
        start = _opening(text, m.start())
        end = _closing(text, m.end()) if start is not None else _line_end(text, m.end())
        if start is None:
            start = _line_start(text, m.start())
            if text[start : m.start()].strip():  # "…的单位：" inside a sentence is not a note
                pos = m.end()
                continue
        body = text[start:end].strip(_OPEN + _CLOSE + " ")
        units = parse_units(body)
        if units:
            found.append(Note(start, end, units))
        pos = max(end, m.end())
    for m in _DUTY_NOTE.finditer(text):  # "（市科技局、市财政局等按职责分工负责）": units without a label
        if not any(n.start <= m.start() < n.end for n in found):
            found.append(Note(m.start(), m.end(), (("责任单位", m.group(1).strip(" 、，,")),)))
    return sorted(found, key=lambda n: n.start)


_CONSULTING = re.compile(r"^(?:政策)?(?:咨询|联系)(?:部门|方式|电话)?$")  # an entry's title: "政策咨询", "联系方式"
_OFFICE_PHONE = re.compile(r"([^\s，,；;。：:（）()]{2,30}?)[，,；;]?\s*(?:咨询|联系)电话\s*[：:]\s*(\d[\d\-－、 ]{4,}\d)")


def consulting_title(title: str) -> bool:
    """Whether an entry's title says it names whom to ask: "政策咨询", "联系方式"."""
    return bool(_CONSULTING.match(title or ""))


def _consulting_note(text: str, title: str) -> list[Note]:
    """An entry titled 政策咨询 whose body names offices and numbers without a label ("4.政策咨询\n市经信局
    信息化推进处；咨询电话：61885818"), read as a note of (政策咨询部门, 咨询电话) covering the items before it.

    Example: _consulting_note("4.政策咨询\n市经信局信息化推进处；咨询电话：61885818。", "政策咨询")
    -> [Note(end, end, (("政策咨询部门", "市经信局信息化推进处"), ("咨询电话", "61885818")))]
    """
    if not consulting_title(title):
        return []
    units = tuple(
        pair
        for office, phone in _OFFICE_PHONE.findall(text)
        for pair in (("政策咨询部门", office.strip()), ("咨询电话", phone.strip()))
    )
    return [Note(len(text), len(text), units)] if units else []


def _cut(text: str, note: Item) -> bool:
    """Whether a bracketed note ends at a line break before its closing bracket."""
    return text[note.start] in _OPEN and text[note.end - 1] not in _CLOSE


def _rest_of_note(text: str, note: Item, segment: list[Item]) -> bool:
    """Whether the items after a bracketed note a line break cut go on with it to its bracket, naming units
    with a label ("市教育局高等教育与职业教育处，咨询电话：61881665）")."""
    if not _cut(text, note):
        return False
    upto = _note_rest(text, segment)
    closes = text[segment[upto - 1].start : segment[upto - 1].end].rstrip("。；; ")[-1:] in _CLOSE
    return closes and _LABEL.search(text, segment[0].start, segment[upto - 1].end) is not None


def _note_rest(text: str, segment: list[Item]) -> int:
    """How many items of `segment` are the rest of a bracketed note a line break cut: up to the item ending
    with the closing bracket; one (the phone line) when none closes it or a sentence follows the bracket."""
    for n, item in enumerate(segment):
        said = text[item.start : item.end].rstrip("。；; ")
        if said[-1:] in _CLOSE:
            return n + 1
        if any(ch in _CLOSE for ch in said):
            return max(n, 1)
    return 1


def _opening(text: str, label_start: int) -> int | None:
    i = label_start - 1
    while i >= 0 and text[i] == " ":
        i -= 1
    return i if i >= 0 and text[i] in _OPEN else None


def _closing(text: str, pos: int) -> int:
    depth = 0
    for i in range(pos, len(text)):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            if depth == 0:
                return i + 1
            depth -= 1
        elif ch == "\n":
            return i
    return len(text)


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def parse_units(body: str) -> tuple[tuple[str, str], ...]:
    """(label, value) pairs of a note's body.

    Example: parse_units("牵头单位：市科技局，责任单位：市财政局、各区县市人民政府")
    -> (("牵头单位", "市科技局"), ("责任单位", "市财政局、各区县市人民政府"))
    """
    labels = list(_LABEL.finditer(body))
    out: list[tuple[str, str]] = []
    office = ""  # the label offices are named under ("政策咨询部门"), for an office after a number
    for i, m in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(body)
        value = body[m.end() : end].strip(_VALUE_ENDS)
        if m.group(1) not in PHONE_LABELS:
            office = m.group(1)
        elif office and (rest := _NEXT_OFFICE.match(value)):  # "61889683；成都高新区新经济局": a number, then the next office
            out += [(m.group(1), rest.group(1)), (office, rest.group(2).strip(_VALUE_ENDS))]
            continue
        if value:
            out.append((m.group(1), value))
    return tuple(out)


_VALUE_ENDS = " \n，,；;。"
_NEXT_OFFICE = re.compile(r"^(\d[\d\-－ ]*\d)\s*[；;]\s*(\S.*)$", re.DOTALL)


def split(text: str, title: str = "") -> tuple[Item, ...]:
    """The items of a clause text (see the module docstring). Table rows ("a | b | c") are items of their own."""
    if " | " in text:
        return _table_items(text)
    found = notes(text) or _consulting_note(text, title)
    items: list[Item] = []
    pos = 0
    for note in found + [Note(len(text), len(text), ())]:
        segment = [Item(a, b) for a, b in sentence_spans(text, pos, note.start)]
        if items and items[-1].role == "units" and segment and (_PHONE_LINE.match(text, pos) or _rest_of_note(text, items[-1], segment)):
            # "落实部门：市科技局\n咨询电话：…": the number on the line after a note is that note's; after a
            # bracketed note a line break cut ("（政策咨询部门：…，\n咨询电话：…）" or "…；\n市教育局…处，咨询电话：…）"),
            # the lines up to its bracket are the rest of the note, and name units of it
            units = items[-1].units
            if _cut(text, items[-1]):
                upto = _note_rest(text, segment)
                whole = parse_units(text[items[-1].start : segment[upto - 1].end].strip(_OPEN + _CLOSE + _VALUE_ENDS))
                if len(whole) > len(units):
                    items = [Item(i.start, i.end, whole if i.units == units else i.units, i.role) for i in items]
                    units = whole
                segment[:upto] = [Item(i.start, i.end, units, "units") for i in segment[:upto]]
            else:
                segment[0] = Item(segment[0].start, segment[0].end, units)
        items.extend(Item(i.start, i.end, i.units or note.units, i.role) for i in segment)
        if note.units and note.end > note.start:  # a consulting entry's note is its whole text: no note item
            items.append(Item(note.start, note.end, note.units, "units"))
        pos = note.end
    return tuple(_mark_heading(items, text, title))


def carry_units(parts: list[tuple[Item, ...]]) -> list[tuple[Item, ...]]:
    """The items of the parts of one clause split for embedding, with the units a note in a later part
    gives to the items that end an earlier one: notes follow the items they cover, so the items after a
    part's last note are covered by the first note of the parts after it.

    Example: a clause "A。B。C。（责任部门：市工信局）" split after B: part 1's A and B get 市工信局 too.
    """
    out = list(parts)
    carried: tuple[tuple[str, str], ...] = ()
    for k in range(len(out) - 1, -1, -1):
        items = list(out[k])
        if carried:
            for i in range(len(items) - 1, -1, -1):  # the items after the part's last note
                if items[i].units or items[i].role in ("units", "row"):
                    break
                items[i] = Item(items[i].start, items[i].end, carried, items[i].role)
            out[k] = tuple(items)
        lead = next((i for i in items if i.role != "heading"), None)
        carried = lead.units if lead is not None and lead.role != "row" else ()
    return out


def _table_items(text: str) -> tuple[Item, ...]:
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            start = pos + line.index(line.strip()[0])
            out.append(Item(start, start + len(line.strip()), role="row" if " | " in line else ""))
        pos += len(line) + 1
    return tuple(out)


def _mark_heading(items: list[Item], text: str, title: str) -> list[Item]:
    """The first item is the clause's heading when it holds only its number and title and other items
    follow (a clause of one sentence is its own measure, even when that sentence reads as a title)."""
    if len(items) < 2 or items[0].role:
        return items
    first = text[items[0].start : items[0].end]
    body = _NUMBER.sub("", first).strip(" 。.：:；;")
    if body and (body == title.strip(" 。.：:") or (len(body) <= 16 and not re.search(r"[，,]", body) and _NUMBER.match(first))):
        items[0] = Item(items[0].start, items[0].end, items[0].units, "heading")
    return items


def units_of(items: tuple[Item, ...]) -> tuple[tuple[str, str], ...]:
    """All (label, value) pairs of a clause's items, each once, in order."""
    return tuple(dict.fromkeys(u for i in items for u in i.units))
