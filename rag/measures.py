"""Support measures stated in a clause: kind, purpose, beneficiary, amounts, ratios, caps,
thresholds and responsible units, each value a span of the clause text.

    extract(clause)  # "第十五条打造顶级赛事活动。…对于区域内创新主体举办赛事活动成效显著的，可按照不高于实际投入30%的比例，给予最高500万元资金支持。"
    -> (Measure(kind="资金支持", purpose=Span("区域内创新主体举办赛事活动成效显著的", …),
                amounts=(Quantity(Span("500万元", …), "万元", 5000000.0, cap=True, phrase=Span("最高500万元", …)),),
                ratios=(Quantity(Span("30%", …), "%", 30.0, cap=True, phrase=Span("不高于实际投入30%", …)),), …),)

How, sentence by sentence (split at 。；): a sentence that gives something — it says 给予/予以 or
names a kind of support (补助, 奖励, 基金, 一事一议…) — is a measure. Its money amounts and
percentages are classified as conditions (…以上, 年销售收入不超过…的) or as what is paid; a paid
value right after 最高 / 不超过 / 不高于 / 最多 is a cap. Sentences that give nothing (targets: 产业规模
达到3500亿元; statistics) yield no measure, though a condition list ("实缴注册资本…达到1000万元以上")
yields its thresholds as a measure of kind "". Responsible units come from the clause's
（责任单位：…） / （牵头单位：…；配合单位：…） / [责任部门：…] notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace

from .clauses import cn_to_int
from .model import Clause, Measure, Quantity, Span

# Support words, longest first so "资金补助" wins over "补助".
KINDS = (
    "一事一议", "资金补助", "资金支持", "资金扶持", "财政支持", "税收优惠", "风险补偿", "后补助",
    "服务券", "创新券", "算力券", "贴息", "减免", "奖补", "补贴", "补助", "奖励", "资助", "配套", "基金", "扶持",
)  # fmt: skip
# "配套" is support only as 配套支持/配套资金/…配套。, not 配套服务 or 配套设施.
_KIND = re.compile(
    "|".join(
        k if k != "配套" else r"配套(?=支持|资金|资助|奖励|补助|[，,。；;]|$)"
        for k in sorted(KINDS, key=len, reverse=True)
    )
)
_GIVES = re.compile(
    r"给予|予以|发放|奖励|补助|补贴|资助|贴息|奖补|扶持|配套|一事一议|基金|服务券|创新券|算力券|减免"
)
_ACTS = re.compile(
    r"给予|给与|予以|发放|设立|组建|成立|实行|实施|享受|提供|推行|安排|采取|探索|纳入|发挥|落实|建立"
)
_TARGET = re.compile(r"到\s*20\d\d\s*年|力争|目标")
_CN_NUM = "零〇一二两三四五六七八九十百千"
# "500万元", "1.2亿元", "千元", a range "500—1000万元" (valued at its top), "10亿美元".
_MONEY = re.compile(
    rf"(?:\d+(?:\.\d+)?\s*[—–~～至到-]\s*)?(\d+(?:\.\d+)?|[{_CN_NUM}]+)\s*(万亿|千万|百万|亿|万|千)?\s*(美元|元)"
)
_FUND_SIZE = re.compile(
    rf"(?<=规模)\s*(?:达|为)?\s*(\d+(?:\.\d+)?|[{_CN_NUM}]+)\s*(亿|万)(?![元级])|(\d+(?:\.\d+)?|[{_CN_NUM}]+)\s*(亿|万)(?=规模)"
)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*([%％‰])")
CAP_WORDS = r"最高|不超过|不高于|最多|至多|上限|封顶"  # a paid value after one of these is a cap
_CAP_BEFORE = re.compile(CAP_WORDS)
_CAP_AFTER = re.compile(r"^\s*(?:为上限|封顶|为限)")
_BOUND_AFTER = re.compile(r"^\s*(?:[（(]含[^）)]{0,12}[）)])?\s*及?\s*(?:以上|以下|以内)|^\s*[（(]含")
_COMPARATOR_END = re.compile(
    r"(?:达到|达|超过|突破|不低于|不少于|低于|高于|不足|少于|小于|大于|不超过|不高于|在|满|首次达到)\s*$"
)
_SIZE_NOUN = re.compile(
    r"收入|营收|投资|资本|出资|贷款额|贷款|交易额|产值|规模|工资|薪金|销售额|总额|投入|营业额|占比|比重|比例"
)
_INCLUSIVE = re.compile(r"\s*[（(]\s*含\s*")
_CAPPED_LIST_GAP = re.compile(r"\s*(?:[（(][^（）()]{0,10}[）)])?\s*[、和或及]\s*")
_LIST_GAP = re.compile(r"\s*[、和或及]\s*")
_AGGREGATE = re.compile(r"产业规模|规模|产值|增加值")  # an industry's size is a target, not a condition
_SHARE = re.compile(r"(?:占比|比重)\s*(?:超过|达到|不低于|高于)")
_PAID_WORD = re.compile(r"最高|补助|补贴|资助|奖励|给予|予以|额度|支持")
_ENTITY = re.compile(
    r"(?:企业|机构|单位|平台|团队|人才|高校|院所|孵化器|众创空间|主体|载体|学校|院校|学院|园区|中心|项目|联盟|协会)$"
)
_GIVEN_TO = re.compile(
    r"(?:给予|予以)([^，,。；\d]{2,30}?)(?=\d|最高|各|每|一次性|不超过|不高于|按|补贴|补助|奖励|资助|资金|配套|贴息|支持)"
)
_RESPONSIBLE_LABEL = re.compile(
    r"(?:责任单位|牵头单位|配合单位|责任部门|牵头部门|配合部门|政策咨询部门|实施单位)\s*[:：]"
)
_OPEN, _CLOSE = "（([【", "）)]】"
_UNIT_SPLIT = re.compile(r"[、，,；;]")


def extract(clause: Clause) -> tuple[Measure, ...]:
    """The measures a clause states, in reading order (see the module docstring)."""
    text = clause.text
    responsible = tuple(responsible_units(text))
    notes = [(s.start, s.end) for s in _responsible_notes(text)]
    title = _title_span(clause)
    out = []
    for start, end in _sentences(text):
        if any(a <= start and end <= b for a, b in notes):
            continue
        measure = _measure(text, start, end, title)
        if measure is not None:
            out.append(replace(measure, responsible=responsible))
    return tuple(out)


def annotate(clauses: Sequence[Clause]) -> list[Clause]:
    """Clauses with their measures filled in. Example: annotate([clause]) -> [clause with .measures]"""
    return [replace(c, measures=extract(c)) for c in clauses]


# ---------------------------------------------------------------- one sentence


def _measure(text: str, start: int, end: int, title: Span | None) -> Measure | None:
    sentence = text[start:end]
    gives = bool(_GIVES.search(sentence))
    target = bool(_TARGET.search(sentence))
    amounts, ratios, thresholds = _quantities(
        text, start, end, gives and not (target and not _KIND.search(sentence))
    )
    if not gives and not thresholds:
        return None
    kind = _kind(text, start, end, bool(amounts or ratios))
    if kind and not (amounts or ratios) and not _ACTS.search(sentence):
        kind = None  # "企业申请展会补贴，需提交…" names a measure; it does not give one
    if not (kind or amounts or ratios or thresholds):
        return None
    return Measure(
        kind=kind.text if kind else "",
        sentence=Span(sentence, start, end),
        kind_span=kind,
        purpose=_purpose(text, start, end) or title,
        beneficiary=_beneficiary(text, start, end),
        amounts=tuple(amounts),
        ratios=tuple(ratios),
        thresholds=tuple(thresholds),
    )


def _quantities(
    text: str, start: int, end: int, paid: bool
) -> tuple[list[Quantity], list[Quantity], list[Quantity]]:
    """(amounts, ratios, thresholds) of a sentence; amounts and ratios only when it gives something."""
    amounts: list[Quantity] = []
    ratios: list[Quantity] = []
    thresholds: list[Quantity] = []
    previous = start
    fund = "基金" in text[start:end]
    for m, unit, value, is_ratio in _numbers(text, start, end):
        segment_start = _segment_start(text, m.start(), start)
        before = text[max(segment_start, previous) : m.start()]
        after = text[m.end() : min(end, m.end() + 12)]
        previous = m.end()
        q = Quantity(Span(m.group(0), m.start(), m.end()), unit, value)
        listed = (
            bool(thresholds)
            and thresholds[-1].span.end >= segment_start
            and bool(_LIST_GAP.fullmatch(before) or _INCLUSIVE.fullmatch(before))
        )
        if listed or _is_threshold(text[segment_start : m.start()], after, is_ratio, paid, fund):
            # "投资总额达到5000万元、1亿元、5亿元的" lists several conditions; "不低于50万元（含50万元）" repeats one
            thresholds.append(q)
        elif paid:
            same = ratios if is_ratio else amounts
            listed_cap = bool(same) and same[-1].cap and same[-1].span.end >= segment_start
            if listed_cap and _CAPPED_LIST_GAP.fullmatch(before):
                same.append(
                    replace(q, cap=True)
                )  # "分别给予最高100万元、50万元、30万元": 最高 covers the list
            else:
                same.append(_with_cap(q, text, before, after))
    return amounts, ratios, thresholds


def _numbers(text: str, start: int, end: int) -> Iterator[tuple[re.Match[str], str, float, bool]]:
    """Money, fund sizes and percentages in text[start:end], in order: (match, unit, value, is_ratio)."""
    found: list[tuple[re.Match[str], str, float, bool]] = []
    for m in _MONEY.finditer(text, start, end):
        unit = (m.group(2) or "") + m.group(3)
        found.append((m, unit, _value(m.group(1), m.group(2)), False))
    for m in _FUND_SIZE.finditer(text, start, end):
        number, scale = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if re.search("基金", text[start:end]) and not any(
            f[0].start() <= m.start() < f[0].end() for f in found
        ):
            found.append((_trimmed(m, text), scale, _value(number, scale), False))
    for m in _PERCENT.finditer(text, start, end):
        per_mille = m.group(2) == "‰"
        found.append((m, "‰" if per_mille else "%", float(m.group(1)) / (10 if per_mille else 1), True))
    yield from sorted(found, key=lambda f: f[0].start())


def _trimmed(m: re.Match[str], text: str) -> re.Match[str]:
    """A fund-size match without the 达/为 and spaces the look-behind form lets in."""
    inner = re.search(rf"(\d+(?:\.\d+)?|[{_CN_NUM}]+)\s*(亿|万)", text[m.start() : m.end()])
    if inner is None:
        return m
    return re.compile(re.escape(inner.group(0))).search(text, m.start() + inner.start()) or m


def _value(number: str, scale: str | None) -> float:
    """In 元. Example: ("500", "万") -> 5e6; ("千", "亿") -> 1e11"""
    base = float(number) if number[0].isdigit() else float(_cn_int(number))
    return base * {"万亿": 1e12, "千万": 1e7, "百万": 1e6, "亿": 1e8, "万": 1e4, "千": 1e3}.get(
        scale or "", 1.0
    )


def _cn_int(text: str) -> int:
    """Example: "千" -> 1000, "三十" -> 30, "两百" -> 200"""
    return cn_to_int(text) or 0


def _segment_start(text: str, pos: int, floor: int) -> int:
    """Start of the comma-separated part of the sentence that `pos` is in."""
    cut = max(text.rfind(ch, floor, pos) for ch in "，,：:")
    return cut + 1 if cut >= floor else floor


def _is_threshold(before: str, after: str, is_ratio: bool, paid: bool, fund: bool = False) -> bool:
    """Whether a number states a condition ("…1000万元以上", "年销售收入不超过2000万元的…") rather
    than what is paid. Outside sentences that give something, only an explicit 以上/以下 counts."""
    if _BOUND_AFTER.match(after):
        if paid:
            return True
        nouns = list(_SIZE_NOUN.finditer(before))
        return not is_ratio and not (nouns and _AGGREGATE.fullmatch(nouns[-1].group(0)))
    if is_ratio and paid and _SHARE.search(before) and after.lstrip().startswith("的"):
        return True  # "人工智能企业占比超过在孵企业总数60%的孵化器"
    if not paid or not _COMPARATOR_END.search(before):
        return False
    if is_ratio:  # "购置本地企业生产的智能装备产品超过50%的，按…"
        return after.lstrip().startswith("的") and not _PAID_WORD.search(before)
    nouns = list(_SIZE_NOUN.finditer(before))
    if not nouns:
        return False
    noun = nouns[-1]
    # "年度累计补助额度最高不超过100万元" is paid; "…基金，首期规模达200亿元" is the fund's size.
    return not (_PAID_WORD.search(before[noun.end() :]) or (noun.group(0) == "规模" and fund))


def _with_cap(q: Quantity, text: str, before: str, after: str) -> Quantity:
    """Mark a paid value as a cap when a limit word stands just before it (or 为上限 after it).

    A ratio's base can be long ("不超过应用示范项目人工智能软件及设备实际总投入30%"), so its window is wider.
    """
    window = before[-(24 if q.unit in ("%", "‰") else 12) :]
    found = None
    for found in _CAP_BEFORE.finditer(window):
        break
    if found is not None:
        phrase_start = q.span.start - len(window) + found.start()
        phrase = Span(text[phrase_start : q.span.end], phrase_start, q.span.end)
        return replace(q, cap=True, phrase=phrase)
    if m := _CAP_AFTER.match(after):
        phrase_end = q.span.end + m.end()
        return replace(q, cap=True, phrase=Span(text[q.span.start : phrase_end], q.span.start, phrase_end))
    return q


def _kind(text: str, start: int, end: int, has_amount: bool) -> Span | None:
    """The support word of the sentence: the first one after 给予/予以 ("…天使基金…，给予…风险补助" -> 补助),
    else the first one; "支持" when the sentence pays an amount or gives it ("给予…相关政策支持")."""
    given = re.compile(r"给予|予以|发放").search(text, start, end)
    m = (_KIND.search(text, given.end(), end) if given else None) or _KIND.search(text, start, end)
    if m is None and given is not None:
        segment_end = min(
            (i for i in (text.find(ch, given.end(), end) for ch in "，,") if i >= 0), default=end
        )
        m = re.compile("支持").search(text, given.end(), segment_end)
    if m is None and has_amount:
        m = re.compile("支持").search(text, start, end)
    return Span(m.group(0), m.start(), m.end()) if m else None


def _purpose(text: str, start: int, end: int) -> Span | None:
    """The "对(于)…" object of the sentence, up to the comma before what is given.

    Example: "对于区域内创新主体举办赛事活动成效显著的，…给予…" -> "区域内创新主体举办赛事活动成效显著的"
    """
    sentence = text[start:end]
    m = re.search(r"(?:^|[，,：:])\s*对(?:于)?([^，,。；]{2,80})[，,]", sentence) or re.search(
        r"对(?:于)?([^，,。；]{2,80}?)(?:给予|予以)", sentence
    )
    return Span(m.group(1), start + m.start(1), start + m.end(1)) if m else None


def _beneficiary(text: str, start: int, end: int) -> Span | None:
    """Who receives it: the words between 给予/予以 and what is given, if they name a recipient
    ("给予承办单位50%的补贴" -> "承办单位"); else an "对…" object that is one ("对入围的应用场景项目建设主体")."""
    sentence = text[start:end]
    for m in _GIVEN_TO.finditer(sentence):
        words = m.group(1).rstrip("的")
        if _ENTITY.search(words):
            return Span(words, start + m.start(1), start + m.start(1) + len(words))
    obj = re.match(r"^.*?对(?:于)?([^，,。；]{2,40}?)[，,]", sentence)
    if obj and _ENTITY.search(obj.group(1)):
        return Span(obj.group(1), start + obj.start(1), start + obj.end(1))
    return None


def _title_span(clause: Clause) -> Span | None:
    if not clause.title:
        return None
    at = clause.text.find(clause.title)
    return Span(clause.title, at, at + len(clause.title)) if at >= 0 else None


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    """[start, end) of each sentence, split at 。；! ? and line ends, outside parentheses."""
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif (ch in "。；;！？!?" and depth == 0) or ch == "\n":
            if text[start:i].strip():
                yield start, i + (ch != "\n")
            start = i + 1
    if text[start:].strip():
        yield start, len(text)


# ---------------------------------------------------------------- responsible units


def responsible_units(text: str) -> Iterator[Span]:
    """Each unit of the clause's responsibility notes.

    Example: "…（牵头单位：市科技局；配合单位：市经济信息委、两江新区管委会）"
    -> Span("市科技局"), Span("市经济信息委"), Span("两江新区管委会")
    """
    for note in _responsible_notes(text):
        pos = note.start
        for piece in _split_top_level(note.text):
            raw = piece
            piece = _RESPONSIBLE_LABEL.sub("", piece)
            offset = pos + len(raw) - len(piece)
            unit = re.sub(r"(?:等)?(?:按职责分工)?负责$|等$", "", piece.strip())
            lead = len(piece) - len(piece.lstrip())
            if unit and "电话" not in unit and not re.fullmatch(r"[\d\s-]+", unit):
                yield Span(unit, offset + lead, offset + lead + len(unit))
            pos += len(raw) + 1


def _responsible_notes(text: str) -> Iterator[Span]:
    """The inside of each bracketed note naming responsible units."""
    for i, ch in enumerate(text):
        if ch not in _OPEN:
            continue
        close = _matching(text, i)
        if close is None:
            continue
        inner = text[i + 1 : close]
        if _RESPONSIBLE_LABEL.match(inner.lstrip()) or re.search(r"按职责分工负责$", inner):
            yield Span(inner, i + 1, close)


def _matching(text: str, open_at: int) -> int | None:
    depth = 0
    for j in range(open_at, min(len(text), open_at + 300)):
        if text[j] in _OPEN:
            depth += 1
        elif text[j] in _CLOSE:
            depth -= 1
            if depth == 0:
                return j
    return None


def _split_top_level(note: str) -> list[str]:
    """Split at 、，；, outside nested brackets: "各县（市）区政府、开发区管委会" -> two pieces."""
    pieces, depth, current = [], 0, ""
    for ch in note:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        if depth == 0 and _UNIT_SPLIT.match(ch):
            pieces.append(current)
            current = ""
        else:
            current += ch
    pieces.append(current)
    return pieces
