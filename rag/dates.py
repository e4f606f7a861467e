"""Policy dates from a policy's own text: issued (落款), effective (施行), expires (有效期), and the
status they give on a day (现行 / 已失效 / 未知). Every date keeps the sentence that states it.

    extract("…第十五条本办法自2021年11月12日起施行，有效期两年。")
    -> PolicyDates(effective=DateFact("2021-11-12", "第十五条本办法自2021年11月12日起施行，有效期两年。", …),
                   expires=DateFact("2023-11-11", …, basis="有效期两年，自2021-11-12起"))
    expiry_note(hangzhou_policy, date(2026, 1, 1))
    -> "注：《杭州市建设国家新一代人工智能创新发展试验区若干政策》有效期至2023年12月31日，已失效。"

What is read:
- issued: a paragraph that is only a date (the 落款 under the signature), else "于YYYY年M月D日印发";
- effective: "自YYYY年M月D日起施行/实施", or "自印发/发布/公布之日起[N日后]施行" counted from the issue date;
- expires: "有效期至YYYY年M月D日", "有效期N年" counted from the effective date (the day before its
  N-th anniversary), or "有效期与《…》（保持）一致", resolved by `annotate` when that policy is indexed.
A value the text does not fix (an issue date nobody wrote down) stays None, with its sentence kept.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from .clauses import cn_to_int
from .model import EXPIRED, IN_FORCE, UNKNOWN, Clause, DateFact, Document, PolicyDates, status_on

log = logging.getLogger(__name__)

__all__ = ["EXPIRED", "IN_FORCE", "UNKNOWN", "annotate", "expiry_note", "extract", "status_on", "with_year"]

_CN = "零〇一二两三四五六七八九十"
_DATE = r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_FULL_DATE = re.compile(_DATE)
_DATE_ONLY = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?\s*$")
_ISSUED_AT = re.compile(rf"于\s*{_DATE}\s*(?:印发|发布|公布)")
_EFFECTIVE_ON = re.compile(rf"自\s*{_DATE}\s*(?:起)?\s*(?:正式)?\s*(?:施行|实施|执行|生效)")
_EFFECTIVE_FROM_ISSUE = re.compile(
    rf"自\s*(印发|发布|公布|颁布|发文|下发)\s*之日\s*起\s*(?:(\d+|[{_CN}]+)\s*日\s*后)?\s*(?:正式)?\s*(?:施行|实施|执行|生效)"
)
_EXPIRES_ON = re.compile(rf"有效期\s*(?:至|到|截至|截止到?)\s*{_DATE}")
_EXPIRES_AFTER = re.compile(rf"有效期\s*(?:为)?\s*(\d+|[{_CN}]+)\s*年")
_EXPIRES_WITH = re.compile(
    r"有效期\s*(?:与|同)\s*《([^《》]{4,120})》\s*(?:[（(]([^（）()]{0,40})[）)])?\s*(?:保持)?\s*一致"
)
_SENTENCE = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")
_NOTICE = re.compile(r"^(?:.*?关于)?印发\s*[《〈]?(.+?)[》〉]?\s*的通知$")
_DOC_NUMBER_YEAR = re.compile(r"〔\s*(\d{4})\s*〕")


def extract(text: str) -> PolicyDates:
    """The dates a policy's text states (links to other policies are left for `annotate`).

    Example: extract("本政策自2020年1月13日起施行，有效期至2023年12月31日。").expires.value -> "2023-12-31"
    """
    issued = _issued(text)
    effective = _effective(text, issued)
    expires = _expires(text, effective)
    return PolicyDates(issued=issued, effective=effective, expires=expires)


def with_year(doc: Document) -> Document:
    """The document with its year filled from its issue or effective date when it had none.

    Example: a policy without a dated header whose text says "此方案自2020年12月10日实施" -> year 2020
    """
    if doc.year is not None:
        return doc
    found = extract(doc.text)
    for fact in (found.issued, found.effective):
        if fact is not None and (fact.value or _month_year(fact)):
            return replace(doc, year=int((fact.value or _month_year(fact) or "")[:4]))
    return doc


def expiry_note(policy: Document | Clause, today: date | None = None) -> str | None:
    """The notice an answer citing an expired policy carries; None when it is not known to be expired.

    Example: -> "注：《杭州市建设国家新一代人工智能创新发展试验区若干政策》有效期至2023年12月31日，已失效。"
    A term known only to its year reads "注：《…》有效期四年，最迟于2024年1月29日届满，已失效。"
    """
    if isinstance(policy, Document):
        fact = policy.dates.expires
        title, effective, expires = (
            policy.title,
            policy.dates.value("effective"),
            policy.dates.value("expires"),
        )
        expires_by = fact.latest if fact else None
    else:
        title, effective, expires, expires_by = (
            policy.doc_title,
            policy.effective,
            policy.expires,
            policy.expires_by,
        )
    if status_on(effective, expires, today, expires_by) != EXPIRED:
        return None
    if expires:
        return f"注：《{title}》有效期至{chinese_date(expires)}，已失效。"
    return f"注：《{title}》的有效期最迟于{chinese_date(expires_by or '')}届满，已失效。"


def chinese_date(iso: str) -> str:
    """Example: "2023-12-31" -> "2023年12月31日" """
    y, m, d = (int(p) for p in iso.split("-"))
    return f"{y}年{m}月{d}日"


# ---------------------------------------------------------------- the three dates


def _issued(text: str) -> DateFact | None:
    """The first paragraph that is only a date (the 落款), else "于…印发"."""
    pos = 0
    for line in text.split("\n"):
        m = _DATE_ONLY.match(line)
        if m:
            start = pos + len(line) - len(line.lstrip())
            span = (start, start + len(line.strip()))
            if m.group(3):
                return DateFact(_iso(m.group(1), m.group(2), m.group(3)), line.strip(), span)
            return DateFact(None, line.strip(), span, basis="落款只写到月")
        pos += len(line) + 1
    if found := _last(_ISSUED_AT, text):
        m, span, sentence = found
        return DateFact(_iso(*m.groups()), sentence, span)
    return None


def _effective(text: str, issued: DateFact | None) -> DateFact | None:
    on = _last(_EFFECTIVE_ON, text)
    from_issue = _last(_EFFECTIVE_FROM_ISSUE, text)
    if on and (from_issue is None or on[1][0] >= from_issue[1][0]):
        m, span, sentence = on
        return DateFact(_iso(*m.groups()), sentence, span)
    if from_issue is None:
        return None
    m, span, sentence = from_issue
    verb, days = m.group(1), _number(m.group(2)) if m.group(2) else 0
    rule = f"自{verb}之日起" + (f"{days}日后" if days else "")
    if issued is None or issued.value is None:
        return DateFact(None, sentence, span, basis=f"{rule}施行，{verb}日期未载明")
    value = (date.fromisoformat(issued.value) + timedelta(days=days)).isoformat()
    return DateFact(value, sentence, span, basis=f"{rule}施行，{verb}于{issued.value}（落款）")


def _expires(text: str, effective: DateFact | None) -> DateFact | None:
    found = [f for f in (_last(p, text) for p in (_EXPIRES_ON, _EXPIRES_AFTER, _EXPIRES_WITH)) if f]
    if not found:
        return None
    m, span, sentence = max(found, key=lambda f: f[1][0])
    if m.re is _EXPIRES_ON:
        return DateFact(_iso(*m.groups()), sentence, span)
    if m.re is _EXPIRES_WITH:
        return DateFact(None, sentence, span, basis=f"与《{m.group(1)}》保持一致")
    years = _number(m.group(1))
    if effective is None or effective.value is None:
        return DateFact(None, sentence, span, basis=f"有效期{m.group(1)}年，施行日期未载明")
    return DateFact(
        _after_years(effective.value, years),
        sentence,
        span,
        basis=f"有效期{m.group(1)}年，自{effective.value}起",
    )


def _last(pattern: re.Pattern[str], text: str) -> tuple[re.Match[str], tuple[int, int], str] | None:
    """The last match of `pattern`, with the span and text of the sentence around it.

    The closing clause that sets a policy's term comes last; an earlier mention is usually about
    another policy.
    """
    matches = list(pattern.finditer(text))
    if not matches:
        return None
    m = matches[-1]
    for s in _SENTENCE.finditer(text):
        if s.start() <= m.start() < s.end():
            start = s.start() + len(s.group(0)) - len(s.group(0).lstrip())
            return m, (start, s.end()), text[start : s.end()]
    return m, (m.start(), m.end()), m.group(0)


def _iso(year: str, month: str, day: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _month_year(fact: DateFact) -> str | None:
    m = _DATE_ONLY.match(fact.text)
    return m.group(1) if m else None


def _number(text: str) -> int:
    """Example: "30" -> 30, "两" -> 2, "十五" -> 15"""
    return cn_to_int(text) or 0


def _after_years(start: str, years: int) -> str:
    """The last day of a term of `years` years from `start`. Example: ("2021-11-12", 2) -> "2023-11-11" """
    day = date.fromisoformat(start)
    try:
        end = day.replace(year=day.year + years)
    except ValueError:  # 29 February
        end = day.replace(year=day.year + years, day=28) + timedelta(days=1)
    return (end - timedelta(days=1)).isoformat()


# ---------------------------------------------------------------- across the index


def annotate(documents: Sequence[Document], clauses: Sequence[Clause]) -> tuple[list[Document], list[Clause]]:
    """Documents with their dates (source clauses named, "与《…》保持一致" resolved) and years stated
    by other policies' document numbers; clauses with their policy's dates and year.

    Example: the Chengdu 实施细则 "有效期与《…关于印发成都市加快人工智能产业发展专项政策的通知》（成办函〔2019〕15号）
    保持一致" takes that policy's expiry when it is known, and gives it the year 2019 when it has none.
    """
    by_doc: dict[str, list[Clause]] = {}
    for c in clauses:
        by_doc.setdefault(c.doc_id, []).append(c)
    dated = {d.id: replace(d, dates=_with_refs(extract(d.text), by_doc.get(d.id, []))) for d in documents}
    titles = {(d.region, _title_key(d.title, d.region)): d.id for d in documents}
    years = _years_from_numbers(list(dated.values()), titles)
    for doc_id, doc in dated.items():
        doc = replace(doc, year=doc.year or years.get(doc_id))
        dated[doc_id] = replace(doc, dates=_bounded(doc.dates, doc.year))
    for doc_id, doc in dated.items():
        dated[doc_id] = _resolve_link(doc, dated, titles)
    return [dated[d.id] for d in documents], [_dated_clause(c, dated.get(c.doc_id)) for c in clauses]


def _dated_clause(clause: Clause, doc: Document | None) -> Clause:
    if doc is None:
        return clause
    fact = doc.dates.expires
    return replace(
        clause,
        year=doc.year,
        effective=doc.dates.value("effective"),
        expires=doc.dates.value("expires"),
        expires_by=fact.latest if fact and fact.value is None else None,
    )


def _bounded(found: PolicyDates, year: int | None) -> PolicyDates:
    """An expiry "有效期N年" counted from an issue date nobody wrote down gets the latest day it can
    be, when the policy's year is known: issued on 31 December at the latest.

    Example: 有效期四年, 自印发之日起30日后施行, issued in 2019 -> latest "2024-01-29"
    """
    expires, effective = found.expires, found.effective
    m = _EXPIRES_AFTER.search(expires.text) if expires and expires.value is None else None
    if year is None or m is None or expires is None or effective is None or effective.value is not None:
        return found
    rule = _EFFECTIVE_FROM_ISSUE.search(effective.text)
    if rule is None:
        return found
    days = _number(rule.group(2)) if rule.group(2) else 0
    latest_start = (date(year, 12, 31) + timedelta(days=days)).isoformat()
    latest = _after_years(latest_start, _number(m.group(1)))
    basis = f"{expires.basis.split('，')[0]}，{year}年{rule.group(1)}，最迟至{latest}"
    return replace(found, expires=replace(expires, latest=latest, basis=basis))


def _with_refs(found: PolicyDates, doc_clauses: list[Clause]) -> PolicyDates:
    """Each date with the clause that states it."""

    def named(fact: DateFact | None) -> DateFact | None:
        if fact is None:
            return None
        clause = next((c for c in doc_clauses if c.span[0] <= fact.span[0] < c.span[1]), None)
        return replace(fact, ref=clause.ref, clause_id=clause.id) if clause else fact

    return PolicyDates(named(found.issued), named(found.effective), named(found.expires))


Titles = dict[tuple[str | None, str], str]  # (region, title key) -> document id


def _resolve_link(doc: Document, dated: dict[str, Document], titles: Titles) -> Document:
    """An expiry "与《X》保持一致" takes X's expiry (or its latest day) when X is indexed."""
    fact = doc.dates.expires
    if fact is None or fact.value is not None or not fact.basis.startswith("与《"):
        return doc
    name = fact.basis[2 : fact.basis.index("》")]
    found = _find_policy(name, doc, titles)
    target = dated[found] if found else None
    if target is None or target.id == doc.id:
        return replace(
            doc, dates=replace(doc.dates, expires=replace(fact, basis=f"与《{name}》保持一致，该政策未收录"))
        )
    if target.dates.expires is None:
        return doc
    theirs = target.dates.expires
    detail = f"有效期至{theirs.value}" if theirs.value else theirs.basis
    basis = f"与《{target.title}》保持一致：{detail}"
    return replace(
        doc,
        dates=replace(
            doc.dates, expires=replace(fact, value=theirs.value, latest=theirs.latest, basis=basis)
        ),
    )


