"""Answer composition: a first line that answers, then the clause items that say it, each with [n].

    compose(q, chosen)   ->  "最高补贴300万元[1]。\\n· 《北京市…指导意见》三（二）：…按照不高于企业测试费用30%的比例
                              给予补贴支持，最高补贴300万元[1]。"
    scope_refusal(q, …)  ->  "所收录的政策中没有厦门市的文件。…"

Every character of an answer apart from policy names, labels, connectives and the [n] markers is copied
from a cited clause (or its heading path), so every number an answer states is one its clauses state.
Items are whole sentences: a list item keeps all its parts, a measure keeps its units note, a target keeps
the period it belongs to (到2022年, 近期目标) and a table row keeps its header.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from .checks import AMOUNT, amounts, states_quantity, unit_of
from .clauses import cn_to_int, int_to_cn
from .evidence import Scored, cover, name_item, pairs, states_goal
from .items import PERIOD, PERIOD_WORD, PHONE_LABELS, leading_period, numbered, unnumbered
from .measures import CAP_WORDS
from .model import Answer, Citation, Clause, TableRow
from .question import Question, after_policy_word, years_spoken
from .text import norm, tail_words, word_spans

T = TypeVar("T")

MAX_ITEMS = 5  # supporting items of an answer (a list question takes a whole list)
# Fitted with the evidence thresholds by `python -m rag.calibrate` (grid 2, 3): every fold chose 2, which
# held cited-evidence recall (0.825 held out) and cut citations holding no evidence from 15.7% to 14.2%.
MAX_CLAUSES = 2  # clauses an answer's supporting items come from (a list question's whole list aside)
RUN_LIMIT = 12  # parts of one "；"-separated enumeration taken with a chosen part
TABLE_ITEM = 60  # a table cell longer than this is cut to its pieces on the topic
LONG_ITEM = 160  # longer items are cut to the comma-pieces that bear on the question (120 cut out asked parts)
PIECE_COVER = 0.2  # a comma-piece of a long item is kept when it spells out this share of the topic
MAY_RELATE = 3  # closest clauses offered under a refusal
ELSEWHERE = 3  # other places' provisions shown under a scope refusal
_ENDS = "。；;，,：:！!？? "
_STRAY_OPENING = "，,、；;。：:"
# a rank stated beside figures ("全国排名前三，市场占有率达20%"): a figure of the same line
# (not a tier: "全国第一方阵", "第一梯队")
_RANK = re.compile(r"(?:(?:排名|位居|位列|名列|排)(?:全国|全省|全球|世界|国内)?|全国|全省|全球|世界|国内)(?:第|前)[一二三四五六七八九十\d]+(?![\d方梯批])")
_PIECE = re.compile(r"(?:[^，,：:]|(?<=\d),(?=\d))+(?:[，：:]|,(?!\d))?")
_DATE_PHRASE = re.compile(
    r"自[^，。；]{0,24}?(?:起施行|之日起施行|起实施|起执行)|有效期[^，。；]{0,20}|(?:19|20)\d\d年\d{1,2}月\d{1,2}日|"
    r"(?:19|20)\d\d年\d{1,2}月|(?:19|20)\d\d年(?:底|前|末)"
)
# A body of government named in prose ("市科技局", "武汉市经济和信息化局数字经济处", "区人民政府").
_ORG_END = r"(?:局|厅|委员会|委|办公室|办|中心|部门|政府)(?:[\u4e00-\u9fff]{1,8}?(?:处|科|室|中心))?"
_ORG = rf"[\u4e00-\u9fff]{{1,20}}?{_ORG_END}"
_BARE_ORG = rf"(?:(?!由)[\u4e00-\u9fff]){{1,20}}?{_ORG_END}"  # one opening a phrase: never across a 由
# Who carries a measure out, or receives what is submitted, said in a sentence rather than a units note:
# "由市科技局负责牵头组织实施", "由市经信局会同市财政局负责", "反馈至…数字经济处", "报送至市发展改革委",
# "向区科技行政主管部门提交申请材料".
_PROSE_UNITS = re.compile(
    # what a body named after 由 does, to the end of the phrase: "由区科技行政主管部门建立本区人工智能企业（机构）库"
    rf"由{_ORG}(?:[、和及]{_ORG})*(?:会同[^，。；]{{1,30}}?)?(?:负责|牵头)[\u4e00-\u9fff]{{0,8}}"
    rf"|由{_ORG}(?:[、和及]{_ORG})*[^，。；,;：:]{{1,24}}"
    rf"|(?:反馈|报送|提交|上报|报)(?:至|到|给){_ORG}"
    # who decides on what is applied for, said after 经: "经市经信局认定后，纳入…目录"; not "经省政府同意", which
    # says who approved the policy
    rf"|经{_ORG}(?:[、和及]{_ORG})*(?:认定|审核|审定|审批|评审|评定|核定)"
    # where an applicant goes: "向区科技行政主管部门提交申请材料", "到区商务主管部门报备"
    rf"|(?:向|到){_ORG}(?:提交|提出|申请|申报|报送|报备|备案)(?:扶持申请|申请材料|申请|材料)?"
    # a sentence or phrase that opens with the body leading it: "…工作机制，市工业和信息化局牵头、相关部门配合"
    rf"|(?:(?<=[，,；;。\s])|^){_BARE_ORG}(?:[、和及]{_ORG})*(?:会同[^，。；]{{1,30}}?)?(?:负责|牵头)(?=[、，,；;。\s]|$)"
)
# a body of government, or bodies an enumeration closes on ("依托新松公司、…敏像科技等单位"): who carries it out
_NAMES_ORG = re.compile(rf"{_ORG}|等(?:单位|企业|机构|高校|院校|科研院所|院所|创新主体)")
# bodies an enumeration names and closes on: "依托沈阳自动化所、47所、…及沈阳拓荆公司等IC装备优势企业"
_ORG_LIST = re.compile(r"[^，,。；;：:]*、[^，,。；;：:]*等[^，,。；;：:、]{0,10}?(?:单位|企业|机构|高校|院校|科研院所|院所|创新主体|公司)")
# a question asking who answers for a measure, not which bodies take part in it ("靠哪些单位")
_ASKS_DUTY = re.compile(r"责任|牵头|负责|配合|主管|管|落实|实施|承办|部门|[局委厅办处]|咨询|电话|找谁|联系")
_XREF = re.compile(r"(?:参照|按照|依照|适用)(?:本(?:办法|细则|政策|措施|意见|方案))?第([一二三四五六七八九十百]+)条")


# ---------------------------------------------------------------- numbering


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

    def number(self, clause_id: str) -> int:
        """The number a clause has been given; one past the last for a clause not numbered yet."""
        return self._n.get(clause_id, len(self._n) + 1)

    def citations(self) -> tuple[Citation, ...]:
        return tuple(Citation(n, self._clauses[cid], tuple(self._quotes[cid])) for cid, n in self._n.items())


# ---------------------------------------------------------------- pieces of items


def period(clause: Clause, position: int) -> str | None:
    """The period an item belongs to when it does not say it: the year phrase that leads its clause
    (到2022年; for a later part of a clause too long to embed whole, the one leading an earlier part), or a
    heading or title naming one (近期目标).

    Example: clause "近期目标。到2022年，环境不断完善。实施100个以上示范项目。", item 2 -> "到2022年"
    """
    own = clause.item_text(clause.items[position])
    if PERIOD.search(own[:40]):
        return None
    for i in range(position - 1, -1, -1):
        lead = leading_period(before := clause.item_text(clause.items[i]))
        if lead and _sets_period(before, lead) and not _other_entry(clause, i, position):
            return lead
    if clause.lead:
        return clause.lead
    for label in (clause.title, *reversed(clause.path)):
        if label and PERIOD_WORD.search(label) and len(label) <= 30:
            return label
    return None


def _sets_period(text: str, lead: str) -> bool:
    """Whether a sentence's leading year phrase sets the period of what follows ("到2022年，…", "2025年：…",
    "近期，…") rather than dating its own fact ("2020年人工智能企业核心业务收入超过100亿元" says nothing of the
    sentences after it)."""
    if lead.startswith(("到", "至", "截至")) or not re.search(r"\d", lead):
        return True
    after = text[text.find(lead) + len(lead) :].lstrip()
    return after[:1] in ("，", ",", "：", ":", "、")


def _other_entry(clause: Clause, lead: int, position: int) -> bool:
    """Whether the item at `position` is in another numbered entry than the item at `lead`, which sits inside
    one ("2.到2022年，…" is entry 2's period, not entry 3's); a lead before the first entry holds for all."""
    entries = [i for i, item in enumerate(clause.items) if item.role == "" and numbered(clause.item_text(item))]
    return bool(entries) and lead >= entries[0] and any(lead < e <= position for e in entries)


def said(s: Scored) -> str:
    """What an item says of its time: its text (a table row with its header), the period it belongs to,
    its clause's title and headings. Example: a row "企业(家) | 10 | 30" under "指标 | 到2022年 | 到2025年"
    -> "指标 | 到2022年 | 到2025年；企业(家) | 10 | 30 …" """
    text = with_table_header(s.clause, s.text) if s.item.role == "row" else s.text
    return f"{text}{period(s.clause, s.position) or ''}{s.clause.title}{''.join(s.clause.path)}"


def trim(
    text: str,
    topic: dict[str, float],
    periods: bool = False,
    defines: bool = False,
    goals: bool = False,
    parts: Sequence[dict[str, float]] = (),
) -> str:
    """An item cut to the comma-pieces that bear on the topic (a fair share of its weighted character
    pairs) or state an amount, gaps marked with ……, a gap of one piece filled; items up to LONG_ITEM
    characters are kept whole.
    A kept piece followed only by the item's last piece keeps it too: "其中对…的孵化器和众创空间，" says
    nothing without "再给予财政支持". With `periods` (a question asking when), a piece naming a period
    ("到2023年，") is kept with the piece that says what is due by then. With `defines` (a question asking
    what something is or means), the piece that spells out most of the topic (the term: "实施人工智能试验区
    “三一三三三”行动计划，") keeps every piece after it: what follows a term says what it is ("以…为三大目标，
    以…为一个核心，…"). With `goals` (a question asking what something is to become), a piece saying what it
    becomes ("打造人工智能应用创新先锋城市，") is kept. A piece spelling out what a kept piece names ("包括…",
    "即…") is kept with it, and so is the piece after one ending in a colon ("包括但不限于：" announces its
    list). `parts`, the topics of a question asking two things or more
    ("聚焦哪些领域 要用上哪些技术"): a piece bearing on one of them bears on the question.

    Example: a 200-character target sentence -> "到2027年,……产业规模达到3500亿元"
    """
    body = text.rstrip(_ENDS)
    if len(body) <= LONG_ITEM:
        return body
    pieces = [m.group(0) for m in _PIECE.finditer(body)]

    def bears(piece: str) -> bool:
        return _bears(piece, topic) or any(_bears(piece, part) for part in parts if part)

    wanted = {i for i, p in enumerate(pieces) if i == 0 and PERIOD.match(p) or bears(p)}
    if not [i for i in wanted if bears(pieces[i])]:  # nothing bears on the topic: cutting would leave no content
        return body
    if periods:
        named = {i for i, p in enumerate(pieces) if (m := PERIOD.match(p)) and PERIOD_WORD.search(m.group(0))}
        wanted |= named | {i + 1 for i in named if i + 1 < len(pieces)}
    if goals:
        wanted |= {i for i, p in enumerate(pieces) if states_goal(p)}
    if defines:
        term = max(range(len(pieces)), key=lambda i: cover(topic, pieces[i]))
        wanted |= set(range(term, len(pieces)))
    # a piece spelling out what the kept one names ("每条赛道遴选一批重点培育企业，" then "包括龙头企业、…等，")
    wanted |= {i + 1 for i in list(wanted) if i + 1 < len(pieces) and _ELABORATES.match(pieces[i + 1])}
    for i in sorted(wanted):  # a kept piece ending in a colon announces the next: "包括但不限于：" and the list
        if i + 1 < len(pieces) and pieces[i].endswith(("：", ":")):
            wanted.add(i + 1)
    if len(pieces) - 2 in wanted:
        wanted.add(len(pieces) - 1)
    wanted |= _joined_to(pieces, wanted)
    # one piece between two kept ones goes with them: "服务招商引资…，以闵行区政府下设平台公司为主，联动…" says who
    wanted |= {i for i in range(1, len(pieces) - 1) if i - 1 in wanted and i + 1 in wanted}
    out, last = "", -1
    for i in sorted(wanted):
        out += ("……" if out and i != last + 1 else "") + pieces[i]
        last = i
    return out.rstrip(_ENDS) + ("……" if last < len(pieces) - 1 else "")


_ELABORATES = re.compile(r"(?:包括|包含|涵盖|即|主要(?:有|是|包括)|分别(?:是|为))")
_CARRIES_ON = re.compile(r"且|并且|而且|或者|以及")  # a piece opening with it goes on from the piece before


def _joined_to(pieces: Sequence[str], kept: set[int]) -> set[int]:
    """The pieces before kept ones that open with a conjunction carrying on from them: "且研发…支出不低于1亿元的
    企业，" read alone starts mid-sentence; with "引进行业内具有明显竞争优势和示范带动效应，" before it, it reads."""
    return {i - 1 for i in kept if i > 0 and i - 1 not in kept and _CARRIES_ON.match(pieces[i])}


def _bears(piece: str, topic: dict[str, float]) -> bool:
    return cover(topic, piece) >= PIECE_COVER or bool(amounts(piece))


def with_table_header(clause: Clause, row: str) -> str:
    """A table row prefixed by the table's header row, so its numbers keep their years and units.

    Example: "企业(家) | 10 | 30" -> "指标 | 到2022年 | 到2025年；企业(家) | 10 | 30"
    """
    header = next((line.strip() for line in clause.text.splitlines() if "|" in line), "")
    if "|" not in row or not header or norm(header) == norm(row) or header in row:
        return row
    return f"{header.strip(' |')}；{row.strip(' |')}"


def amount_phrase(text: str) -> str:
    """The comma-pieces of an item that state its amounts, and a piece between two of them: what the second
    amount is for ("对5G基站给予每个基站2万元奖励，对光网络单元…等，给予最高1000万元奖励").
    Example: "对…的，按30%给予补贴，最高300万元。" -> "按30%给予补贴，最高300万元" """
    pieces = [m.group(0) for m in _PIECE.finditer(text.rstrip(_ENDS))]
    stating = [bool(amounts(p) or _RANK.search(p)) for p in pieces]
    kept = {i for i in range(len(pieces)) if stating[i] or 0 < i < len(pieces) - 1 and stating[i - 1] and stating[i + 1]}
    kept |= _joined_to(pieces, kept)
    return unnumbered("".join(pieces[i] for i in sorted(kept))).rstrip(_ENDS)  # "（四）培育10家…" -> "培育10家…": a line


def date_phrase(text: str) -> str:
    """Date phrases of an item. Example: "本政策自2020年1月13日起施行，有效期至2023年12月31日。"
    -> "自2020年1月13日起施行，有效期至2023年12月31日" """
    return "，".join(dict.fromkeys(m.group(0) for m in _DATE_PHRASE.finditer(text)))


def prose_units(text: str) -> str:
    """Who an item says carries it out, in its own words, when it has no units note.

    Example: "本政策…有效期至2023年12月31日，由市科技局负责牵头组织实施。" -> "由市科技局负责牵头组织实施"
    """
    return "，".join(dict.fromkeys(m.group(0) for m in _PROSE_UNITS.finditer(text)))


def units_phrase(units: Sequence[tuple[str, str]]) -> str:
    """Example: (("牵头单位", "市科技局"), ("配合单位", "市教委")) -> "牵头单位：市科技局；配合单位：市教委"; a note
    naming several offices, each with its number, gives each its number: "政策咨询部门：甲局（咨询电话：1111）；乙局（咨询电话：2222）" """
    if sum(label in PHONE_LABELS for label, _ in units) < 2:
        return "；".join(f"{label}：{value}" for label, value in units)
    said: list[str] = []
    labels: set[str] = set()
    for label, value in units:
        if label in PHONE_LABELS and said:
            said[-1] += f"（{label}：{value}）"
        else:
            said.append(value if label in labels else f"{label}：{value}")
            labels.add(label)
    return "；".join(said)


# ---------------------------------------------------------------- choosing items


# Fitted by `python -m rag.calibrate tests/gold/dev.jsonl tests/gold/dev_swaps.jsonl` (5-fold): every fold chose 0.0 over 0.1, 0.2 and 1.1
# (off); held-out stray citations 17.9% -> 15.7% at the same answerable refusals (6.5%) and cited-evidence
# recall (0.831). Over the read gold sets cited texts holding no gold quote fell from 27.2% to 25.6%.
OTHER_CLAUSE_COVER = 0.0  # how much less of the question an item of a clause other than the best's may spell out


def choose(q: Question, scored: Sequence[Scored], floor: float, within: float) -> list[Scored]:
    """The items an answer is made of: those scoring within `within` of the best (and above `floor`),
    from at most MAX_CLAUSES clauses; a list question takes every such item of its best clause. The best
    item must pass `floor`; the other items of its clause may stand under it, within half of `within` of the
    best: a clause whose best item barely passes lost the sentences that answer the rest of the question
    ("规划点了几类难题 要解决到啥程度": the 难题 sentence scored 0.4 below a neighbour that passed). Half: over
    the read gold sets the whole window under the floor brought 59 more items that hold no gold quote than
    half of it does, for 12 more that hold one."""
    if not scored:
        return []
    top = scored[0].score
    if top < floor:
        return []
    first = scored[0].clause.id  # the best item's clause answers: its items need only stand near the best
    own = min(max(floor, top - within), top - within / 2)  # under the floor, half the window: see the docstring
    # another clause's item must spell out about as much of the question as the best clause does (a
    # neighbouring measure scores near by meaning alone), unless the question asks two things or more, or
    # asks how much and the item states a figure (the best clause may state none)
    spelled = max(s.cover for s in scored if s.clause.id == first) - OTHER_CLAUSE_COVER if len(q.parts) < 2 else 0.0
    figures = q.how_much or "amount" in q.kinds

    def bears(s: Scored) -> bool:
        return s.clause.id == first or s.cover >= spelled or (figures and states_quantity(s.text))

    good = [s for s in scored if s.score >= (own if s.clause.id == first else max(floor, top - within)) and bears(s)]  # the best at least
    if q.kind == "list" or "list" in q.kinds:
        # a list's members stand under the best of them; when the best item spells out the whole question and
        # enumerates ("具备产品营销、个性订制、…等功能的…系统"), it is the list asked for, and its clause's
        # sentences that do not spell the question out too are not members of it
        whole = _lists_all_asked(q, scored[0])
        siblings = [s for s in scored if s.clause.id == first and s.score >= min(max(floor, top - 2 * within), own)
                    and (not whole or s.cover >= SPELLED_OUT or s.score >= own)]  # fmt: skip
        good = siblings + [s for s in good if s.clause.id != first]
    clauses: list[str] = []
    out: list[Scored] = []
    for s in good:
        if s.clause.id not in clauses:
            if len(clauses) == MAX_CLAUSES:
                continue
            clauses.append(s.clause.id)
        out.append(s)
    limit = MAX_ITEMS * 2 if "list" in q.kinds else MAX_ITEMS
    out = with_runs(with_lead_items(out[:limit]))
    if set(q.kinds) & {"units", "date", "definition", "lookup"}:
        return out
    # a measure's amount said in the next sentence is brought for a question asking a figure, not for one
    # asking what is done ("智能医疗要发展哪些" of "…医用可穿戴设备。到2025年，培育2个…解决方案")
    return with_tiers(_with_amounts(out, q.asks_rate) if q.how_much or "amount" in q.kinds else out)


ENUMERATED = 3  # members joined by 、 that make an item a list of its own


def _lists_all_asked(q: Question, best: Scored) -> bool:
    """Whether the best item is the whole answer to a list question of one part about one thing: it spells
    out all of the question's words and enumerates. Not for a count ("分了几块 每块干啥" asks what each part
    does), a comparison or a "哪些城市" question (a place's other items may name more of what is asked)."""
    if len(q.parts) >= 2 or q.asks_count or q.comparison or q.cross:
        return False
    return best.cover >= SPELLED_OUT and _enumerates(best.text)


SPELLED_OUT = 0.999  # an item's cover of the question's words at which it spells them all out


def _enumerates(text: str) -> bool:
    """Whether an item names ENUMERATED members or more in one run joined by 、: "具备产品营销、个性订制、担保支付…等功能" """
    return any(len(run.split("、")) >= ENUMERATED for run in re.split(r"[，,。；;：:]", text))


def with_runs(chosen: list[Scored]) -> list[Scored]:
    """A sentence ending in "；" is one part of an enumeration: the whole run of parts comes with it
    ("一等奖…；二等奖…；三等奖…。"), in its clause, up to the sentence that ends it. A comparison's block
    applies it again after keeping its first items, so that the cut never splits a run of tiers."""
    out = list(chosen)
    have = {(s.clause.id, s.position) for s in chosen}
    for s in chosen:
        items = s.clause.items
        start = s.position
        while start > 0 and continues(s.clause, start - 1):
            start -= 1
        end = s.position
        while end + 1 < len(items) and continues(s.clause, end) and items[end + 1].role == "":
            end += 1
        for pos in range(start, min(end, start + RUN_LIMIT) + 1):
            if (s.clause.id, pos) not in have and items[pos].role == "":
                out.append(Scored(s.hit, pos, s.dense, s.cover, s.score - 1e-6))
                have.add((s.clause.id, pos))
    return out


def continues(clause: Clause, position: int) -> bool:
    """Whether a clause's item is a part of a run, ending on "；": the next item carries the run on."""
    item = clause.items[position]
    return item.role == "" and clause.item_text(item).rstrip().endswith(("；", ";"))


_RATE = re.compile(r"\d\s*[%％‰]")
_CAP = re.compile(rf"(?:{CAP_WORDS})[^，。；;]{{0,24}}?\d[\d.,]*\s*[万亿]?元")  # the cap words measures reads


def _rate_without_cap(text: str) -> bool:
    """Whether a text states a rate and no cap: "按…50%给予奖励" (its cap may be the next sentence's)."""
    return bool(_RATE.search(text)) and not _CAP.search(text)


def _with_amounts(chosen: list[Scored], asks_rate: bool = False) -> list[Scored]:
    """A measure chosen without its amount brings the next item of its clause when that one states it
    ("支持举办挑战赛等活动。对…成效显著的，给予最高500万元资金支持。"); without the rate a question asks
    for (`asks_rate`: 比例), the next item that states one ("单次支出5万元以上的需备案。…按30%给予补助"); a
    rate chosen without its cap, the next item that states the cap ("按…50%给予奖励。…最高不超过100万元")."""
    out = list(chosen)
    have = {(s.clause.id, s.position) for s in chosen}
    for s in chosen:
        wanted: re.Pattern[str] | None
        if not states_quantity(s.text):
            wanted = None  # any amount or count
        elif asks_rate and not _RATE.search(s.text):
            wanted = _RATE
        elif _rate_without_cap(s.text):
            wanted = _CAP
        else:
            continue
        nxt = s.position + 1
        items = s.clause.items
        if nxt < len(items) and items[nxt].role == "" and (s.clause.id, nxt) not in have and _states(wanted, s.clause.item_text(items[nxt])):
            out.append(Scored(s.hit, nxt, s.dense, s.cover, s.score - 1e-6))
            have.add((s.clause.id, nxt))
    return out


def with_tiers(chosen: list[Scored]) -> list[Scored]:
    """An amount's tiers written as sentences of their own come with it: "…效果较好的一次性给予10万元补助。
    …效果较为突出的一次性给予20万元补助。…给予30万元—50万元补助。" (see `tier_run`)."""
    out = list(chosen)
    have = {(s.clause.id, s.position) for s in chosen}
    for s in chosen:
        for pos in tier_run(s.clause, s.position):
            if (s.clause.id, pos) not in have:
                out.append(Scored(s.hit, pos, s.dense, s.cover, s.score - 1e-6))
                have.add((s.clause.id, pos))
    return out


def tier_run(clause: Clause, position: int) -> range:
    """Positions of the run of consecutive items around `position` that state an amount in the same words
    (`_frame`), at most RUN_LIMIT either way: the tiers of one measure. Just `position` when it has none."""
    items = clause.items

    def tier(pos: int, frame: str) -> bool:
        text = clause.item_text(items[pos])
        return items[pos].role == "" and _frame(text) == frame and bool(amounts(text))

    text = clause.item_text(items[position])
    frame = _frame(text)
    if not frame or not amounts(text):
        return range(position, position + 1)
    start = end = position
    while start > max(0, position - RUN_LIMIT) and tier(start - 1, frame):
        start -= 1
    while end + 1 < min(len(items), position + 1 + RUN_LIMIT) and tier(end + 1, frame):
        end += 1
    return range(start, end + 1)


_RANGE_HEAD = re.compile(r"\d[\d.,]*\s*(?:万元|亿元|元|万|亿)?\s*[—–\-~～至到]\s*(?=\d)")  # "30万元—" of 30万元—50万元


def _frame(text: str) -> str:
    """The words around an item's last piece's amount, numbers as N: a tier of several says the same
    around a different figure. Example: "…经专家评审效果较好的一次性给予10万元补助。" -> "的一次性给予N万元补助" """
    piece = re.split(r"[，,；;：:]", text.strip().rstrip("。；;，,．.!！"))[-1]
    piece = _RANGE_HEAD.sub("", piece)
    m = re.search(r"\d[\d.,]*", piece)
    if m is None or m.start() < 6:  # "给予最高500万元支持" is any measure's wording, not a tier's
        return ""
    return piece[m.start() - 6 : m.start()] + "N" + re.sub(r"\d[\d.,]*", "N", piece[m.end() :])


def _states(wanted: re.Pattern[str] | None, text: str) -> bool:
    return states_quantity(text) if wanted is None else bool(wanted.search(text))


def with_lead_items(chosen: list[Scored]) -> list[Scored]:
    """An item ending in "：" leads a list: the list's items come with it, whole, in clause order."""
    out = list(chosen)
    for s in chosen:
        if s.text.rstrip().endswith(("：", ":")):
            have = {(x.clause.id, x.position) for x in out}
            for pos in range(s.position + 1, len(s.clause.items)):
                if s.clause.items[pos].role in ("heading", "units") or (s.clause.id, pos) in have:
                    continue
                out.append(Scored(s.hit, pos, s.dense, s.cover, s.score - 1e-6))
    return out


def list_members(clause: Clause, doc_clauses: Sequence[Clause], children: bool = True) -> list[Clause]:
    """The numbered clauses a list question's best clause heads ("（一）总体目标" -> its 1. 2. 3. 4.), or
    else (or when not `children`) the numbered clauses beside it under the same heading; [] when it is neither.

    Example: the clause "（一）总体目标" of a plan -> [二（一）1, 二（一）2, 二（一）3, 二（一）4]
    """
    whole = [c for c in doc_clauses if c.part <= 1]
    label = f"{clause.number or ''}{clause.title}"
    headed = [c for c in whole if c.path[:-1] == clause.path and c.path and label and c.path[-1].replace("、", "") == label.replace("、", "")]
    if children and len(headed) >= 2:
        return headed[:RUN_LIMIT]
    siblings = [c for c in whole if c.path == clause.path and c.number and c.id != clause.id]
    return [clause, *siblings][:RUN_LIMIT] if len(siblings) >= 1 and clause.path else []


def in_order(chosen: Sequence[Scored]) -> list[Scored]:
    """Items grouped by clause (best clause first) and in reading order inside a clause."""
    rank: dict[str, int] = {}
    for s in chosen:
        rank.setdefault(s.clause.id, len(rank))
    return sorted(chosen, key=lambda s: (rank[s.clause.id], s.position))


# ---------------------------------------------------------------- the answer


@dataclass
class _Writer:
    numbering: Numbering
    lines: list[str]
    periods: bool = False  # the question asks when: long items keep the periods they name (see trim)
    defines: bool = False  # the question asks what something is: long items keep what follows the term (see trim)
    goals: bool = False  # the question asks what something is to become: long items keep what says it (see trim)
    parts: Sequence[dict[str, float]] = ()  # the topics of the question's parts (see trim)
    _last: str = ""  # the clause of the last item line: its next items join that line
    _periods: set[tuple[str, str]] = field(default_factory=set)  # (clause, period) said: once on a clause's line

    def item_line(self, s: Scored, topic: dict[str, float], label: str = "") -> None:
        """"· 《policy》ref：item[n]"; further items of the same clause join the line after "；"."""
        text = with_table_header(s.clause, s.text) if s.item.role == "row" else trim(s.text, topic, self.periods, self.defines, self.goals, self.parts)
        text = text.lstrip(_STRAY_OPENING) or text  # "。，引进…" in a source: its item opens on the stray comma
        n = self.numbering.of(s.clause, s.text)
        when = period(s.clause, s.position)
        said = (s.clause.id, when or "")
        prefix = f"（{when}）" if when and when not in text and said not in self._periods else ""
        self._periods.add(said)
        at = len(text) - len(unnumbered(text))  # the period after the entry's number: "（四）（到2023年）培育…"
        body = f"{text[:at]}{prefix}{text[at:].rstrip(_ENDS)}[{n}]"
        if self._last == s.clause.id and self.lines:
            self.lines[-1] += f"；{body}"
        else:
            self.lines.append(f"· {label}{s.clause.citation}：{body}")
        self._last = s.clause.id


def compose(q: Question, chosen: Sequence[Scored], topic: dict[str, float], related: Sequence[Clause] = ()) -> Answer:
    """The answer made of the chosen items: a direct first line for the question's kind, then the items.

    `keep` are the topic's character pairs (for trimming long items); `related` are clauses the items
    refer to ("参照第一条"), cited and shown after them.
    """
    parts = [{p: w for p, w in topic.items() if p in pairs(part)} for part in q.parts]
    w = _Writer(Numbering(), [], periods=q.asks_when, defines=q.kind == "definition", goals=q.asks_goal, parts=parts)
    ordered = in_order(chosen)
    head = first_line(q, ordered, w.numbering, topic) or announcing_line(ordered, w.numbering)
    if head:
        w.lines.append(head)
    # the clauses the first line cites come first, in the order it cites them: [1] before [2]
    ordered = sorted(ordered, key=lambda s: w.numbering.number(s.clause.id))
    for s in ordered:
        alone = sum(o.clause.id == s.clause.id for o in ordered) == 1
        if (s.hit.why == "group" or s.hit.why == "list" and alone) and f"[{w.numbering.of(s.clause, s.text)}]" in head:
            continue  # a member the count line names, with nothing more to show of it: the line says it
        w.item_line(s, topic)
    for clause in related:  # what the items refer to ("参照第一条"): the part that states the support
        n = w.numbering.of(clause, clause.text)
        w.lines.append(f"· 参照 {clause.citation}：{trim(clause.text.strip(), topic)}[{n}]")
    return Answer("\n".join(w.lines), w.numbering.citations())


ANNOUNCES = re.compile(r"以下|下列|如下")  # a heading that says its numbered items follow


def entry_answer(items: Sequence[tuple[Clause, int]], number: int) -> Answer:
    """The entry of a box a question names by its number ("专栏16第1项"), its items as written, each part of
    the box it runs through cited.

    Example: -> "《沈阳市…规划》专栏16 第1项：1.智能机器人示范工程 攻克机器人系统集成…[1]"
    """
    numbering = Numbering()
    said = ""
    for i, (c, n) in enumerate(items):
        text = c.item_text(c.items[n]).strip().rstrip("。；;")
        if i and c.id != items[i - 1][0].id:  # the entry runs on into the box's next part
            said += f"[{numbering.of(items[i - 1][0], items[i - 1][0].text)}]"
        # "1.智能机器人示范工程" names what follows it
        said += ("" if not i else "：" if i == 1 and name_item(said) else "；") + text
    last = items[-1][0]
    return Answer(f"{items[0][0].citation} 第{number}项：{said}[{numbering.of(last, last.text)}]。", numbering.citations())


def announcing_line(ordered: Sequence[Scored], numbering: Numbering) -> str:
    """The heading that announces a list, when the answer is that list's items and nothing else.

    Example: items 第七条（一）, （二） under "第七条 依托单位应具备以下条件" -> "第七条 依托单位应具备以下条件[1]："
    """
    paths = {s.clause.path for s in ordered}
    starts = [s.clause.span[0] for s in ordered]
    if len(ordered) < 2 or len(paths) != 1 or not ordered[0].clause.number or starts != sorted(starts):
        return ""  # not the list as it stands: a member asked about comes first, and leads
    heading = ordered[0].clause.path[-1] if ordered[0].clause.path else ""
    if not ANNOUNCES.search(heading):
        return ""
    return f"{heading.rstrip('：:。 ')}[{numbering.of(ordered[0].clause, ordered[0].text)}]："


def first_line(q: Question, ordered: Sequence[Scored], numbering: Numbering, topic: dict[str, float] | None = None) -> str:
    """What the question asks, said first: the units, the date, the amount (each that it asks for, in
    that order: "由哪个部门牵头？有效期到什么时候？" gets both), or "有相关规定：" for a yes/no question.
    `topic` (the question's weighted character pairs) tells which item each part of a question asks about."""
    if not ordered:
        return ""
    kinds = set(q.kinds)
    lines = []
    if "units" in kinds:
        lines.append(_units_line(q, ordered, numbering, topic or {}))
    if "date" in kinds:
        dated = next(((s.clause, s.text, p) for s in ordered if (p := date_phrase(s.text))), None)
        # the chosen clauses may state it in a sentence that was not chosen ("如有修改意见,请于2023年3月30日(周四)前…
        # 反馈至…" under the notice's other sentences)
        if dated is None:
            clauses = dict.fromkeys(s.clause for s in sorted(ordered, key=lambda x: -x.score))
            dated = next(((c, t, p) for c in clauses for item in c.items if (p := date_phrase(t := c.item_text(item)))), None)
        if dated:
            lines.append(f"{dated[2]}[{numbering.of(dated[0], dated[1])}]。")
    if q.how_much or ("amount" in kinds and not kinds & {"list", "definition"}):
        lines.append(_count_line(q, ordered, numbering, topic or {}) or _amount_line(q, ordered, numbering, topic or {}))
    elif "list" in kinds or q.asks_count:  # "重点任务一共几部分": a count of the members listed
        counted = _count_line(q, ordered, numbering, topic or {})
        said = said_big_count(q, ordered, numbering)  # "几大重点应用场景 是按哪几块分的": the count said, then the members
        lines += [said] if said and not any(big in counted for big in _BIG_COUNT.findall(said)) else []
        lines.append(counted)
    lines = [line for line in lines if line]
    if not lines and "yesno" in kinds:
        lines.append("有相关规定：")
    return "\n".join(lines)


TITLE_LINE = 20  # a member's first item this short, with more after it, is its title ("1.坚持顶层设计，系统布局。")


def _titled(s: Scored) -> bool:
    """Whether a list member's first item is its title: a heading, or a short line the member goes on after."""
    return s.item.role == "heading" or name_item(s.text) or (len(unnumbered(s.text)) <= TITLE_LINE and s.position + 1 < len(s.clause.items))


_ASKS_ORDINAL = re.compile(r"第\s*几")
ENTRY_DASHES = "—-－ "  # "——打造区域协同生态": an entry's dash is no part of its name


def _members_line(q: Question, ordered: Sequence[Scored], numbering: Numbering, said: _Enumerations) -> str:
    """A count of things answered with a whole list (the members' headings, see Extractive._whole_list):
    the count and the members. Example: "几条基本原则 分别是啥" -> "共四条：创新驱动[1]；融合发展[2]；开放合作[3]；统筹推进[4]。" """
    heads = [s for s in ordered if s.hit.why in ("list", "group")]
    word = q.member_word
    if not word or len(heads) < 2 or not all(s.hit.why == "group" or _titled(s) for s in heads) or q.count not in (None, len(heads)):
        return ""  # members without headings of their own ("第一条 为引导…") are not named by a line
    members = {s.clause.id for s in heads}  # clauses of their own (a list), or one clause naming its entries
    if len(members) > 1 and any(s.clause.id in members and not _brought(s) and said.closing(s) for s in ordered):
        return ""  # "共性技术要重点拿下几项": a member ("突破共性技术") enumerates what is counted, not the members
    depth = len(os.path.commonprefix([s.clause.path for s in heads]))  # a part without text is named by its heading
    # "分别是第几部分": the parts keep their numbers ("五、加大…金融支持力度")
    shown = (lambda t: t) if _ASKS_ORDINAL.search(q.text) else unnumbered
    names = [
        f"{_short(shown(s.clause.path[depth] if s.hit.why == 'group' else s.text).lstrip(ENTRY_DASHES).rstrip('。；;'))}[{numbering.of(s.clause, s.text)}]"
        for s in heads
    ]
    # the count is of the members listed and cited, not a figure a clause states: written as the policies
    # write their counts ("四大核心产业"), so no digit of it can pass for a quoted number
    return f"共{'两' if len(heads) == 2 else int_to_cn(len(heads))}{word}：" + "；".join(names) + "。"


# a member's character, or a short aside it writes in brackets: "中国电信产业园（苏州）基地"
_IN_MEMBER = r"[^，,。；;：:（）()等]|[（(][^，,。；;：:（）()等]{1,8}[）)]"
# Members named in one enumeration, joined by 、 and closed by 等 and what they are: "在财税金融、人才引进、…、
# 营商环境等方面", "…、自然语言处理技术等一批关键共性技术". 高等, 平等, 同等 are words, not the close ("…协同等技术",
# "…出让合同等文件" close on 协同, 合同).
_ENUMERATION = re.compile(
    rf"((?:{_IN_MEMBER})+、(?:{_IN_MEMBER})+?)(?:(?<![高平均对相])(?<![^协合]同)等(?!为一体|于|同于)(?:一批|一系列|多[个项种类])?"
    r"|(?=[两二三四五六七八九十]大))([\u4e00-\u9fffA-Za-z]{1,12})"
)  # or closed by its count: "智能芯片、智能语音及翻译、智能图像、智能器件四大核心产业"
_CLOSING_COUNT = re.compile(r"([两二三四五六七八九十])大")
_LAST_JOINED = re.compile(r"(?<=.{2})(?:以及|和|及)(?=.{2})")  # "…、智慧教育和智慧安防": the last two joined
COUNT_WINDOW = 16  # the question's words before and at its count that may name what is counted
_COUNT_WORD = re.compile(r"(?:几|多少)\s*(大?(?:个方面|部分|方面|[个项条类种块点家所名位批样]))")


def enumeration(text: str, q: Question, topic: dict[str, float]) -> tuple[str, int] | None:
    """The enumeration of `text` a question counting things counts ("共性技术要重点拿下几项", "在几个方面搞
    改革"): the phrase as written and how many members it names; None when it writes none that closes on
    what is counted. A count in a noun ("几个方面") is of an enumeration closing on it ("…等方面"); one in a
    measure word ("几项", "几类") of one whose closing noun (after 等) writes a topic word of the question
    up to its count ("共性技术…几项" of "…等一批关键共性技术").

    Example: ("在财税金融、人才引进、创新创业等方面，探索…", q of "在几个方面搞改革") -> ("在财税金融、人才引进、创新创业等方面", 3)
    """
    if not q.asks_count or q.count or states_count_asked(q, text):
        return None
    asked = _COUNT_WORD.search(norm(q.text))
    noun = asked.group(1).lstrip("大个") if asked else ""
    window = {p for p in pairs(q.around_count[0][-COUNT_WINDOW:]) if topic.get(p, 0.0) >= 1.0}
    named = _counted_nouns(q)
    for m in _ENUMERATION.finditer(text):
        members = m.group(1).split("、")
        closing = m.group(2)
        end = m.end()
        if len(noun) > 1:  # "几个方面" names no thing: an enumeration closing on the question's words answers it too
            closes = noun in closing or (noun in _MEASURE_NOUNS and bool(pairs(closing) & window))
        elif pairs(closing) & window:
            closes = True
        else:  # closing on the noun counted, however common, and not on what it makes ("等技术的成套装备")
            word = next((w for w in named if closing.startswith(w)), "")
            end = m.start(2) + len(word)
            closes = bool(word) and not _PART_OF.match(text, end)
        said = _CLOSING_COUNT.match(closing)
        if said and cn_to_int(said.group(1)) != len(members):
            continue  # closed by a count its members do not make: no enumeration of them
        if closes and 2 <= len(members) <= RUN_LIMIT and not _names_asker(members, q):
            # "智慧教育和智慧安防" names two, "生活居住及配套" one: the last member much longer than the others, or
            # each half as long as the shortest member after the first (which carries the lead-in: "重点建设智慧政务")
            halves = _LAST_JOINED.split(members[-1])
            longer = len(members[-1]) > 1.5 * max(len(x) for x in members[:-1])
            if len(halves) == 2 and (longer or (len(members) > 2 and min(map(len, halves)) >= min(map(len, members[1:-1])))):
                members += [""]
            end = next((e for s, e in word_spans(text) if s < end < e), end)  # not "…龙头骨干企" of 企业
            return text[m.start() : end].strip(), len(members)
    return None


_MEASURE_NOUNS = ("方面", "部分")  # counted nouns that are measure words, naming no thing: "用在几个方面"


_BEFORE_COUNT = re.compile(r"(?:一共|总共|共|都|又|还)?(?:有|是)?\s*$")


def _counted_nouns(q: Question) -> tuple[str, ...]:
    """The noun a question counts in a measure word, however common: the words right after its count when
    they are a short noun (two to four characters: "要推广几类技术" -> "技术", "形成几个产业基地" -> "产业基地", not
    "靠几项核心技术撑着"), and the two characters right before it ("龙头的企业有几家" -> "企业"). An enumeration
    closing on one of them ("…、智能语音等技术") is what is counted."""
    m = _COUNT_WORD.search(q.around_count[0])
    if m is None:
        return ()
    before = _BEFORE_COUNT.sub("", q.around_count[0][: m.start()])[-2:]
    found = (counted_noun(q), before, classed_noun(q))
    return tuple(w for w in found if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", w))


def classed_noun(q: Question) -> str:
    """The noun a count's measure word classes (`_CLASSED`), written a few words before the count or right
    after it: "芯片企业 点名了几家" -> "企业"; "" when the question writes none."""
    m = _COUNT_WORD.search(q.around_count[0])
    if m is None:
        return ""
    near = f"{q.around_count[0][: m.start()][-COUNT_WINDOW:]} {counted_words(q)}"
    return next((w for w in _CLASSED.get(m.group(1), ()) if w in near), "")


# the nouns a measure word counts (家 counts firms and bodies, 所 schools and institutes, 名 and 位 people)
_CLASSED = {
    "家": ("企业", "公司", "机构", "单位", "银行", "医院", "高校", "院所"),
    "所": ("学校", "高校", "大学", "医院", "院所", "机构"),
    "名": ("人才", "专家", "院士", "学生"),
    "位": ("人才", "专家", "院士"),
}


def counted_noun(q: Question) -> str:
    """The short noun (two to four characters) a question writes right after its count, what it counts:
    "要盯几类数据 都是啥" -> "数据"; "" for "靠几项核心技术撑着" (no short noun) or a count written last."""
    after = counted_words(q)
    return after if 2 <= len(after) <= 4 else ""


def counted_words(q: Question) -> str:
    """The words a question writes right after its count, up to a pause, what it counts: "靠几项核心技术撑着"
    -> "核心技术撑着"; "盯哪几类智能 一共几类" -> "智能"."""
    m = _COUNT_WORD.search(q.around_count[0])
    return _RUN.match(q.around_count[0], m.end()).group(0) if m else ""  # type: ignore[union-attr]


_RUN = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]*")


# Members separated by 、 ，和 及 以及 与, each ending on the same word (`shared_head`)
_MEMBER = r"[^、，,。；;：:（）()和及与等“”\s]{1,20}?"
# members naming what another noun is or holds, not the things counted: "集A系统、B系统等为一体的水智理系统",
# "承载A系统、B系统的全景综合管廊"
_PART_OF = re.compile(r"等?为(?:一体|[双两二三四五六七八九十])|的")
_JOINER = r"(?:、|，|,|以及|和|及|与)"


def shared_head(text: str, q: Question) -> tuple[str, int] | None:
    """The enumeration of `text` whose members all end on the word a question counts, as it writes that
    word after its count ("要攒几类平台" of "…技术研发平台、创业创新平台、产业转化平台、要素支撑平台和科技服务平台";
    "几项核心技术" of "利用自动识别技术、物联网技术，神经网络技术…"): the members are the things counted,
    whatever else the clause lists. The piece from the punctuation before it, and how many members; the
    longest such run of two or more (RUN_LIMIT at most), None when there is none.

    Example: ("集聚一批技术研发平台、创业创新平台和科技服务平台，构建…", q of "要攒几类平台") -> ("集聚一批技术研发平台、创业创新平台和科技服务平台", 3)
    """
    if not q.asks_count or q.count:
        return None
    words = counted_words(q)
    quoted = _QUOTED_COUNTED.search(norm(q.text))
    heads = [quoted.group(1)] if quoted else [words[i : i + 2] for i in range(len(words) - 1)]
    best: tuple[str, int] | None = None
    for head in dict.fromkeys(heads):
        # members of a quoted ending are cut at 、 only: "参与多元化" is one member, though 与 joins others
        member, joiner = (_QUOTED_MEMBER, "、") if quoted else (_MEMBER, _JOINER)
        run = re.compile(rf"{member}{re.escape(head)}(?:{joiner}{member}{re.escape(head)})+")
        for m in run.finditer(text):
            count = len(re.findall(re.escape(head), m.group(0)))
            start = max(text.rfind(c, 0, m.start()) for c in "，,。；;：:“") + 1
            if _PART_OF.match(text, m.end()) or _names_asker(re.split(_JOINER, m.group(0)), q):
                continue
            if _GOES_ON.match(text, m.end()) or (text[m.start() - 1 : m.start()] == "、" and text.startswith("等", m.end())):
                continue  # one enumeration with members ending otherwise ("形状记忆合金、自修复材料、…等新兴功能材料",
                # "智能制造产业园、金牛高新技术产业园区、华西大健康产业功能区")
            if count < 3 and re.search("[，,]", m.group(0)):
                continue  # two clauses that happen to end alike ("…创新走廊，全方位对接…大走廊") are no run
            if count <= RUN_LIMIT and (best is None or count > best[1]):
                best = text[start : m.end()].strip(), count
    return best


_QUOTED_MEMBER = r"[^、，,。；;：:（）()“”\s]{1,20}?"
# what a count counts, quoted right after it: "一共带了几个“化”" (the members all end on 化), "几个'中心'"
_QUOTED_COUNTED = re.compile(r"(?:几|多少)\s*大?(?:个|项|类|种|样)?\s*[“\"「『']([\u4e00-\u9fff]{1,4})[”\"」』']")
_GOES_ON = re.compile(r"[^，,。；;：:、（）()\s]{0,2}、")  # the last member of a run goes on to another: "…产业园区、"


def _names_asker(members: Sequence[str], q: Question) -> bool:
    """Whether a member of an enumeration is what the question asks a count of ("鱼珠片区要形成几个基地" of
    "琶洲、…、鱼珠等连片区域"): the members are its peers, not the things it counts."""
    asked = norm(q.around_count[0])
    return any(len(m) >= 2 and m in asked for m in (norm(x) for x in members))


COUNTERS = "[个家项所条种类名位批]"  # measure words a count is stated in
CN_NUMERALS = r"[\d一二两三四五六七八九十百千]"  # a count in figures or in words: "3家", "三项", "一家"


def states_count(text: str) -> bool:
    """Whether a text states a count as a figure ("建成3家左右…园区", "形成50个…场景"): that figure is the count."""
    return _counts(amount_phrase(text), COUNTERS)


def states_count_asked(q: Question, text: str) -> bool:
    """Whether a text states the count a question asks: a count (`states_count`) in the question's measure
    word, or of the noun it counts. "5家国家级工业设计中心" states no count of "几个先导工程"."""
    return states_count(text) and _counts_asked(q, amount_phrase(text))


def _counts_asked(q: Question, phrase: str) -> bool:
    noun = counted_noun(q)
    if not noun or not q.counter:
        return True
    return _counts(phrase, q.counter, CN_NUMERALS) or bool(pairs(noun) & pairs(phrase))


def _count_line(q: Question, ordered: Sequence[Scored], numbering: Numbering, topic: dict[str, float]) -> str:
    """A count answered by members: those ending on the word counted in the best item's clause, else an
    enumeration closing on the noun written right after the count ("重点建几个方向" of "重点建设智慧政务、…和
    智慧安防等方向", though the list below it heads five entries), else a whole list's headings, else the best
    item enumerating either way; "" when none answers it."""
    # the best item found, not a list member it brought in (each listed at the score of the item found)
    best = max(ordered, key=lambda s: (s.score, not _brought(s))).clause.id if ordered else ""
    said = _Enumerations(q, topic)  # each item's enumerations, read once for the four tries
    return (
        _enumeration_line(q, [s for s in ordered if s.clause.id == best], numbering, said, heads_only=True)
        or _enumeration_line(q, ordered, numbering, said, named=True)
        or _members_line(q, ordered, numbering, said)
        or _enumeration_line(q, ordered, numbering, said)
    )


class _Enumerations:
    """The enumerations of chosen items a count line tries, each read once: members ending on the word
    counted (`shared_head`) and one closing on what is counted (`enumeration`)."""

    def __init__(self, q: Question, topic: dict[str, float]) -> None:
        self.q, self.topic = q, topic
        self._heads: dict[tuple[str, int], tuple[str, int] | None] = {}
        self._closing: dict[tuple[str, int], tuple[str, int] | None] = {}

    def head(self, s: Scored) -> tuple[str, int] | None:
        key = (s.clause.id, s.position)
        if key not in self._heads:
            self._heads[key] = shared_head(s.text, self.q)
        return self._heads[key]

    def closing(self, s: Scored) -> tuple[str, int] | None:
        key = (s.clause.id, s.position)
        if key not in self._closing:
            self._closing[key] = enumeration(s.text, self.q, self.topic)
        return self._closing[key]


LISTED = ("list", "list-part", "list-body", "group")  # how items a list or a count of parts brought in are found


def _brought(s: Scored) -> bool:
    """Whether an item was brought in as a member of a list or a group, not found for the question."""
    return s.hit.why in LISTED


def _enumeration_line(
    q: Question, ordered: Sequence[Scored], numbering: Numbering, said: _Enumerations, heads_only: bool = False, named: bool = False
) -> str:
    """A count answered by the enumeration an item writes, best item first: one whose members all end on
    the word counted (`shared_head`) or one closing on what is counted (`enumeration`; not when
    `heads_only`): the count, in the question's measure word, and the enumeration as the policy writes it.
    `named`: only an enumeration closing on the noun the question writes right after its count.

    Of items enumerating, the one whose close writes most of the question's words at its count comes first
    ("核心产业算几个" of "…、智能器件四大核心产业", not a better-scoring "…等核心技术").

    Example: "共性技术要重点拿下几项" -> "共四项：重点掌握混合增强智能新架构和新技术、…、自然语言处理技术等一批关键共性技术[1]。" """
    if any(states_count_asked(q, s.text) for s in ordered):
        return ""
    window = pairs(q.around_count[0][-COUNT_WINDOW:])
    noun = counted_noun(q)
    classed = classed_noun(q)
    found: list[tuple[bool, int, int, Scored, tuple[str, int]]] = []
    for rank, s in enumerate(sorted(ordered, key=lambda x: -x.score)):
        enumerated = said.head(s) or (None if heads_only else said.closing(s))
        if enumerated is None or (named and not (noun and _close(enumerated[0]).startswith(noun))):
            continue
        close = _close(enumerated[0])  # one closing on the noun counted ("…华翼微电子等企业") before one that only writes it
        found.append((bool(classed) and close.startswith(classed), len(pairs(close) & window), -rank, s, enumerated))
    if not found:
        return ""
    *_, s, (phrase, members) = max(found, key=lambda f: f[:3])
    m = _COUNT_WORD.search(norm(q.text))
    word = m.group(1) if m else (q.member_word or "项")
    count = "两" if members == 2 else int_to_cn(members)
    return f"共{count}{word}：{phrase}[{numbering.of(s.clause, s.text)}]。"


_BIG_COUNT_ASKED = re.compile(r"几大\s*((?:(?!几大)[\u4e00-\u9fff]){2,})")
_BIG_COUNT = re.compile(r"[两二三四五六七八九十]+大")


def said_big_count(q: Question, ordered: Sequence[Scored], numbering: Numbering) -> str:
    """Each count asked as "几大X" that an item states in the same words, with the phrase that says it, best item
    first: "几大重点应用场景" -> "聚焦在经济生产、群众生活、政务服务等领域的十大重点应用场景[1]。"; "" when none does.
    The members, when the question asks them too, are another line."""
    lines = []
    for m in _BIG_COUNT_ASKED.finditer(norm(q.text)):
        noun = m.group(1)
        for s in sorted(ordered, key=lambda x: -x.score):
            found = next((c for c in _BIG_COUNT.finditer(s.text) if s.text.startswith(noun[:2], c.end())), None)
            if found is None:
                continue
            end = found.end() + len(os.path.commonprefix([s.text[found.end() :], noun]))
            start = max(s.text.rfind(ch, 0, found.start()) for ch in "，,。；;：:") + 1
            line = f"{s.text[start:end].strip()}[{numbering.of(s.clause, s.text)}]"
            lines += [line] if line not in lines else []
            break
    return "；".join(lines) + "。" if lines else ""


def _close(phrase: str) -> str:
    """What an enumeration closes on: after its last 等, or its own count ("…四大核心产业" -> "核心产业"); the
    last member for members ending alike ("…和科技服务平台" -> "科技服务平台")."""
    return _CLOSE.split(phrase)[-1]


_CLOSE = re.compile(r"等|、|[两二三四五六七八九十]大")


def _units_line(q: Question, ordered: Sequence[Scored], numbering: Numbering, topic: dict[str, float]) -> str:
    """The units of the best-scoring chosen item that names units (not a neighbour's); failing that, the
    body of government the best item (or else its clause) names as carrying it out ("由市科技局负责…").
    A question about two things whose items have different units gets each thing's units."""
    each = _units_of_parts(q, ordered, topic)
    if each:
        return "；".join(f"{_lead(s.text)}（{units_phrase(s.item.units)}）[{numbering.of(s.clause, s.text)}]" for s in each) + "。"
    with_units = _asked_units(ordered, topic)
    if with_units is None:
        best_first = sorted(ordered, key=lambda s: -s.score)
        said = next(((s, p) for s in best_first if (p := prose_units(s.text))), None)
        said = said or next(((s, p) for s in best_first if (p := prose_units(s.clause.text))), None)
        if said is not None:
            return f"{said[1]}[{numbering.of(said[0].clause, said[0].text)}]。"
        # "IC装备靠哪些单位": the bodies an item enumerates are who it is; a question asking more besides
        # ("靠哪几家单位 要做出哪些技术") is answered by the items whole
        if not q.parts and not _ASKS_DUTY.search(q.text):
            listed = next(((s, m.group(0).strip()) for s in best_first if (m := _ORG_LIST.search(s.text))), None)
            if listed is not None:
                return f"{listed[1]}[{numbering.of(listed[0].clause, listed[0].text)}]。"
        if any(_NAMES_ORG.search(s.clause.text) for s in ordered):
            return ""  # a body the clause names in other words may be the one asked for: no line to say it is not
        return "相关条款没有写明责任单位，条款内容如下："
    n = numbering.of(with_units.clause, with_units.text)
    return f"{units_phrase(_named_first(with_units.item.units, topic, with_units.text))}[{n}]。"


def _own_words(texts: Sequence[str], topic: dict[str, float], said: str = "") -> list[float]:
    """For each text, the weight of the question's pairs it spells and no other text does ("温江区" of one
    office among eight), nor what the measures say (`said`: "领军人才" of the measure is no office's word)."""
    spelled = [pairs(t) & set(topic) - pairs(said) for t in texts]
    return [sum(topic[p] for p in own if not any(p in other for j, other in enumerate(spelled) if j != i)) for i, own in enumerate(spelled)]


def _asked_units(ordered: Sequence[Scored], topic: dict[str, float]) -> Scored | None:
    """The chosen item whose units an answer gives: the one whose note alone spells a word of the question
    ("温江区那边管咨询的是哪个部门": the note naming 温江区经科局), else the best-scoring one."""
    with_units = [s for s in ordered if s.item.units]
    if not with_units:
        return None
    measures = " ".join(f"{s.clause.doc_title} {s.text}" for s in ordered)
    own = _own_words([" ".join(value for _, value in s.item.units) for s in with_units], topic, measures)
    return max(zip(own, with_units), key=lambda o: (o[0] > 0, o[1].score))[1]


def _named_first(units: tuple[tuple[str, str], ...], topic: dict[str, float], said: str = "") -> tuple[tuple[str, str], ...]:
    """A note's offices, those the question names on its own first ("郫都区…的咨询窗口"), each with its number."""
    groups: list[list[tuple[str, str]]] = []
    for label, value in units:
        if label in PHONE_LABELS and groups:
            groups[-1].append((label, value))
        else:
            groups.append([(label, value)])
    if len(groups) < 2 or len({label for g in groups for label, _ in g[:1]}) > 1:
        return units
    own = _own_words([g[0][1] for g in groups], topic, said)
    order = sorted(range(len(groups)), key=lambda i: own[i] <= 0)  # stable: the note's order otherwise
    return tuple(pair for i in order for pair in groups[i])


def _units_of_parts(q: Question, ordered: Sequence[Scored], topic: dict[str, float]) -> list[Scored]:
    """"骆岗中央公园智慧园区归谁负责？产业小镇呢": for each part of the question, the chosen item with units
    that spells out most of that part's words; [] unless the parts get items with different units (then
    one line of units would be wrong for one of them)."""
    with_units = [s for s in ordered if s.item.units]
    if len(with_units) < 2:
        return []
    # a part a note spells ("…问哪个处 电话多少": 电话 of 咨询电话) asks for what notes say, not of another thing
    notes = [pairs(units_phrase(s.item.units)) for s in with_units]
    things = tuple(part for part in q.parts if not any(pairs(part) <= said for said in notes))
    picked = _each_part(replace(q, parts=things), with_units, topic, lambda s: (s.text, s.score))
    if len(picked) < 2 or len({s.item.units for s in picked}) < 2:
        return []
    return in_order(picked)


def _each_part(q: Question, candidates: Sequence[T], topic: dict[str, float], key: Callable[[T], tuple[str, float]]) -> list[T]:
    """For each part of a question that asks two things or more, the candidate whose text (key: text, tie
    breaker) spells out most of that part's words, when it spells out some; each candidate once, parts'
    order. [] for a question of one part."""
    if len(q.parts) < 2:
        return []
    picked: list[T] = []
    for part in q.parts:
        said = pairs(part)
        own = {p: w for p, w in topic.items() if p in said}
        if not own:
            continue
        best = max(candidates, key=lambda c: (cover(own, key(c)[0]), key(c)[1]))
        if cover(own, key(best)[0]) > 0 and best not in picked:
            picked.append(best)
    return picked


def _short(text: str) -> str:
    """A heading as it stands, or its first phrase when it is long (_lead)."""
    return text if len(text) <= 30 else _lead(text)


def _lead(text: str) -> str:
    """An item's first phrase, to say which item a line is about. Example: "支持建设A园区，打造…" -> "支持建设A园区" """
    head = re.split(r"[，。；：,;:]", text.strip(), maxsplit=1)[0]
    return head if len(head) <= 30 else head[:30] + "…"


def _amount_line(q: Question, ordered: Sequence[Scored], numbering: Numbering, topic: dict[str, float] | None = None) -> str:
    """The amount the best clause states for the question (of the year it names, when it names one), else
    the best chosen item of another clause that states one. It says the clauses give no amount only when
    no item of the chosen clauses states one. Of a clause's items stating an amount, the one that spells
    out most of the question's words (`topic`) is said; a question about two things gets each its own."""

    def of_year(s: Scored) -> bool:
        return bool(set(q.years) & years_spoken(said(s)))

    if q.years and (len(q.years) > 1 or len(q.parts) < 2):
        # the figure of each year asked ("到2025年和2030年分别…"), from a sentence or a table row; a question
        # asking two things of one year ("到2022年企业要多少家 产业规模多大") gets each thing's figure below
        lines = _figures_of_years(q, ordered, numbering, topic or {})
        if lines:
            return "；".join(lines) + "。"
    dated = [s for s in ordered if q.years and of_year(s) and amount_phrase(s.text)]
    top = max(dated or ordered, key=lambda s: s.score).clause
    # the best clause's items, in every part a long clause is cut into (one citation: "《郑州…规划》一")
    stated = [(s, p) for s in ordered if s.clause.citation == top.citation and (p := amount_phrase(s.text))]
    if len(q.parts) >= 2 and stated and (q.each_of_two or q.figures >= len(q.parts)):
        # a figure asked of each of two things ("智能驾驶、智能机器人产业规模…多少", "普及率要多少？…占比呢") may
        # stand in another clause; not when one part asks no figure ("算不算一年？最多补几年": the neighbouring
        # measure's "一年期…贷款" answers nothing)
        stated += [(s, p) for s in ordered if s.clause.citation != top.citation and (p := amount_phrase(s.text))]
    if q.counter:  # "多少家": the items counting in it, else the best part's ("未来10年" of another part answers no count)
        stated = [sp for sp in stated if _counts(sp[1], q.counter)] or [sp for sp in stated if sp[0].clause.id == top.id]
    if not stated:  # the best clause may state it in a sentence that was not chosen, one that bears on the
        # question (PIECE_COVER): not "全省80%以上人工智能企业集中在郑州市" of a 产业现状 clause for "超算中心…补多少"
        hit = next(s.hit for s in ordered if s.clause.id == top.id)
        stated = [(Scored(hit, i, 0.0, 0.0, 0.0), p) for i, item in enumerate(top.items)
                  if item.role in ("", "row") and (p := amount_phrase(text := top.item_text(item)))
                  and (not topic or cover(topic, text) >= PIECE_COVER)]  # fmt: skip
    # the best clause states none: the best chosen item of another clause that does, for a question asking a
    # figure outright ("补多少"), not one that only writes a word of amounts ("想做大规模 …按啥政策支持")
    if not stated and q.how_much:
        stated = [(s, p) for s in sorted(ordered, key=lambda x: -x.score) if (p := amount_phrase(s.text))]
    if q.years:  # a year-specific question prefers the figure of that year
        stated = [(s, p) for s, p in stated if of_year(s)] or stated
    if not stated:
        bearing = [c.item_text(item) for c in {s.clause for s in ordered} for item in c.items if not topic or cover(topic, c.item_text(item)) >= PIECE_COVER]
        if any(states_quantity(s.text) for s in ordered) or any(map(states_quantity, bearing)):
            return ""
        if q.asks_count:  # "几个方向 分别叫啥", "分几个阶段建 …到哪年": the items listed are what is counted
            return ""
        return "相关条款没有规定具体数额或比例，条款内容如下：" if q.how_much else ""
    if q.counter and not any(_counts(p, COUNTERS, CN_NUMERALS) for _, p in stated):
        return ""  # "形成几个基地" is not answered by "总面积约81平方公里": only a count answers a count
    if q.counter and not any(_counts_asked(q, p) for _, p in stated):
        return ""  # nor "几个先导工程" by "5家国家级工业设计中心": another thing, counted in another measure word
    picked = _amounts_asked(q, stated, topic or {})
    if len(picked) == 1:  # one tier of several is said with the others: "10万元；20万元；30万元—50万元"
        picked = _with_cap(_tiers_of(picked[0], stated), stated)
    asked = {p for part in q.parts for p in pairs(part) if (topic or {}).get(p, 0.0) >= 1.0}
    return _said_amounts([(s, _with_asked(s.text, phrase, asked)) for s, phrase in picked], numbering) + "。"


def _with_cap(picked: list[tuple[Scored, str]], stated: Sequence[tuple[Scored, str]]) -> list[tuple[Scored, str]]:
    """A rate said without its cap is said with the next sentence of its clause when that one states the cap,
    as the items chosen carry it (_with_amounts): "按…50%给予奖励" and "最高奖励不超过100万元"."""
    if len(picked) != 1 or not _rate_without_cap(picked[0][1]):
        return picked
    s = picked[0][0]
    cap = next((sp for sp in stated if sp[0].clause.id == s.clause.id and sp[0].position == s.position + 1 and _CAP.search(sp[1])), None)
    return picked if cap is None else [*picked, cap]


def _amounts_asked(q: Question, stated: list[tuple[Scored, str]], topic: dict[str, float]) -> list[tuple[Scored, str]]:
    """Which of the items stating an amount answer the question: for each of its parts, the one that spells
    out most of that part's words, when the parts get different items; else the one that spells out most
    of the question's words (the first on a tie: the best clause's order)."""
    counted = [sp for sp in stated if q.counter and _counts(sp[1], q.counter)]
    stated = counted or stated  # "多少个…几个": the items counting in 个, not a neighbour's 500亿元
    order = {sp: -i for i, sp in enumerate(stated)}  # on a tie, the first in the best clause's order
    each = _each_part(q, stated, topic, lambda sp: (sp[0].text, order[sp]))
    if each:  # in the order the question asks them; one item when only one part names a thing an item states
        return each
    return [max(stated, key=lambda sp: (cover(topic, sp[0].text), order[sp])) if topic else stated[0]]


def _with_asked(text: str, phrase: str, asked: set[str]) -> str:
    """An amount phrase that spells out nothing a part of the question asks, with the phrase before it in
    its item when that one does ("每年按啥标准奖 奖几年": "每年以企业对地方贡献为标准给予全额奖励，最长不超过3年")."""
    at = text.find(phrase)
    before = unnumbered(re.split(r"[，,。；;：:]", text[:at].rstrip("，, "))[-1].strip()) if at > 0 else ""
    if before and len(before) <= NAMING_CHARS and not pairs(phrase) & asked and pairs(before) & asked:
        return f"{before}，{phrase}"
    return phrase


def _counts(phrase: str, counter: str, numerals: str = r"\d") -> bool:
    """Whether an amount phrase counts in a measure word, with a numeral of `numerals`.
    Example: ("形成10个以上…", "个") -> True; ("三项创新试点", COUNTERS, CN_NUMERALS) -> True"""
    return bool(re.search(rf"{numerals}\s*(?:余|多)?{counter}", phrase))


def _tiers_of(picked: tuple[Scored, str], stated: list[tuple[Scored, str]]) -> list[tuple[Scored, str]]:
    """The picked item's tiers among the items stating an amount (see `tier_run`), in clause order."""
    by_pos = {x.position: (x, p) for x, p in stated if x.clause.id == picked[0].clause.id}
    return [by_pos[pos] for pos in tier_run(picked[0].clause, picked[0].position) if pos in by_pos] or [picked]


def _said_amounts(picked: Sequence[tuple[Scored, str]], numbering: Numbering) -> str:
    """Amount phrases joined, each led by its period unless it says it or the one before had the same:
    "到2022年，企业超过300家[1]；产业规模超过200亿元[1]" """
    out, before = [], None
    for s, phrase in picked:
        phrase = _named(s.text, phrase) if len(picked) >= 2 else phrase
        when = period(s.clause, s.position) or leading_period(s.text)
        prefix = f"{when}，" if when and when not in phrase and when != before else ""
        out.append(f"{prefix}{phrase}[{numbering.of(s.clause, s.text)}]")
        before = when
    return "；".join(out)


def _named(text: str, phrase: str) -> str:
    """An amount phrase that says little but the figure ("规模1亿元"), said beside others, with the words
    before it in its item that name what it is of: "设立长沙市人工智能产业天使投资基金，规模1亿元"."""
    if len(re.findall(r"[\u4e00-\u9fff]", AMOUNT.sub("", phrase))) > BARE_WORDS:
        return phrase
    at = text.find(phrase)
    before = re.split(r"[，。；：,;:]", text[:at].rstrip(_ENDS))[-1].strip() if at > 0 else ""
    if len(before) > NAMING_CHARS:
        before = tail_words(before, NAMING_CHARS)
    return f"{before}，{phrase}" if before else phrase


BARE_WORDS = 4  # an amount phrase with no more Chinese characters than this besides its figures says little
NAMING_CHARS = 24  # what is kept of the words naming it


def _figures_of_years(q: Question, ordered: Sequence[Scored], numbering: Numbering, topic: dict[str, float]) -> list[str]:
    """The figure of each year asked, one line a year from its best item; a question asking two things or
    more ("智能金融增加值 到2020 2022分别定多少 发明专利累计授权呢") gets each part's item, when the parts get
    different items stating a figure for every year asked, its years in turn."""
    dated = [s for s in ordered if all(_figure_of_year(y, s) for y in q.years)]
    each = _each_part(q, dated, topic, lambda s: (s.text, s.score)) if topic and dated else []
    if len(each) >= 2:
        return [f"{line}[{numbering.of(s.clause, s.text)}]" for s in each for y in q.years if (line := _figure_of_year(y, s))]
    return [line for y in q.years if (line := _amount_of_year(y, ordered, numbering, q.counter))]


def _amount_of_year(year: int, ordered: Sequence[Scored], numbering: Numbering, counter: str | None = None) -> str:
    """The best item of that year stating an amount (counting in the measure word asked, when one does), as
    "到2025年，…30家以上…[n]"; "" when none does."""
    for s in sorted(ordered, key=lambda x: (not (counter and _counts(x.text, counter)), -x.score)):
        if line := _figure_of_year(year, s):
            return f"{line}[{numbering.of(s.clause, s.text)}]"
    return ""


def _figure_of_year(year: int, s: Scored) -> str:
    """What an item states for a year: a table row's cell of that year's column, or the amount of a sentence
    of that year with its period ("到2025年，…30家以上…"); "" when it states none."""
    if s.item.role == "row":
        return row_value(s.clause, s.text, year)
    if year in years_spoken(said(s)) and (phrase := amount_phrase(s.text)):
        when = period(s.clause, s.position) or leading_period(s.text) or f"{year}年"
        return f"{when}，{phrase}" if when not in phrase else phrase
    return ""


_UNIT_TAIL = re.compile(r"[（(]([^（）()\d]{1,6})[)）]\s*$")
_BARE_NUMBER = re.compile(r"([\d.,]+)\s*(以上|以下|左右|)")


def row_value(clause: Clause, row: str, year: int) -> str:
    """A table row's value in the column of a year, with the row's label, the column's header and the
    unit (from a 单位 column or the label's "(家)") put after the number.

    Example: header "指标 | 近期目标(到2022年) | 中期目标(到2025年)", row "企业(家) | 10 | 30", 2025
    -> "中期目标(到2025年)：企业 30家"
    """
    header = next((line.strip() for line in clause.text.splitlines() if "|" in line), "")
    heads = [h.strip() for h in header.split("|")]
    cells = [c.strip() for c in row.split("|")]
    if not header or norm(header) == norm(row) or len(cells) < 2:
        return ""
    if len(heads) == len(cells) - 1:  # the header has no cell above the row labels
        heads = [""] + heads
    if len(heads) != len(cells):
        return ""
    col = next((i for i, h in enumerate(heads) if i and str(year) in h), None)
    if col is None or not cells[col]:
        return ""
    labelled = [(h, c) for h, c in zip(heads, cells) if c and not re.search(r"\d", h)][: max(1, col)]
    unit = next((c for h, c in labelled if "单位" in h), "")
    label = [c for h, c in labelled if "单位" not in h]
    if not unit and label and (m := _UNIT_TAIL.search(label[-1])):  # "企业(家)"
        unit, label[-1] = m.group(1), label[-1][: m.start()]
    value = cells[col]
    if unit and (m := _BARE_NUMBER.fullmatch(value)):
        value = f"{m.group(1)}{unit}{m.group(2)}"
    return f"{heads[col]}：{' '.join(label)} {value}"


def cross_references(quoted: Sequence[tuple[Clause, str]], clauses_of: dict[str, list[Clause]]) -> list[Clause]:
    """Clauses that quoted texts refer to by number ("可参照第一条给予支持"), in the same policy.

    Example: [(第十条, "…可参照第一条给予支持")] -> [第一条]
    """
    out: list[Clause] = []
    have = {c.id for c, _ in quoted}
    for clause, text in quoted:
        for m in _XREF.finditer(text):
            for c in clauses_of.get(clause.doc_id, []):
                if c.ref == f"第{m.group(1)}条" and c.id not in have:
                    out.append(c)
                    have.add(c.id)
    return out


# ---------------------------------------------------------------- comparisons and places


@dataclass(frozen=True)
class Block:
    """One place (or policy) of a comparison: its chosen items; when none answers, its nearest item."""

    label: str
    chosen: Sequence[Scored]
    nearest: Scored | None = None


def compare(q: Question, blocks: Sequence[Block], topic: dict[str, float]) -> Answer:
    """One block per named place, each from that place's own best items, and whether the figures agree.
    A place with no item that answers says so, then shows its nearest item, marked as not an answer.

    Example: -> "成都市：…突破500亿元[1]\\n重庆市：…超过500亿元[2]\\n两地的数额相同：500亿元。"
    """
    w = _Writer(Numbering(), [], periods=q.asks_when)
    figures: list[tuple[str, str | None]] = []
    table: list[TableRow] = []
    for b in blocks:
        if not b.chosen:
            if b.nearest is None:
                w.lines.append(f"【{b.label}】未涉及这一方面。")
            else:
                w.lines.append(f"【{b.label}】未找到直接规定这一方面的条款；最接近的一条（仅供参考，不一定回答该问题）：")
                w.item_line(b.nearest, topic)
            figures.append((b.label, None))
            continue
        ordered = in_order(b.chosen)
        w.lines.append(f"【{b.label}】")
        for s in ordered:
            w.item_line(s, topic)
        figures.append((b.label, _main_amount(ordered, topic)))
        table.append(table_row(b.label, ordered, w.numbering, topic))
    verdict = _same_or_different(figures) if q.asks_same else ""  # "各是多少" asks for the figures only
    if verdict:
        w.lines.append(verdict)
    return Answer("\n".join(w.lines), w.numbering.citations(), table=tuple(table))


def table_row(place: str, ordered: Sequence[Scored], numbering: Numbering, topic: dict[str, float]) -> TableRow:
    """A place's row: its best item that states an amount (else its best item), shortened, and the
    amounts it states. Example: -> TableRow("成都市", 2, "…按实际租金的50%给予补助，最高30万元", ("50%", "30万元"))"""
    best = _by_score(ordered)
    s = next((x for x in best if amounts(x.text)), best[0])
    measure = trim(s.text, topic) if len(s.text) > TABLE_ITEM else s.text.rstrip(_ENDS)
    return TableRow(place, numbering.of(s.clause, s.text), measure, tuple(amounts(s.text)))


def _main_amount(ordered: Sequence[Scored], topic: dict[str, float]) -> str | None:
    """The amount of the comma-piece that best matches the topic, in the best item that states one."""
    for s in _by_score(ordered):
        pieces = [m.group(0) for m in _PIECE.finditer(s.text)]
        stated = [(cover(topic, p), i, amounts(p)) for i, p in enumerate(pieces) if amounts(p)]
        if stated:
            return max(stated, key=lambda x: (x[0], -x[1]))[2][0]
    return None


def _by_score(items: Sequence[Scored]) -> list[Scored]:
    """Best first; items of equal score in the order given (reading order). A clause read in order may
    state another measure's figure before the one the question asks about."""
    return sorted(items, key=lambda s: -s.score)


def _same_or_different(figures: Sequence[tuple[str, str | None]]) -> str:
    """"相同：500亿元" or "不同：成都市 500亿元，重庆市 300亿元" when every side states a figure of one unit."""
    stated = [(label, f) for label, f in figures if f]
    if len(stated) < 2 or len(stated) != len(figures):
        return ""
    units = {unit_of(f) for _, f in stated}
    if len(units) != 1:
        return ""
    values = {norm(f) for _, f in stated}
    if len(values) == 1:
        return f"比较：数额相同，均为{stated[0][1]}。"
    return "比较：数额不同（" + "，".join(f"{label}{f}" for label, f in stated) + "）。"


def cross_places(q: Question, blocks: Sequence[tuple[str, Sequence[Scored]]], topic: dict[str, float]) -> Answer:
    """"哪些城市…": the places whose policies provide it, then one line per place with its items."""
    w = _Writer(Numbering(), [], periods=q.asks_when)
    found = [(region, chosen) for region, chosen in blocks if chosen]
    w.lines.append(f"所收录的政策中，{'、'.join(r for r, _ in found)}有相关规定：")
    table = []
    for region, chosen in found:
        ordered = in_order(chosen)
        for s in ordered:
            w.item_line(s, topic, label=f"{region} ")
        table.append(table_row(region, ordered, w.numbering, topic))
    return Answer("\n".join(w.lines), w.numbering.citations(), table=tuple(table))


# ---------------------------------------------------------------- refusals


def refusal(
    head: str,
    elsewhere: Sequence[Scored] = (),
    related: Sequence[Clause] = (),
    topic: dict[str, float] | None = None,
    asked: Sequence[str] = (),
) -> Answer:
    """A refusal: what the policies do not cover (`head`), then, labelled as such, what other places
    provide (`elsewhere`) or the closest clauses (`related`), none of them presented as the answer.
    `asked` are the regions the question names: when it names a policy, what other policies of the same
    place provide is labelled as other policies', not other places'."""
    w = _Writer(Numbering(), [head])
    if elsewhere:
        same = any(s.clause.region in asked for s in elsewhere)
        w.lines.append("其他政策的相关规定（并非所问政策，仅供参考）：" if same else "其他地区的相关规定（并非所问地区的政策，仅供参考）：")
        for s in in_order(elsewhere):
            w.item_line(s, topic or {}, label=f"{s.clause.region or ''} ")
    elif related:
        w.lines.append("可能相关（仅供参考，并未回答该问题）：")
        for clause in list({c.id: c for c in related}.values())[:MAY_RELATE]:  # a clause once, whatever items brought it
            n = w.numbering.of(clause)
            flat = " ".join(clause.text.split())  # one line: a heading's line break would cut the list
            text = flat if len(flat) <= 60 else flat[:60] + "……"
            w.lines.append(f"[{n}] {clause.citation}：{text}")
    return Answer("\n".join(w.lines), w.numbering.citations(), refused=True)


ASKED_CHARS = 40  # how much of the question a refusal restates


def topic_words(q: Question) -> str:
    """What was asked, as a refusal restates it: the user's own words without the places named, cut to
    ASKED_CHARS. The topic's words run together read as nonsense once the question words between them are
    gone ("要不要建数据交易所" became "不要建数据交易所"; "有房租补贴不 补多少" became "房租补贴不补"). Only letters,
    digits and Chinese punctuation are kept: the refusal is shown as Markdown.

    Example: "合肥AI企业租办公室 有房租补贴不？" naming 合肥 -> "“AI企业租办公室 有房租补贴不”"
    """
    text = q.text
    if q.places:  # places set side by side go with the words joining them ("杭州和深圳" -> " ", not " 和 ")
        names = "|".join(re.escape(p.text) for p in sorted(q.places, key=lambda p: -len(p.text)))
        text = re.sub(rf"(?:{names})(?:\s*[和与及跟同、,，]\s*(?:{names}))*", " ", text)
    if q.policies and (after := after_policy_word(text).lstrip(_JOINS + "中" + _STOPS)):
        text = after  # the policy it names is named in the refusal: "《郑州市…规划》未涉及“原则里讲…”"
    text = _NOT_SHOWN.sub(" ", text).replace("“", "‘").replace("”", "’")  # quotes inside quotes
    text = re.sub(r"\s+", " ", text).lstrip(_JOINS + _STOPS).rstrip(_STOPS)
    text = re.sub(r"(?<=[，、；：])\s+", "", text)  # "…方向，重庆文件里…" -> "…方向，文件里…"
    if len(text) > ASKED_CHARS:
        text = text[:ASKED_CHARS].rstrip(_STOPS) + "…"
    if text:
        return f"“{text}”"
    return f"“{''.join(q.topic.split())}”" if q.topic else "这一问题"


_NOT_SHOWN = re.compile(r"[^\w\u3000-\u303f\uff01-\uff0f\uff1a-\uff1f“”‘’—…+ ]|_")
_STOPS = " ，,、。？?！!；;：:"  # punctuation left at either end once the places are gone
_JOINS = "的对在里和与及跟同"  # words that joined a place to the rest ("合肥的…", "成都和重庆的…")


def scope_label(q: Question, titles: dict[str, str]) -> str:
    """Where the answer was looked for: "《湖北省…总体规划》" or "合肥市" or "所收录"."""
    if q.policies:
        return "、".join(f"《{titles[d]}》" for d in q.policies if d in titles)
    known = q.known_places
    if known:
        return "、".join(p.label for p in known)
    return ""