def _years_from_numbers(documents: list[Document], titles: Titles) -> dict[str, int]:
    """Years of undated policies that another policy cites with a document number.

    Example: "《关于本市推动新一代人工智能发展的实施意见》（沪府办发〔2017〕66号）" in a Shanghai policy
    -> {id of 上海市推动新一代人工智能发展的实施意见: 2017}
    """
    by_id = {d.id: d for d in documents}
    years: dict[str, int] = {}
    for citing in documents:
        for m in re.finditer(r"《([^《》]{4,120})》\s*[（(]([^（）()]{2,40})[）)]", citing.text):
            number = _DOC_NUMBER_YEAR.search(m.group(2))
            cited = _find_policy(m.group(1), citing, titles) if number else None
            if number and cited and cited != citing.id and by_id[cited].year is None:
                years.setdefault(cited, int(number.group(1)))
    return years


def _find_policy(name: str, citing: Document, titles: Titles) -> str | None:
    """The id of the policy of the citing policy's region that a title names, written as a notice or
    with 本市 for that city.

    Example: "成都市人民政府办公厅关于印发成都市加快人工智能产业发展专项政策的通知" -> id of 成都市加快人工智能产业发展专项政策
    """
    return titles.get((citing.region, _title_key(name, citing.region)))


def _title_key(title: str, region: str | None) -> str:
    title = unicodedata.normalize("NFKC", title).strip()
    if m := _NOTICE.match(title):
        title = m.group(1)
    if region:
        title = title.replace("本市", region)
    title = re.sub(r"^关于", "", title)
    return "".join(ch for ch in title if ch.isalnum())
