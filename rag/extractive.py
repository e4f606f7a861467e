"""The default answerer: no LLM, no network; answers made of the clauses' own items.

    Extractive(index).answer(retrieved)
    -> Answer("最高补贴300万元[1]。\\n· 《北京市…指导意见》三（二）：…给予补贴支持，最高补贴300万元[1]", …)

Scope decides refusals, never a word of the question missing from a clause (see `judge`):
  * a place the question names that has no policy in the index → say so;
  * a clause number that does not resolve → say so, with how many articles or items the policy has;
  * a year outside every policy in scope → say so, with the years they cover;
  * a name the question quotes ("重庆“一核四环”是啥") that no clause in scope writes → say so;
  * the policies in scope have no item that answers (rag/evidence.py) → say that they do not cover it,
    then, labelled as other places, what other places provide.
A how-much question whose evidence states no amount is answered with what the clause says, saying it
gives no amount. Everything else is composed by rag/compose.py.
"""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from . import compose, evidence, lookup, retrieve
from .checks import amounts, renumbered, states_quantity, unit_of, unmarked
from .clauses import cn_to_int, consulting
from .evidence import Scored
from .items import PERIOD_WORD
from .model import Answer, Clause, Hit
from .question import Question, after_policy_word, analyse, asks_something, pieces, years_spoken
from .text import norm, sentence_spans

log = logging.getLogger(__name__)

# Which of a policy's dates a question asks for (general words for issuing, taking effect and expiring).
_ASK_WORDS = (
    ("issued", r"落款|印发|发布|出台|颁布|签发|成文|发文"),
    ("effective", r"施行|生效|起实施|开始实施|实施日期|实施时间|起执行"),
    ("expires", r"有效期|失效|到期|期满|过期|还有效|废止"),
)
_ASKS_DATE = tuple((name, re.compile(words)) for name, words in _ASK_WORDS)
_DATE_LABEL = {"issued": "印发（落款）日期", "effective": "施行", "expires": "有效期"}
_DATE_SAID = {  # the words of a date fact's source that state it
    "issued": re.compile(r"(?:19|20)\d\d\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?"),
    "effective": re.compile(r"自[^，。；]{0,30}?(?:起施行|起实施|起执行|之日起生效|起生效)"),
    "expires": re.compile(r"有效期[^，。；]{0,30}"),
}
PER_PLACE = 2  # items per place in a "哪些城市" answer
PER_BLOCK = 3  # items per place (or policy) in a comparison: a side of "各打算咋发展" takes more than one item
ENTRY_DASH = "—"  # an entry of a plan's list written as a dash paragraph: "——济南高新区定位于…"
MENTIONED_WORDS = 6  # words of what a question says is mentioned, at most (each try scans the policies' texts)
REORDERED_WORDS = 3  # words of a mentioned phrase that a text may write in another order and still mention it
REORDERED_MAX = 4  # and at most this many (each order is tried)
MENTIONED_CHARS = 3  # a shorter phrase is mentioned only right after the verb ("提到专利池"): "说要啃…这个难点" is no mention of 难点
ASKS_WHOM_TO_ASK = re.compile(r"咨询|电话|联系|找谁")  # the 政策咨询 entry's office and number are asked
MENTIONS = re.compile(r"提到|提及|提过|提了|提出|写到|写了|写过|说到|说过|说要|说了要|讲到|讲过|涉及|出现|(?:文件|政策|规划|方案)(?:里|中|里面)(?:有|写)")  # "哪些地方提到X", "…的文件里有X" ask who writes X
CROSS_DEPTH = 4  # clauses searched per region for a "哪些城市" question


@dataclass(frozen=True)
class Retrieved:
    """A question's analysis, its one query vector and the clauses retrieved for it.

    `hits` come from the question's scope (the places and policies it names; everything when it names
    none); `elsewhere` from outside that scope, for saying what other places provide; `by_region` the best
    clauses of every region, for questions asking which places provide something.
    """

    question: Question
    vector: np.ndarray
    hits: tuple[Hit, ...]
    elsewhere: tuple[Hit, ...] = ()
    by_region: dict[str, list[Hit]] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """Whether the question can be answered from its scope; if not, the refusal that says why.

    `scope` is True when the refusal comes from a scope check (a place, clause, year or the scope's
    policies not covering it); such a refusal stands in LLM mode too. `dated` is a finished answer from a
    policy's dates (when it was issued, took effect, expires), which stands in LLM mode too.
    """

    ok: bool
    refusal: Answer | None = None
    scope: bool = False
    chosen: tuple[Scored, ...] = ()
    dated: Answer | None = None  # a policy's dates, answered from what was read at index time
    places: tuple[tuple[str, list[Scored]], ...] = ()  # a "哪些城市" question's places, each with its items


class Extractive:
    """Judge the evidence, then compose the answer from it. Example: see the module docstring."""

    def __init__(self, index: object) -> None:
        self.index = index

    def answer(self, r: Retrieved, verdict: Verdict | None = None) -> Answer:
        """The answer to `r`, from `verdict` when the caller has judged it already."""
        verdict = verdict if verdict is not None else self.judge(r)
        if verdict.dated is not None:
            return verdict.dated
        if verdict.refusal is not None:
            log.info("refused: %s", verdict.refusal.text.splitlines()[0])
            return verdict.refusal
        answer = self._answer(r, verdict)
        unknown = r.question.unknown_places
        if (
            unknown
        ):  # "厦门和成都…": say which places the policies do not cover, then what they say of the rest
            names = "、".join(p.label for p in unknown)
            known = "、".join(p.label for p in r.question.known_places)
            head = f"所收录的政策中没有{names}的文件；以下只是{known}的规定：\n" if known else ""
            return replace(answer, text=head + answer.text)
        return answer

    def _answer(self, r: Retrieved, verdict: Verdict) -> Answer:
        q = r.question
        lookups = [h for h in r.hits if h.why == "lookup"]
        if lookups and (number := lookup.box_entry(q.text)) is not None and (entry := self._box_entry(lookups[0].clause, number)):
            return compose.entry_answer(entry, number)
        if lookups:
            quoted = [(h.clause, h.clause.text) for h in lookups]
            return lookup_answer(lookups, compose.cross_references(quoted, self._clauses_by_doc()), self._asked_item(r, lookups), q.ref)
        keep = self._keep(q)
        if q.comparison and self._compares(q):
            answer = compose.compare(q, self._blocks(r), keep)
            if len(q.known_places) > retrieve.MAX_REGIONS:
                first = "、".join(p.label for p in q.known_places[: retrieve.MAX_REGIONS])
                note = (
                    f"问题点名了{len(q.known_places)}个地区，这里比较前{retrieve.MAX_REGIONS}个：{first}。\n"
                )
                answer = replace(answer, text=note + answer.text)
            return answer
        if q.cross and not q.known_places and r.by_region:
            return compose.cross_places(q, list(verdict.places) or self._places_providing(r), keep)
        chosen = list(verdict.chosen)
        quoted = [(s.clause, s.text) for s in chosen]
        return compose.compose(q, chosen, keep, compose.cross_references(quoted, self._clauses_by_doc()))

    def _asked_item(self, r: Retrieved, lookups: Sequence[Hit]) -> Scored | None:
        """The item of the clauses a question names that its other words ask about ("第十条 要往哪些领域再放开AI
        应用场景": the last of the article's four entries): said first, before the clause whole. Only for one
        clause named, a question asking one thing (not "A跟B 分别要干啥"), a clause of three items or more,
        and one item that spells out more of the question's topic than any other, a fair share of it
        (PIECE_COVER), and is not the first item. None otherwise. A part asked only with 啥 ("…想让企业做到啥")
        says on what the other asks: it is no second thing asked."""
        q = r.question
        if len(lookups) != 1 or len(set(q.parts) - set(q.loose_parts)) > 1 or sum(1 for item in lookups[0].clause.items if item.role == "") < 3:
            return None
        scored = sorted(evidence.score_items(self.index, r.question, r.vector, lookups), key=lambda s: (-s.cover, -s.score))
        if not scored or scored[0].cover < compose.PIECE_COVER or (len(scored) > 1 and scored[1].cover >= scored[0].cover):
            return None
        best = scored[0]
        opening = next((n for n, item in enumerate(lookups[0].clause.items) if item.role == ""), None)
        return None if best.clause.id == lookups[0].clause.id and best.position == opening else best

    def _policy_dates(self, r: Retrieved) -> Answer | None:
        """When was one named policy issued, in force from, in force until: answered from the dates read
        from its text at index time (rag/dates.py), each with the clause that states it. None when the
        question asks no such date, names no single policy, a scope check refuses, or the text states none
        of the dates asked (then the usual answer is made)."""
        q = r.question
        if q.ref or q.comparison or any(h.why == "lookup" for h in r.hits):
            return None
        # "出台了哪些措施" asks no date: issuing and taking effect count only in a question asking when
        asked = [n for n, pattern in _ASKS_DATE if pattern.search(q.text) and ("date" in q.kinds or n == "expires")]
        doc_id = self._one_policy(q)
        if not asked or doc_id is None or any(c(r) is not None for c in (self._place_check, self._year_check)):
            return None
        doc = self.index.documents.get(doc_id)  # type: ignore[attr-defined]
        facts = [(name, fact) for name in asked if doc is not None and (fact := getattr(doc.dates, name))]
        found = [(name, fact, clause) for name, fact in facts if (clause := self.index.clause(fact.clause_id))]  # type: ignore[attr-defined]
        if not found:
            return None
        numbering = compose.Numbering()
        lines, items = [], []
        for name, fact, clause in found:
            sentence = _sentence_with(clause.text, fact.text).rstrip("。；; ")
            n = numbering.of(clause, sentence)
            said = m.group(0) if (m := _DATE_SAID[name].search(fact.text)) else fact.text.strip("。；， ")
            label = "" if dict(_ASKS_DATE)[name].search(said) else f"{_DATE_LABEL[name]}："  # "有效期至…" says it
            lines.append(f"{label}{said}[{n}]")
            items.append(f"· {clause.citation}：{sentence}[{n}]")
        return Answer("；".join(lines) + "。\n" + "\n".join(dict.fromkeys(items)), numbering.citations())

    def _one_policy(self, q: Question) -> str | None:
        """The policy a question names (the first, when it names its implementing rules too), or the only
        policy of the one place it names."""
        if q.policies:
            return q.policies[0]
        docs = {d for p in q.known_places for d in p.docs}
        return next(iter(docs)) if len(q.known_places) == 1 and len(docs) == 1 else None

    # ------------------------------------------------------------ judging

    def judge(self, r: Retrieved) -> Verdict:
        """The scope checks, in order; see the module docstring."""
        q = r.question
        from_dates = self._policy_dates(r)
        if from_dates is None:
            return self._judge_evidence(r)
        rest, dates_first = _without_dates(q.text)
        if not rest:
            return Verdict(True, dated=from_dates)
        # "奖补钱市里区里咋分摊 公布后多久施行": the dates answer one piece; the clauses answer the rest, asked
        # on its own in the scope of the whole question
        other = analyse(rest, self.index.catalog)  # type: ignore[attr-defined]
        other = replace(other, places=q.places, policies=q.policies, years=q.years)
        if not {w for w in other.topic.split() if len(w) >= 2}:  # "管几年": nothing more than the dates
            return Verdict(True, dated=from_dates)
        beside = replace(r, question=other)
        usual = self._judge_evidence(beside)
        if not usual.ok or usual.dated is not None:
            return Verdict(True, dated=from_dates)
        return Verdict(True, chosen=usual.chosen, dated=with_dates(self._answer(beside, usual), from_dates, dates_first))

    def _judge_evidence(self, r: Retrieved) -> Verdict:
        """The scope checks, then whether the clauses retrieved answer, and their items chosen."""
        q = r.question
        for check in (self._place_check, self._ref_check, self._entry_check, self._year_check, self._quote_check):
            refusal = check(r)
            if refusal is not None:
                return Verdict(False, refusal, scope=True)
        if any(h.why == "lookup" for h in r.hits):
            return Verdict(True)
        if defining := self._defining(r):
            return Verdict(True, chosen=tuple(defining))
        if parts := self._whole_policy(q):
            return Verdict(True, chosen=tuple(parts))
        if q.comparison and self._compares(q):
            blocks = self._blocks(r)
            if any(b.chosen for b in blocks):
                return Verdict(True)
            return Verdict(False, self._none_compares(r, blocks), scope=True)
        if q.cross and not q.known_places and r.by_region:
            if places := self._places_providing(r):
                return Verdict(True, places=tuple((region, _with_bodies(items)) for region, items in places))
            return Verdict(False, self._not_covered(r, []), scope=False)
        retrieved = evidence.written_by((*r.hits, *r.elsewhere))  # once for both
        scored = evidence.score_items(self.index, q, r.vector, r.hits, retrieved)
        other = evidence.score_items(self.index, q, r.vector, r.elsewhere, retrieved) if r.elsewhere else []
        if not evidence.answers(scored, other) and not self._a_part_answers(r):
            if parts := self._named_section(q):  # its items answer nothing, but a section counted is named
                return Verdict(True, chosen=tuple(parts))
            return Verdict(False, self._not_covered(r, scored), scope=bool(q.scope))
        dated = self._of_year(q, scored)
        # Items of the year need not pass the threshold themselves, only stand near the best item, which did.
        floor = evidence.EVIDENCE_MIN if dated is scored else evidence.best(scored) - evidence.KEEP_WITHIN
        chosen = compose.choose(q, dated, floor, evidence.KEEP_WITHIN)
        if not chosen and dated is not scored:  # the year's items all far below the best (of another year)
            chosen = compose.choose(q, dated, evidence.EVIDENCE_MIN, evidence.KEEP_WITHIN)
        chosen = self._titled(q, chosen)
        chosen = self._with_entry_rest(chosen)
        chosen += self._run_on(chosen)
        chosen += self._each_year(q, dated, chosen, floor)
        # a part's own item comes with the run of "；" parts it is one of ("申报书；营业执照…；投入证明材料；…")
        taken = {(s.clause.id, s.position) for s in chosen}
        chosen += [s for s in compose.with_runs(self._each_part(r, chosen)) if (s.clause.id, s.position) not in taken]
        chosen = self._with_entry_rest(chosen, dashes=False)  # a part's own item may be an entry's name, or what it names
        chosen = self._named_entry(q, chosen)
        chosen += self._amount_of(q, chosen, scored)
        chosen += _each_figure(q, chosen, scored)
        chosen += self._units_of(q, chosen, dated)
        chosen += self._goal_headings(q, chosen)
        # an item scoring near the best whose list is announced by a heading that spells the question out
        # ("…应符合以下条件" for "要符合什么条件"): that list is the answer, first and whole
        near = max(floor, evidence.best(dated) - evidence.KEEP_WITHIN)
        announced = next((s for s in dated if s.score >= near and self._announced(q, s.clause)), None)
        if announced is not None:
            chosen = self._whole_list(q, [announced, *(s for s in chosen if s is not announced)], dated, announced=True)
        elif "list" in q.kinds:
            chosen = self._whole_list(q, self._counted_inline(q, chosen, dated), dated)
        elif chosen and (parts := self._section_parts(q, chosen)):
            chosen = parts
        chosen = self._with_entries_counted(q, chosen)
        if chosen and (counted := self._enumerated(q, chosen)):
            chosen = counted
        chosen = _units_clauses(q, chosen)
        refusal = self._year_of_evidence(q, chosen, dated)
        if refusal is not None:
            return Verdict(False, refusal, scope=True)
        if not chosen:  # nothing of the year asked answers it: no empty answer
            return Verdict(False, self._not_covered(r, scored), scope=bool(q.scope))
        # a count of parts ("有几条", "几个先导工程" of parts most of which are named …先导工程), not of things they
        # name ("分几个阶段", "盯几类数据"), that the items do not answer
        if q.asks_count and (parts := self._named_section(q)) and _parts_counted(q, parts) and not self._counts(q, chosen):
            return Verdict(True, chosen=tuple(parts))
        return Verdict(True, chosen=tuple(_with_bodies(chosen)))

    def _counts(self, q: Question, chosen: Sequence[Scored]) -> bool:
        """Whether the items chosen for a count answer it: one states a count, or the answer's first line counts."""
        if any(compose.states_count_asked(q, s.text) for s in chosen):
            return True
        if compose.said_big_count(q, chosen, compose.Numbering()):  # "…十大重点应用场景": stated as asked (几大)
            return True
        return any(line.startswith("共") for line in compose.first_line(q, compose.in_order(list(chosen)), compose.Numbering(), self._keep(q)).splitlines())

    def _place_check(self, r: Retrieved) -> Answer | None:
        q = r.question
        unknown = q.unknown_places
        if not unknown or (q.known_places and q.comparison) or q.policies:
            return None
        names = "、".join(p.label for p in unknown)
        head = f"所收录的政策中没有{names}的文件，无法回答{names}的相关问题。"
        return compose.refusal(head, self._elsewhere(r), topic=self._keep(q))

    def _quote_check(self, r: Retrieved) -> Answer | None:
        """A question quoting a name ("重庆“一核四环”是啥") asks about what that name stands for in the policies
        it names (or in any): when none of their clauses writes it (`writes`), they do not cover the question,
        whatever else they share with it. Comparisons and 哪些城市 questions are judged place by place."""
        q = r.question
        if q.comparison or q.cross or not q.quoted:
            return None
        missing = self._unwritten(q, q.scope)
        if not missing:
            return None
        names = "、".join(f"“{name}”" for name in missing)
        return self._not_covered(r, [], lacking=(f"没有提到{names}", f"所收录的政策都没有提到{names}。"), names=missing)

    def _unwritten(self, q: Question, docs: Sequence[str]) -> list[str]:
        """The names the question quotes that no clause of these policies (all, for none) writes (`writes`)."""
        if not q.quoted:
            return []
        written = self._written()
        text = "\n".join(written[d] for d in (docs or written) if d in written)
        return [name for name in q.quoted[:MAX_QUOTED] if not writes(text, name)]

    def _written(self) -> dict[str, str]:
        """Each policy's clauses as `writes` reads them, one clause a line, with their headings and the
        policy's title ("（五）优化“3+X”载体空间布局" heads the items under it): made once per loaded index."""
        cached: dict[str, str] | None = getattr(self.index, "_written", None)
        if cached is None:
            lines: dict[str, list[str]] = {}
            for c, t in zip(self.index.clauses, self.index.plain_texts()):  # type: ignore[attr-defined]
                lines.setdefault(c.doc_id, []).append(norm(evidence.context(c)).lower() + t)
            cached = {d: "\n".join(ls) for d, ls in lines.items()}
            self.index._written = cached  # type: ignore[attr-defined]
        return cached

    def _ref_check(self, r: Retrieved) -> Answer | None:
        q = r.question
        if q.ref is None or any(h.why == "lookup" for h in r.hits):
            return None
        if not q.scope:
            head = f"未能确定是哪一份政策的{q.ref}：请写明政策名称，例如“中关村十五条措施第六条”。"
            return compose.refusal(head, related=[h.clause for h in r.hits])
        doc_id = q.scope[0]
        policy = self.index.catalog.policy(doc_id)  # type: ignore[attr-defined]
        several = lookup.refs_ending(self._clauses_by_doc().get(doc_id, []), q.ref) if q.ref.startswith(("（", "(")) else []
        if len(several) >= 2:  # "（三）" of a policy with 一（三）, 二（三）…: which is not said, but it exists
            title = policy.title if policy else doc_id
            head = f"《{title}》有{len(several)}处{q.ref}：{'、'.join(several)}。请写明是哪一部分的，例如“{several[0]}”。"
            firsts = {c.ref: c for c in reversed(self._clauses_by_doc().get(doc_id, [])) if c.ref in several}
            return compose.refusal(head, related=[firsts[r] for r in several])
        title = policy.title if policy else doc_id
        size = (
            f"共{policy.articles}条"
            if policy and policy.articles
            else f"按一、二……编号，共{policy.top_items}部分"
            if policy and policy.top_items
            else ""
        )
        if q.ref.endswith(("项", "点")) and not (policy and (policy.articles or policy.item_range)):
            # "第3项" of a plan whose items restart at 1 in every part: which part's is not said, unless no
            # part numbers its items that far
            most = self._most_items(doc_id)
            asked = cn_to_int(q.ref[1:-1])
            if not most or asked is None or asked <= most:
                return None
            size += f"，各部分的条目编号最多到{most}"
        elif size and policy and not policy.articles and policy.item_range:
            size += f"，条目编号{policy.item_range}"  # "第23条" of a policy whose parts number their items 1 … 22
        boxes = self._boxes(doc_id) if q.ref.startswith("专栏") else 0
        head = f"《{title}》共有专栏1—{boxes}，没有{q.ref}。" if boxes else f"《{title}》{size + '，' if size else ''}没有{q.ref}。"
        return compose.refusal(head, related=self._last_clauses(doc_id) or [h.clause for h in r.hits])

    def _entry_check(self, r: Retrieved) -> Answer | None:
        """An entry of a box named by a number past the box's last ("专栏16第8项" of a box of six)."""
        lookups = [h for h in r.hits if h.why == "lookup"]
        number = lookup.box_entry(r.question.text)
        if not lookups or number is None or self._box_entry(lookups[0].clause, number):
            return None
        clause = lookups[0].clause
        last = max((n for n in self._box_items(clause)[1] if n is not None), default=0)
        if not last:
            return None  # a box whose entries are not numbered: the box whole is the answer
        return compose.refusal(f"{clause.citation}共{last}项，没有第{number}项。", related=[clause])

    def _box_entry(self, clause: Clause, number: int) -> list[tuple[Clause, int]]:
        """The items of entry `number` of a box (all its parts, in reading order): from the item opening on
        that number ("1.智能机器人示范工程") to the next item opening on a number; [] when no item opens on it."""
        items, numbers = self._box_items(clause)
        if number not in numbers:
            return []
        start = numbers.index(number)
        end = next((i for i in range(start + 1, len(items)) if numbers[i] is not None), len(items))
        return items[start:end]

    def _box_items(self, clause: Clause) -> tuple[list[tuple[Clause, int]], list[int | None]]:
        """A box's items in reading order, all its parts, and the entry number each opens on (None for most)."""
        items = [(c, n) for c in self._parts_of(clause) for n, item in enumerate(c.items) if item.role in ("", "heading")]
        return items, [_entry_number(c.item_text(c.items[n])) for c, n in items]

    def _parts_of(self, clause: Clause) -> list[Clause]:
        """All the parts of a clause cut into parts for embedding (the clause alone when whole), in reading order."""
        return sorted((c for c in self._clauses_by_doc().get(clause.doc_id, []) if c.citation == clause.citation), key=lambda c: c.span[0])

    def _most_items(self, doc_id: str) -> int:
        """The highest number any part of a policy gives an item in digits ("22." of "五、…22.…"); 0 if none."""
        numbers = (c.number.strip("（）() ") for c in self._clauses_by_doc().get(doc_id, []) if c.number)
        return max((int(n) for n in numbers if n.isdigit()), default=0)

    def _boxes(self, doc_id: str) -> int:
        """The highest 专栏 number of a policy (its boxes are numbered apart from its parts); 0 if it has none."""
        refs = (c.ref for c in self._clauses_by_doc().get(doc_id, []))
        return max((int(m.group(1)) for r in refs if (m := re.fullmatch(r"专栏(\d+)", r))), default=0)

    def _last_clauses(self, doc_id: str) -> list[Clause]:
        """What a policy's numbering ends with, shown under "没有第N条": its last numbered clause (all its
        parts), not search hits that have nothing to do with the number asked."""
        numbered = [c for c in self._clauses_by_doc().get(doc_id, []) if c.number or c.ref.startswith("第")]
        last = max(numbered, key=lambda c: c.span[0], default=None)
        return [c for c in numbered if last is not None and c.ref == last.ref]

    def _year_check(self, r: Retrieved) -> Answer | None:
        """A year outside every policy in scope (by the years their texts speak of)."""
        q = r.question
        if not q.years:
            return None
        catalog = self.index.catalog  # type: ignore[attr-defined]
        pool = [catalog.policy(d) for d in q.scope] if q.scope else list(catalog.policies)
        spans = [p.years for p in pool if p is not None and p.years]
        outside = [y for y in q.years if spans and not any(a <= y <= b for a, b in spans)]
        if not outside:
            return None
        first, last = min(a for a, _ in spans), max(b for _, b in spans)
        where = compose.scope_label(q, self._titles()) or "所收录的"
        spoken = f"只有{first}年" if first == last else f"在{first}—{last}年之间"  # not "2024—2024年之间"
        head = f"{where}政策涉及的年份{spoken}，没有{'、'.join(map(str, outside))}年的相关内容。"
        return compose.refusal(head, related=[h.clause for h in r.hits])

    def _year_of_evidence(self, q: Question, chosen: Sequence[Scored], near: Sequence[Scored] = ()) -> Answer | None:
        """A target year no chosen item states (nor the period it belongs to): 2025 asked of a plan whose
        targets are for 2020 and 2022. A year that names the policy (its year of issue) is not a target. When
        a figure is asked and some chosen clause states one, the year must be spoken by such a clause: a plan
        whose figures are for 2022 and whose 2025 outlook states none has no 2025 figure to give (when no
        chosen clause states a figure, the answer says so, from the clause of the year)."""
        years = [y for y in q.years if not self._names_policy(q, y)]
        if not years or not ({"amount", "comparison"} & set(q.kinds)):
            return None
        stating = {s.clause.id for s in chosen if s.item.role == "row" or states_quantity(s.text)}
        speaking = [s for s in chosen if s.clause.id in stating] if "amount" in q.kinds and stating else list(chosen)
        covered = years_spoken(" ".join(compose.said(s) for s in speaking))
        missing = [y for y in years if y not in covered]
        if not missing:
            return None
        where = compose.scope_label(q, self._titles()) or "所收录的政策"
        head = f"{where}中没有找到{'、'.join(map(str, missing))}年的相关目标或数额。"
        return compose.refusal(head, related=[s.clause for s in chosen or near])  # nothing chosen: the closest

    def _of_year(self, q: Question, scored: list[Scored]) -> list[Scored]:
        """For a question naming a (target) year, the items of that year when the scope has any: an item
        that states the year, or belongs to a period or heading that does ("2027年的目标" is not answered
        by the 2022 one)."""
        years = {y for y in q.years if not self._names_policy(q, y)}
        if not years:
            return scored

        def of_year(s: Scored) -> bool:
            return bool(years & years_spoken(compose.said(s)))

        dated = [s for s in scored if of_year(s)]
        return dated or scored

    def _each_year(self, q: Question, dated: list[Scored], chosen: list[Scored], floor: float) -> list[Scored]:
        """"到2025年和2030年分别…": the best item of each asked year that no chosen item covers."""
        years = [y for y in q.years if not self._names_policy(q, y)]
        if len(years) < 2:
            return []
        covered = years_spoken(" ".join(compose.said(s) for s in chosen))
        extra: list[Scored] = []
        for y in years:
            if y not in covered:
                best = next((s for s in dated if s.score >= floor and y in years_spoken(compose.said(s))), None)
                if best is not None and best not in chosen + extra:
                    extra.append(best)
        return extra

    def _with_entry_rest(self, chosen: list[Scored], dashes: bool = True) -> list[Scored]:
        """An item opening a dash entry ("——济南高新区定位于…。") comes with the rest of its entry, right after
        it: the items up to the next "——", in the clause's next part too when a long clause was cut into
        parts ("营造全周期…为企业提供…全生命周期服务" is what the entry offers). An entry's name standing as an
        item of its own ("盐田人工智能产业基地。") and the item describing it come together, name first (only these
        with `dashes` False)."""
        out: list[Scored] = []
        have = {(s.clause.id, s.position) for s in chosen}
        for s in chosen:
            if s.position and evidence.entry_title(s.clause, s.position - 1) and (s.clause.id, s.position - 1) not in have:
                have.add((s.clause.id, s.position - 1))  # the entry's name, said before what it describes
                out.append(Scored(Hit(s.clause, s.hit.score, s.hit.why), s.position - 1, s.dense, s.cover, s.score))
            out.append(s)
            if evidence.entry_title(s.clause, s.position) and (s.clause.id, s.position + 1) not in have:
                have.add((s.clause.id, s.position + 1))  # an entry's name: what it describes comes with it
                out.append(Scored(Hit(s.clause, s.hit.score, s.hit.why), s.position + 1, s.dense, s.cover, s.score - 1e-6))
            elif (opening := self._opened_next(s.clause, s.position)) is not None and (opening.id, 0) not in have:
                have.add((opening.id, 0))  # a part's last item names the entry the next part opens on
                out.append(Scored(Hit(opening, s.hit.score, s.hit.why), 0, s.dense, s.cover, s.score - 1e-6))
            if not dashes or not s.text.lstrip().startswith(ENTRY_DASH):
                continue
            clause: Clause | None = s.clause
            pos = s.position + 1
            for _ in range(compose.RUN_LIMIT):
                if clause is not None and pos >= len(clause.items):
                    clause, pos = self._next_part(clause), 0
                if clause is None or not clause.items:
                    break
                item = clause.items[pos]
                if item.role != "" or clause.item_text(item).lstrip().startswith(ENTRY_DASH):
                    break
                if (clause.id, pos) not in have:
                    have.add((clause.id, pos))
                    out.append(Scored(Hit(clause, s.hit.score, s.hit.why), pos, s.dense, s.cover, s.score - 1e-6))
                pos += 1
        return out

    def _titled(self, q: Question, chosen: list[Scored]) -> list[Scored]:
        """A question writing the title of a chosen clause and asking what it says ("数据资源开发利用咋弄" of
        "3.促进数据资源开发利用", _ASKS_WHAT_IT_SAYS) names that clause, as a number would: its items, all of
        them (in all its parts, TITLED_ITEMS at most), come first, and the chosen items of other clauses after.
        The title must be written for a run of HEADING_RUN characters and half its length at least (人工智能
        aside), longer than any other chosen clause's is."""
        if q.how_much or set(q.kinds) & {"amount", "date", "units", "yesno"} or not _ASKS_WHAT_IT_SAYS.search(q.text):
            return chosen  # a figure, a date, who, or whether: the items saying it, not the whole clause
        # a clause cut into parts is one title: the first part chosen says it
        titles = {clause.citation: title for clause in reversed(list(dict.fromkeys(s.clause for s in chosen))) if (title := _title(clause))}
        citation = lookup.named_heading(q.text, titles)
        if citation is None:
            return chosen
        hit = next(s for s in chosen if s.clause.citation == citation)
        named = hit.clause
        parts = [c for c in self._clauses_by_doc().get(named.doc_id, []) if c.citation == named.citation]
        items = [
            Scored(Hit(c, hit.hit.score, hit.hit.why), n, hit.dense, hit.cover, hit.score - 1e-6 * k)
            for k, (c, n) in enumerate((c, n) for c in parts for n, item in enumerate(c.items) if item.role in ("", "row"))
        ]
        if not items or len(items) > TITLED_ITEMS:
            return chosen
        return items + [s for s in chosen if s.clause.citation != named.citation]

    def _opened_next(self, clause: Clause, n: int) -> Clause | None:
        """The next part of a clause cut into parts when item n ends its part and only names an entry
        ("光明人工智能产业基地。"): the entry that part opens on is the one it names. None otherwise."""
        item = clause.items[n]
        if n + 1 != len(clause.items) or item.role != "" or not evidence.name_item(clause.item_text(item)):
            return None
        following = self._next_part(clause)
        return following if following is not None and following.items and following.items[0].role == "" else None

    def _named_entry(self, q: Question, chosen: list[Scored]) -> list[Scored]:
        """A question naming one entry of a clause that names its entries in items of their own ("深圳光明那个AI
        产业基地 重点领域有哪些" of 专栏16's bases): that entry whole, its name and what describes it up to the next
        name (in the clause's next part too, when the name ends its part), in place of its name; the chosen items
        of the clause's other entries are left out, the other chosen items stay. The entry named is the one name
        item that writes a word of the question no other name of the clause writes (光明, not 产业基地 or 人工智能,
        which words of every policy write), of a clause of two entries or more; the chosen items as they are when
        none or several do, when a part of the
        question names it, for a count (every entry counts), a question asking when, and for names of periods
        ("近期目标": what is due by then)."""
        if q.asks_count or q.years or "date" in q.kinds:
            return chosen  # every entry counts; a period's items are not an entry's
        names = [
            s for s in chosen
            if s.hit.why not in compose.LISTED and self._names_entry(s.clause, s.position) and not PERIOD_WORD.search(s.text)
        ]  # fmt: skip
        keep = self._keep(q)
        words = [w for w in q.topic.split() if (found := [keep.get(p, 0.0) for p in evidence.pairs(w)]) and sum(found) / len(found) >= 1.0]
        spans = {s.clause.citation: self._entry_spans(s.clause) for s in names}  # once per clause: it reads all its parts
        named_in = {citation: _entry_names(entries) for citation, entries in spans.items()}
        # read by character pairs, so that a slip in the name still names it ("板雪岗" names 坂雪岗科技城 by 雪岗)
        asked = {p for w in words for p in evidence.pairs(w)}
        name_pairs = {citation: {o: evidence.pairs(o) for o in found} for citation, found in named_in.items()}
        naming = {
            id(s): [p for p in asked & evidence.pairs(s.text) if not any(p in ps for o, ps in name_pairs[s.clause.citation].items() if o != s.text)]
            for s in names
        }
        said = [s for s in names if naming[id(s)] and len(named_in[s.clause.citation]) >= 2]
        # a question of several parts may ask each of its own entry ("政务服务…做到啥程度 信用方面要打造啥"): the
        # entry is the one asked about unless two parts name entries of the clause ("坂雪岗科技城 打算弄成个啥
        # 主攻哪些产业" asks both of 坂雪岗; "光明那个基地 重点领域有哪些 主打哪些产品" too)
        if len(said) != 1:
            return chosen
        in_names = set().union(*name_pairs[said[0].clause.citation].values())
        if sum(1 for part in q.parts if evidence.pairs(part) & asked & in_names) >= 2:
            return chosen
        name = said[0]
        entries = {(c.id, n): k for c, n, k in spans[name.clause.citation]}
        mine = entries[(name.clause.id, name.position)]
        entry = [(c, n) for c, n, k in spans[name.clause.citation] if k == mine][: compose.RUN_LIMIT]
        have = {(s.clause.id, s.position) for s in chosen}
        added = [Scored(Hit(c, name.hit.score, name.hit.why), n, name.dense, name.cover, name.score - 1e-6) for c, n in entry if (c.id, n) not in have]
        out: list[Scored] = []
        for s in chosen:
            if entries.get((s.clause.id, s.position), mine) in (mine, -1) or s.clause.citation != name.clause.citation:
                out.append(s)
            if s is name:
                out += added
        return out

    def _names_entry(self, clause: Clause, n: int) -> bool:
        """Whether item n of a clause only names the entry the item after it, in its part or the next, describes."""
        return evidence.entry_title(clause, n) or self._opened_next(clause, n) is not None

    def _entry_spans(self, clause: Clause) -> list[tuple[Clause, int, int]]:
        """The items of a clause (all its parts, in reading order) that names its entries in items of their
        own, each with the entry it belongs to, counted from 0; -1 for items before the first name."""
        parts = self._parts_of(clause)
        spans: list[tuple[Clause, int, int]] = []
        entry = -1
        for c in parts:
            for n, item in enumerate(c.items):
                if item.role != "":
                    continue
                if self._names_entry(c, n):
                    entry += 1
                spans.append((c, n, entry))
        return spans

    def _with_entries_counted(self, q: Question, chosen: list[Scored]) -> list[Scored]:
        """The chosen items after the entries counted (`_entries_counted`), first; unchanged when a list or a
        group brought them in, or no entries are counted."""
        if not chosen or any(s.hit.why in ("list", "group") for s in chosen) or not (names := self._entries_counted(q, chosen)):
            return chosen
        named = {(n.clause.id, n.position) for n in names}
        return names + [s for s in chosen if (s.clause.id, s.position) not in named]

    def _entries_counted(self, q: Question, chosen: Sequence[Scored]) -> list[Scored]:
        """For a question counting things in a word no amount is asked in ("分几类污染来管"), the entries the
        best clause names in items of their own ("水环境控制。" … "固废污染控制。", evidence.entry_title), in all
        its parts, in order, as the members a count line names; [] when it names fewer than two or more
        than RUN_LIMIT. A count asked in a word amounts are stated in ("一共几个") is answered so when no
        chosen item states a figure (compose.states_count: that figure is the count) or enumerates what is
        counted ("重点建设智慧政务、…和智慧安防等方向" of six, though 智慧教育和智慧安防 is one entry)."""
        if not q.asks_count or not q.member_word:
            return []
        if q.how_much:
            topic = self._keep(q)
            if any(compose.states_count_asked(q, s.text) or compose.shared_head(s.text, q) or compose.enumeration(s.text, q, topic) for s in chosen):
                return []
        best = chosen[0]
        names = [
            Scored(Hit(clause, 0.0, "list"), n, best.dense, best.cover, best.score)
            for clause, n, _ in self._entry_spans(best.clause)
            if self._names_entry(clause, n)  # a part's last item may name the entry the next part opens on
        ]
        # what is counted, as written right after the count: its short noun, else the two characters it opens
        # on ("想帮几个行业解决…" counts 行业)
        noun = evidence.pairs(compose.counted_noun(q) or compose.counted_words(q)[:2])
        spelling = sum(bool(noun & evidence.pairs(s.text)) for s in names)
        if noun and not noun & evidence.pairs("".join(best.clause.path)) and 2 * spelling < len(names):
            # "要盯几类数据" of entries 智能给水设施, 海绵城市…: neither their heading nor most of them are what is
            # counted ("几类平台" of 筑平台、强技术、育产业…: one route of five names 平台)
            return []
        if not noun:  # "…示范基地 数数一共几个": the entries ending on a word the question writes before its count
            named = [s for s in names if _ends_on_said(s.text, q.text)]
            names = named if len(named) >= 2 else names
        return names if 2 <= len(names) <= compose.RUN_LIMIT else []

    def _enumerated(self, q: Question, chosen: Sequence[Scored]) -> list[Scored]:
        """A question counting what one item enumerates ("共性技术要重点拿下几项" of "…、自然语言处理技术等一批关键
        共性技术", "要建几类基础设施和平台"): that item (a chosen one, else another item of a chosen clause) with
        the chosen items of its clause, and of other clauses those that spell what the question asks after
        its count (ITEMS_BEYOND at most); list members counted otherwise are not what is counted. [] when no
        such item enumerates what is counted (compose.enumeration). Members ending on the word counted
        (compose.shared_head) are looked for first, in the best item's clause; another clause's enumeration
        does not outrank the best item's."""
        if not q.asks_count or q.count or any(compose.states_count_asked(q, s.text) for s in chosen):
            return []  # a figure stated is the count
        topic = self._keep(q)
        ranked = sorted(chosen, key=lambda s: -s.score)
        best = [s for s in ranked if s.clause.id == ranked[0].clause.id]
        found = next((s for s in best if compose.shared_head(s.text, q)), None) or self._heads_in_bodies(q, best, topic)
        if found is None and any(s.hit.why in compose.LISTED for s in chosen):
            return []  # members a list or a count of parts brought in are what is counted
        # then the best chosen item enumerating either way (the best clause's items were tested for members ending
        # on the word above), then members ending on the word in another clause
        found = found or next(
            (s for s in ranked if (s.clause.id != best[0].clause.id and compose.shared_head(s.text, q)) or compose.enumeration(s.text, q, topic)),
            None,
        )
        found = found or self._heads_in_bodies(q, [s for s in ranked if s.clause.id != best[0].clause.id], topic)
        if found is None:
            found = next(
                (
                    Scored(s.hit, n, s.dense, s.cover, s.score)
                    for s in chosen
                    for n, item in enumerate(s.clause.items)
                    if item.role == "" and compose.enumeration(s.clause.item_text(item), q, topic)
                ),
                None,
            )
        if found is None:
            return []
        own = [s for s in chosen if s.clause.id == found.clause.id and s.position != found.position and s.hit.why not in compose.LISTED]
        after = {p: w for p, w in topic.items() if p in evidence.spelled(q.around_count[1]) and p not in evidence.spelled(found.text)}
        beyond = [s for s in chosen if s.clause.id != found.clause.id and after and evidence.cover(after, s.text) > 0]
        return [found, *own, *beyond[:ITEMS_BEYOND]]

    @staticmethod
    def _heads_in_bodies(q: Question, chosen: Sequence[Scored], topic: dict[str, float]) -> Scored | None:
        """The item of a chosen clause whose members all end on the word the question counts
        (compose.shared_head) and that, read with the item before it (its heading), spells the question out
        best ("筑平台那条 要攒几类平台": the body under the heading 筑平台); None when no item's members do."""
        seen: set[str] = set()
        candidates = []
        for s in chosen:
            if s.clause.id in seen:
                continue
            seen.add(s.clause.id)
            texts = [s.clause.item_text(item) for item in s.clause.items]
            for n, text in enumerate(texts):
                if s.clause.items[n].role == "" and compose.shared_head(text, q):
                    spelled = evidence.cover(topic, (texts[n - 1] if n else "") + text)
                    hit = replace(s.hit, why="dense+bm25") if s.hit.why in compose.LISTED else s.hit  # an item, not a member
                    candidates.append((spelled, Scored(hit, n, s.dense, s.cover, s.score)))
        return max(candidates, key=lambda c: c[0])[1] if candidates else None

    def _run_on(self, chosen: Sequence[Scored]) -> list[Scored]:
        """A chosen item ending its part on "；", a run of parts (compose.with_runs) the cut into parts broke off:
        the next part's items that carry the run on, up to the one ending it ("…进行康复训练；" then "具有智能
        辅助诊断与评估功能…，并进行应用验证。"), compose.RUN_LIMIT at most."""
        have = {(s.clause.id, s.position) for s in chosen}
        out: list[Scored] = []
        for s in chosen:
            if s.position != len(s.clause.items) - 1 or not compose.continues(s.clause, s.position):
                continue
            part = self._next_part(s.clause)
            if part is None:
                continue
            for pos in range(min(len(part.items), compose.RUN_LIMIT)):
                if part.items[pos].role != "" or (part.id, pos) in have:
                    break
                have.add((part.id, pos))
                out.append(Scored(Hit(part, s.hit.score, s.hit.why), pos, s.dense, s.cover, s.score - 1e-6))
                if not compose.continues(part, pos):
                    break
        return out

    def _next_part(self, clause: Clause) -> Clause | None:
        """The next part of a clause cut into parts for embedding; None for its last part or a whole clause."""
        if not clause.part:
            return None
        return next((c for c in self._clauses_by_doc().get(clause.doc_id, []) if c.citation == clause.citation and c.part == clause.part + 1), None)

    def _a_part_answers(self, r: Retrieved) -> bool:
        """Whether one part of a question that asks two things, asked alone, is answered by its scope
        (the test the whole question failed): "…多少个平台？人才目标呢" when only the talent target is stated.
        A part of one word of two characters ("谁做基础" -> 做 基础) says too little to be answered alone: most
        policies write it; a word of three or more ("对独角兽有啥说法" -> 独角兽) names a thing."""
        q = r.question
        for part in q.parts:
            words = [w for w in part.split() if len(w) > 1]
            if len(words) < 2 and not any(len(w) > 2 for w in words):
                continue
            alone = replace(q, topic=part)
            other = evidence.score_items(self.index, alone, r.vector, r.elsewhere) if r.elsewhere else []
            if evidence.answers(evidence.score_items(self.index, alone, r.vector, r.hits), other):
                return True
        return False

    def _each_part(self, r: Retrieved, chosen: list[Scored]) -> list[Scored]:
        """"…要建多少个平台？人才目标呢": for each part of the question, its own best item, scored as if that
        part were asked alone, when it spells out the part's most specific word and answers (EVIDENCE_MIN)
        and is not chosen yet. "每年要出几个深度应用场景 培育几家细分领域龙头": the best item of the whole
        question answers the second part and spells 每年 too; the first part's own best item is another. A
        part asked only with 啥/什么 ("…主要打啥零件") takes an item of the chosen clauses only: such a piece
        mostly says on what the question asks, and another clause's item spelling one word of it
        ("核心零部件") is beside the point."""
        q = r.question
        weights = evidence.pair_weights(self.index)
        extra: list[Scored] = []
        # a part's most specific word among those that tell it from the other parts: "四区协同里 航空港区跟经开区
        # 分别主攻啥" asks of 航空港区 and of 经开区, and 四区, rarer, is in both
        shared = set.intersection(*(set(part.split()) for part in q.parts)) if q.parts else set()
        glued = [_glued(part, shared, weights) for part in q.parts]
        shared = set.intersection(*(set(words) for words in glued)) if q.parts else set()
        own_words = [" ".join(w for w in words if w not in shared) or part for part, words in zip(q.parts, glued)]
        foci = [evidence.focus_weights(replace(q, topic=words), weights) for words in own_words]

        def spells(s: Scored, focus: dict[str, float]) -> bool:
            return evidence.cover(focus, f"{evidence.context(s.clause)} {s.text}") >= 1.0

        if q.how_much and any(len(amounts(s.text)) >= len(q.parts) and all(spells(s, f) for f in foci if f) for s in chosen):
            return []  # one item states a figure for each part, and names each: "国家级和市级的 分别能补多少"
        strict = [part for part in q.parts if part not in q.loose_parts]
        # what the chosen clauses write, each once: a part asked only with 啥 is found by a word of theirs
        cited_text = evidence.written_by(list({s.clause.id: s.hit for s in chosen}.values())) if q.loose_parts else ""
        for part, focus, own_text in zip(q.parts, foci, own_words):
            if not focus or strict == [part]:  # the one thing asked besides what 啥 parts say on: the whole
                continue  # question's items answer it ("花多少钱以上才能申请补助 参展之前要先干啥")
            if _names_what_is_asked(part, q):
                continue  # "…列了几个“人工智能+” 分别是哪些行业": 行业 is what the answer's items are, not a topic
            alone = replace(q, topic=part)
            by = focus
            if part in q.loose_parts:  # only the chosen clauses answer it: its most specific word of those they write
                # ("市里还打算筹建什么机构": 筹建, not 市里, rarer but written by none of them)
                by = evidence.focus_weights(replace(q, topic=own_text), weights, cited_text) or focus
            spelled = [s for s in evidence.score_items(self.index, alone, r.vector, r.hits) if spells(s, by)]
            # an item of this part alone, when one answers: "智能机器人和智能装备 各自…" asks of each its own
            # item, not the one that names both in passing
            if q.each_of_two:
                own = [s for s in spelled if not any(spells(s, f) for f in foci if f and f != focus)]
                if own and own[0].score >= evidence.EVIDENCE_MIN:
                    spelled = own
            if part in q.loose_parts:  # asked only with 啥/什么: said on about what the chosen clauses answer
                cites = {s.clause.citation for s in chosen}
                spelled = [s for s in spelled if s.clause.citation in cites]
            best = self._of_year(q, spelled)[:1]
            taken = {(s.clause.id, s.position) for s in chosen + extra}
            if best and best[0].score >= evidence.EVIDENCE_MIN:
                if (best[0].clause.id, best[0].position) not in taken:
                    extra.append(best[0])
            elif part not in q.loose_parts and (meant := self._meant(r, part, [*chosen, *extra], taken)) is not None:
                # "…应当同时符合以下条件:" comes with its list
                extra += [s for s in compose.with_lead_items([meant]) if (s.clause.id, s.position) not in taken]
        return extra

    def _meant(self, r: Retrieved, part: str, chosen: Sequence[Scored], taken: set[tuple[str, int]]) -> Scored | None:
        """A part no item spells out, asked in other words ("国际级大会咋办" for "举办有重大国际影响…一事一议"): the
        item of the question's clauses closest in meaning to the part embedded alone, when it belongs to a
        clause the answer cites, is not said yet, and answers the part (EVIDENCE_MIN, scored with the part's
        own vector and words). None when it is said already, or is in another clause: a part's meaning alone
        does not pick a clause the question's other words did not. Not for a part asked only with 啥, which
        mostly says on what another part asks (see `_each_part`). One embedding per part so asked, at most
        MAX_PARTS (rag/question.py) per question."""
        vector = retrieve.query_vector(self.index, part.replace(" ", ""))  # type: ignore[arg-type]
        scored = evidence.score_items(self.index, replace(r.question, topic=part), vector, r.hits)
        top = max(scored, key=lambda s: s.dense, default=None)
        if top is None or (top.clause.id, top.position) in taken or top.clause.id not in {s.clause.id for s in chosen}:
            return None
        return top if top.score >= evidence.EVIDENCE_MIN else None

    def _goal_headings(self, q: Question, chosen: list[Scored]) -> list[Scored]:
        """"自主算力这块 要打造成啥": a chosen clause whose heading says what it is to become ("2.打造自主算力引擎
        的国家级领航区。") gives that heading too, for a question asking it (headings are not scored items)."""
        if not q.asks_goal:
            return []
        have = {(s.clause.id, s.position) for s in chosen}
        out: list[Scored] = []
        for s in chosen:
            head = next((i for i, item in enumerate(s.clause.items) if item.role == "heading"), None)
            if head is None or (s.clause.id, head) in have or not evidence.states_goal(s.clause.item_text(s.clause.items[head])):
                continue
            have.add((s.clause.id, head))
            out.append(Scored(s.hit, head, s.dense, s.cover, s.score))
        return out

    def _amount_of(self, q: Question, chosen: list[Scored], scored: Sequence[Scored]) -> list[Scored]:
        """"规划占地多大": when a how-much question's chosen items state no figure, the best item of their
        clauses (or of the other parts of a clause too long to embed whole) that states one and answers
        (EVIDENCE_MIN): "规划总用地面积12平方公里" beside layout sentences that score higher; else the best
        item of another clause that states one and scores near the best item (KEEP_WITHIN), as the chosen do:
        "每年统筹安排100亿经费" in a third clause when two clauses' items state none."""
        if not q.how_much or not chosen or any(_figure(s.text) for s in chosen):
            return []
        clauses = {s.clause.citation for s in chosen}  # a long clause's parts cite as one clause
        found = next(
            (s for s in scored if s.clause.citation in clauses and s.score >= evidence.EVIDENCE_MIN and _figure(s.text)),
            None,
        )
        # else an item that stands as near the best as the chosen ones, left out only by the MAX_CLAUSES cut
        near = max(evidence.EVIDENCE_MIN, evidence.best(scored) - evidence.KEEP_WITHIN)
        found = found or next((s for s in scored if s.score >= near and _figure(s.text)), None)
        return [found] if found is not None and found not in chosen else []

    def _units_of(self, q: Question, chosen: list[Scored], scored: Sequence[Scored]) -> list[Scored]:
        """"…谁牵头": when no chosen item has a units note, the 政策咨询 entry of the measure chosen, else the
        best found item that has one and answers (EVIDENCE_MIN): a plan's 专栏 describes a task without units,
        its task list names them."""
        if "units" not in q.kinds or not chosen or any(s.item.units for s in chosen):
            return []
        if not ASKS_WHOM_TO_ASK.search(q.text) and any(compose.prose_units(s.text) for s in chosen):
            return []  # "归哪个部门认定": a chosen item says it ("经市经信局认定后…"); whom to ask is not asked
        own = self._consulting(chosen)  # the measure's own 政策咨询 entry before another clause's note
        if own:
            return own
        found = next((s for s in scored if s.item.units and s.score >= evidence.EVIDENCE_MIN), None)
        return [found] if found is not None else []

    def _consulting(self, chosen: list[Scored]) -> list[Scored]:
        """The 政策咨询 entry closing the measure the best chosen item is part of ("1.申报条件 … 3.申报材料 4.政策
        咨询"): it names whom to ask, and is cited with its office and number."""
        best = max(chosen, key=lambda s: s.score)
        path = best.clause.path
        entries = [
            c
            for c in self._clauses_by_doc().get(best.clause.doc_id, [])
            if c.id != best.clause.id and consulting(c) and c.path and path[: len(c.path)] == c.path
        ]
        if not entries:
            return []
        entry = max(entries, key=lambda c: len(c.path))  # the nearest: the measure's own, not its part's
        at = next((n for n, item in enumerate(entry.items) if item.units and item.role != "heading"), None)
        return [] if at is None else [evidence.Scored(Hit(entry, 0.0, "consulting"), at, 0.0, 0.0, best.score)]

    def _names_policy(self, q: Question, year: int) -> bool:
        docs = getattr(self.index, "documents", {})
        return any(docs[d].year == year or str(year) in docs[d].title for d in q.scope if d in docs)

    def _not_covered(
        self, r: Retrieved, scored: Sequence[Scored], lacking: tuple[str, str] | None = None, names: Sequence[str] = ()
    ) -> Answer:
        """What the policies in scope do not cover, then what other places provide (or the nearest clauses).
        `lacking`: what they lack, said of the scope and of all policies (default: the question's topic);
        `names`: quoted names, whose other places' items are shown by the items that write them."""
        q = r.question
        topic = compose.topic_words(q)
        scoped, unscoped = lacking or (f"未涉及{topic}", f"未在所收录的政策中找到关于{topic}的规定。")
        where = compose.scope_label(q, self._titles())
        if where:
            head = f"{where}{'' if q.policies else '的政策'}{scoped}。"
            asked = [p.region for p in q.known_places]
            elsewhere = _naming_first(self._elsewhere(r), names) if names else self._elsewhere(r)
            return compose.refusal(head, elsewhere, related=[h.clause for h in r.hits], topic=self._keep(q), asked=asked)
        return compose.refusal(unscoped, related=[s.clause for s in scored] or [h.clause for h in r.hits])

    def _none_compares(self, r: Retrieved, blocks: Sequence[compose.Block]) -> Answer:
        """A comparison none of whose places has an item that answers: refused, and each place's nearest
        item shown under its name, marked as not an answer (not the search's first clauses: those may all
        be one place's)."""
        refusal = self._not_covered(r, [])
        if not any(b.nearest is not None for b in blocks):
            return refusal
        nearest = compose.compare(r.question, blocks, self._keep(r.question))
        head = refusal.text.splitlines()[0]
        return replace(nearest, text=f"{head}\n{nearest.text}", refused=True, table=())

    def _elsewhere(self, r: Retrieved) -> list[Scored]:
        scored = evidence.score_items(self.index, r.question, r.vector, r.elsewhere)
        good = [s for s in scored if s.score >= evidence.EVIDENCE_MIN]
        seen: list[str] = []
        out = []
        for s in good:
            if s.clause.id in seen or len(seen) >= compose.ELSEWHERE:
                continue
            seen.append(s.clause.id)
            out.append(s)
        return out

    # ------------------------------------------------------------ places

    def _compares(self, q: Question) -> bool:
        """Two or more places named, or two or more policies (named, or of the one place named)."""
        return (
            len(q.known_places) >= 2
            or len(q.policies) >= 2
            or (len(q.known_places) == 1 and len(q.scope) >= 2)
        )

    def _blocks(self, r: Retrieved) -> list[compose.Block]:
        """For a comparison: each named place's own best items, labelled with the place; for two policies
        of one place ("武汉两份文件…分别"), each policy's own best items (the policies with evidence, best
        first, at most three), labelled with the policy. A place with no item that answers keeps its best
        item as the nearest, shown as such: the reader judges it, as under a refusal's 可能相关."""
        q = r.question
        titles = self._titles()
        if len(q.known_places) >= 2:  # as many places as retrieval searched one by one
            groups = [(place.label, place.docs) for place in q.known_places[: retrieve.MAX_REGIONS]]
        else:
            groups = [(f"《{titles.get(d, d)}》", (d,)) for d in q.scope]
        # a comparison of what a quoted name stands for ("苏州和成都的“一核四环”分别是啥"), not of two things one
        # of which it names ("…智慧城市试点和“车路云一体化”试点"): the name is most of what is asked
        topic = q.topic.replace(" ", "")
        about_quoted = bool(topic) and sum(len(n) for n in q.quoted) >= QUOTED_SHARE * len(topic)
        # the measure compared, when one thing is: the most specific word of those the sides' clauses write
        focus = evidence.focus_weights(q, evidence.pair_weights(self.index), evidence.written_by(r.hits)) if len(q.parts) < 2 else {}

        def spells_focus(s: Scored) -> bool:
            return bool(focus) and evidence.cover(focus, f"{evidence.context(s.clause)} {s.text}") >= 1.0

        out = []
        for label, docs in groups:
            own = [h for h in r.hits if h.clause.doc_id in docs]
            scored = self._of_year(q, evidence.score_items(self.index, q, r.vector, own))
            chosen = compose.choose(q, scored, evidence.EVIDENCE_MIN, evidence.KEEP_WITHIN)
            if about_quoted and self._unwritten(q, docs):  # the name quoted is not this place's: nearest item only
                chosen = []
            # a side's best items, however its list was gathered; "各给多少": items stating a figure first
            # and, when one thing is compared, items writing the question's most specific word (the measure:
            # "应用型…人才培养") before those of a neighbouring measure scoring higher by rank ("引进领军人才…")
            chosen = sorted(chosen, key=lambda s: (q.how_much and not _figure(s.text), not spells_focus(s), -s.score))
            nearest = scored[0] if scored and not chosen else None
            # an item describing an entry named in an item of its own comes with that name ("开放合作。" before
            # "加强招商引资…"): a side's items from a list of entries say which entry each is
            out.append(compose.Block(label, compose.with_runs(self._with_entry_rest(chosen[:PER_BLOCK], dashes=False)), nearest))
        if len(q.known_places) < 2:  # policies of one place: those that say something, best first
            said = sorted((b for b in out if b.chosen), key=lambda b: -b.chosen[0].score)[:3]
            out = said if len(said) >= 2 else out
        return out

    @staticmethod
    def _counted_inline(q: Question, chosen: list[Scored], scored: Sequence[Scored]) -> list[Scored]:
        """"沈阳的六大AI相关产业有哪些": an item that answers (EVIDENCE_MIN), writes the question's count as
        the question does ("六大") and names that many members in one enumeration ("围绕智能机器人、…、智能家居
        等六大相关产业…") is the list asked for; it comes first, with the chosen items of its own clause, and
        the items of other clauses (each about one member, scoring higher by meaning) are left out."""
        phrase = q.count_phrase
        if not phrase:
            return chosen
        found = next(
            (s for s in scored if s.score >= evidence.EVIDENCE_MIN and phrase in s.text and _lists_inline(s.text, q.count)),
            None,
        )
        if found is None or (chosen and chosen[0] is found):
            return chosen
        return [found, *(s for s in chosen if s is not found and s.clause.citation == found.clause.citation)]

    def _whole_list(
        self, q: Question, chosen: list[Scored], scored: Sequence[Scored] = (), announced: bool = False
    ) -> list[Scored]:
        """A list question whose best clause heads numbered clauses (or sits among them) gets them all,
        when the list is what it asks for: as many members as the question counts ("四个先导"), or two or
        more of them among the items chosen. A list longer than the count ("3+X" asked for its three) gives
        the counted number of members whose items score best, in the list's order. `announced`: the first
        chosen item belongs to a list whose heading announces it and spells the question out (_announced);
        that list, whole and in its order, is the answer."""
        if not chosen or "units" in q.kinds or any(_lists_inline(s.text, q.count, q.text) for s in chosen[:3]):
            return chosen
        if not announced and (parts := self._section_parts(q, chosen)):
            return parts
        best = chosen[0]
        doc = self._clauses_by_doc().get(best.clause.doc_id, [])
        topic = self._keep(q)
        members = compose.list_members(best.clause, doc)
        headed = _heads(topic, members)
        if not headed and _heads(topic, around := compose.list_members(best.clause, doc, children=False)):
            members, headed = around, True  # "重点任务分成哪几块" whose best clause heads a list of its own
        hit = {s.clause.id for s in chosen} & {m.id for m in members}
        if members and q.count and 2 <= q.count < len(members) and len(hit) < 2:
            top = {m.id: max((s.score for s in scored if s.clause.id == m.id), default=float("-inf")) for m in members}
            ranked = sorted(members, key=lambda m: -top[m.id])[: q.count]
            if all(top[m.id] > float("-inf") for m in ranked):
                members = [m for m in members if m in ranked]
                hit = {m.id for m in members}
        if announced or headed:  # the list in its own order, (一) first
            members = sorted(members, key=lambda c: c.span[0])
        # two members among the items chosen ask for the list, unless each answers its own part of a question
        # asking two things ("推广有啥优先 技术转移输出方有奖励没": 7. and 4., not 4.–7. with 5. and 6. as bare headings)
        by_hits = len(hit) >= 2 and len(q.parts) < 2
        if not members or not (by_hits or q.count == len(members) or announced or headed):
            return chosen
        firsts = [next((i for i, item in enumerate(c.items) if item.role in ("heading", "")), None) for c in members]
        named = [c for c, pos in zip(members, firsts) if pos is not None and evidence.cover(topic, c.item_text(c.items[pos])) > 0]
        if 2 * len(named) < len(members) and not (announced or headed):  # "（一）指导思想…（四）产业布局" are not the "四个区" asked for
            return chosen
        listed: list[Scored] = []
        # the whole list, each member with its heading: only then may a line count it (compose._members_line)
        under = [c for c in doc if c.part <= 1 and c.number and c.path == members[0].path]
        why = "list" if None not in firsts and len(members) == len(under) else "list-part"
        for clause, pos in zip(members, firsts):
            own = [s for s in chosen if s.clause.id == clause.id and s.position != pos]
            if pos is not None:
                listed.append(Scored(Hit(clause, 0.0, why), pos, best.dense, best.cover, best.score))
                body = next((i for i in range(pos + 1, len(clause.items)) if clause.items[i].role == ""), None)
                if headed and not own and body is not None and len(members) <= HEADED_BODIES:
                    own = [Scored(Hit(clause, 0.0, "list-body"), body, best.dense, best.cover, best.score)]
            listed += own  # a member the answer already quotes keeps what it quotes after its heading
        others = [s for s in chosen if s.clause.id not in {m.id for m in members}]
        if headed and not announced:  # the clause heading the list may lead it; other clauses are not asked for
            return [s for s in others if _label(s.clause) == members[0].path[-1].replace("、", "")] + listed
        return listed + others[: 0 if announced else 2]  # an announced list is the whole answer

    def _section_parts(self, q: Question, chosen: Sequence[Scored]) -> list[Scored]:
        """A question counting the parts of a section ("重点任务分几大块 分别是啥", "列了几个重点工程") whose best
        item lies in that section: the section's parts, one entry each (_heading_groups, _group_list); []
        for other questions."""
        if not q.asks_count or not chosen:
            return []
        best = chosen[0]
        doc = self._clauses_by_doc().get(best.clause.doc_id, [])
        keep = self._keep(q)
        # the section counted is named up to the count and by what it counts ("重点任务分几大行动", "列了几个重点
        # 工程"); what the question asks after that ("第三个行动里引龙头那项") is about something in it
        named = evidence.spelled(q.around_count[0])
        groups = _heading_groups({p: w for p, w in keep.items() if p in named} or keep, best.clause, doc)
        if groups is None and best.clause.doc_id in q.scope:
            whole = _policy_parts(q, keep, best.clause.doc_title, doc)
            groups = (0, whole) if whole else None
        if groups is None:
            return []
        depth, members = groups
        if depth == len(best.clause.path) and all(len(c.path) == depth for c in members):
            return []  # the numbered clauses beside the best one: a list _whole_list makes
        listed = _group_list(depth, members, best)
        return listed + self._beyond_parts(q, chosen, depth, members)

    def _defining(self, r: Retrieved) -> list[Scored]:
        """For a question asking what a term means that a policy in its scope defines (retrieval puts the
        defining clauses first: "definition" hits), the items that define it, whatever they score: "人工智能产品
        具体指哪些" is answered by "人工智能产品包括：…", not by the clause about the products' first use that
        scores higher. [] for other questions."""
        hits = [h for h in r.hits if h.why == "definition"]
        if not hits:
            return []
        ids = {h.clause.id for h in hits}
        defined = [d for d in self.index.definitions() if d[1].id in ids]  # type: ignore[attr-defined]
        wanted = {(c.id, n) for c, n in lookup.defined_asked(r.question.text, defined)}
        scored = evidence.score_items(self.index, r.question, r.vector, hits) if wanted else []
        return [s for s in scored if (s.clause.id, s.position) in wanted]

    def _whole_policy(self, q: Question) -> list[Scored]:
        """A question counting the parts of the one policy it names, and no section of it ("天津那份政策措施
        总共几大部分"): the policy's top-level parts, whatever its items score, as a clause it names is
        looked up."""
        if len(q.policies) != 1 or not q.asks_count:
            return []
        doc = self._clauses_by_doc().get(q.policies[0], [])
        title = self._titles().get(q.policies[0], "")
        members = _policy_parts(q, self._keep(q), title, doc)
        if not members:
            return []
        anchor = Scored(Hit(members[0], 0.0, "group"), 0, 0.0, 1.0, evidence.EVIDENCE_MIN)
        return _group_list(0, members, anchor)

    def _named_section(self, q: Question) -> list[Scored]:
        """A question counting the parts of a section it names by its heading, in the one policy it names
        ("深圳行动计划最后那部分保障措施 有几条") when no item answers it, or the items found neither state nor
        enumerate a count: the section's parts, as a clause named is looked up. The heading is the one of the policy whose words the question writes up to its count
        for the longest run (HEADING_RUN characters and half the heading at least, none of them the policy's
        title's), when no other heading shares as long a run; [] otherwise."""
        if len(q.policies) != 1 or not q.asks_count:
            return []
        doc = self._clauses_by_doc().get(q.policies[0], [])
        title = unicodedata.normalize("NFKC", self._titles().get(q.policies[0], "")).replace("人工智能", "")
        headings = {clause.path[:depth]: compose.unnumbered(clause.path[depth - 1]) for clause in doc for depth in range(1, len(clause.path) + 1)}
        prefix = lookup.named_heading(q.around_count[0], headings, besides=title)
        if prefix is None:
            return []
        whole = sorted((c for c in doc if c.part <= 1), key=lambda c: c.span[0])
        members = [first for _, first in _parts_under(prefix, whole).values()]
        if not 2 <= len(members) <= compose.RUN_LIMIT:
            return []
        anchor = Scored(Hit(members[0], 0.0, "group"), 0, 0.0, 1.0, evidence.EVIDENCE_MIN)
        return _group_list(len(prefix), members, anchor)

    def _beyond_parts(self, q: Question, chosen: Sequence[Scored], depth: int, members: Sequence[Clause]) -> list[Scored]:
        """What a question counting parts asks after the count, when the parts' headings do not say it
        ("重点任务分几大行动 第三个行动里引龙头那项咋说" asks about 龙头 too): the chosen items that write a word of it
        no heading writes, ITEMS_BEYOND at most."""
        topic = self._keep(q)
        after = evidence.spelled(q.around_count[1])
        headings = "".join(evidence.spelled(h) for c in members for h in c.path[: depth + 1])
        asked = {p: w for p, w in topic.items() if p in after and p not in headings}
        if not asked:
            return []
        return [s for s in chosen if evidence.cover(asked, s.text) > 0][:ITEMS_BEYOND]

    def _announced(self, q: Question, clause: Clause) -> bool:
        """Whether the clause is one of a list its heading announces ("第七条 依托单位应具备以下条件") and that
        heading spells out the question's topic (ANNOUNCED_COVER of it), no less than any member's own text
        does: the list is the answer, whole. A question a member spells out better asks about that member
        ("…承诺几年不转租" asks about one condition, not for all three)."""
        heading = clause.path[-1] if clause.path and clause.number else ""
        if not compose.ANNOUNCES.search(heading):
            return False
        members = [c for c in self._clauses_by_doc().get(clause.doc_id, []) if c.path == clause.path and c.number]
        return _spells_heading(self._keep(q), heading, members)

    def _places_providing(self, r: Retrieved) -> list[tuple[str, list[Scored]]]:
        """The regions whose policies provide what a "哪些城市…" question asks (evidence.providing), best
        first, each with its chosen items."""
        q = evidence.named_measure(r.question)
        scored = {region: evidence.score_items(self.index, q, r.vector, hits) for region, hits in r.by_region.items()}
        literal = self._mentioning(q)
        if literal:  # "哪些地方提到数字孪生": the places whose policies write it, and only those
            order = sorted(literal, key=lambda region: -evidence.best(scored.get(region, [])))
            return [(region, literal[region]) for region in order]
        regions = evidence.providing({region: evidence.best(items) for region, items in scored.items()})
        keep = [compose.choose(q, scored[region], evidence.EVIDENCE_MIN, evidence.KEEP_WITHIN) for region in regions]
        return [(region, chosen[:PER_PLACE]) for region, chosen in zip(regions, keep)]

    def _mentioning(self, q: Question) -> dict[str, list[Scored]]:
        """For a question asking which places mention something ("哪些地方的AI文件提到机器人视觉"), the places
        whose clauses write it as the question does, each with the items that do (PER_PLACE at most); {} for
        other questions, or when the words of the topic are not written together in the question. What is
        mentioned is a phrase, and a place whose policies write only some of its words ("机器视觉") does not
        mention it."""
        said = re.sub(r"\s+", "", norm(q.text)).lower()
        text = unicodedata.normalize("NFKC", q.text).lower()  # its pauses kept
        verb = MENTIONS.search(text)
        if verb is None:
            return {}
        words = [w.lower() for w in q.topic.split() if len(w) >= 2 and w != "人工智能"]
        # what is mentioned follows the verb, up to the next pause ("提过智能生产线 各放在啥场景里"), less a word
        # before the name ("写了要建基础创新平台"); a question putting it first ("数字孪生 哪些地方提到过") has it
        # in its other words. It holds the topic's most specific word ("…贷款利息有补贴 要写了明确比例的" mentions
        # no 明确).
        mention = re.split(r"[\s，,。？?！!；;、]", text[verb.end() :], maxsplit=1)[0]
        after = [w for w in words if w in mention][:MENTIONED_WORDS]
        # the most specific word of what is mentioned, which ends where the verb's piece does: the pieces after it
        # ask of the mentions ("提过可编程逻辑门阵列 分别放在什么语境": 语境, rarer, is no part of the phrase)
        upto = text[: verb.end() + len(mention)]
        focus = evidence.focus_weights(replace(q, topic=" ".join(w for w in q.topic.split() if w.lower() in upto)), evidence.pair_weights(self.index))
        candidates = [after[i:] for i in range(len(after))] + [words]
        next_words = re.sub(r"\s+", "", text[verb.end() :])  # a two-character phrase is written right there
        plain = self.index.plain_texts()  # type: ignore[attr-defined]
        def mentioned(p: str) -> bool:
            return p in said and (len(p) >= MENTIONED_CHARS or p in next_words[: len(p) + 2]) and all(f in p for f in focus)

        phrase_words = next((c for c in candidates if mentioned(p := "".join(c)) and any(p in t for t in plain)), None)
        if phrase_words is None:
            return {}
        phrase = "".join(phrase_words)
        # a text writes the phrase, or its words (three or four) side by side, the first first and the others in
        # another order ("水质自动监测": "水质监测自动化"); a word it lacks ("机器人视觉": "机器视觉") means no mention
        def writes(t: str) -> bool:
            return phrase in t or (len(phrase_words) >= REORDERED_WORDS and _reordered(phrase_words, t))

        found: dict[str, list[Scored]] = {}
        seen: set[str] = set()
        for clause, plain in zip(self.index.clauses, self.index.plain_texts()):  # type: ignore[attr-defined]
            if not clause.region or not writes(plain):
                continue
            for pos, item in enumerate(clause.items):
                key = f"{clause.citation}|{clause.item_text(item)}"
                if writes(norm(clause.item_text(item)).lower()) and key not in seen and len(found.get(clause.region, [])) < PER_PLACE:
                    seen.add(key)
                    found.setdefault(clause.region, []).append(Scored(Hit(clause, 0.0, "mention"), pos, 0.0, 1.0, evidence.EVIDENCE_MIN))
        return found

    # ------------------------------------------------------------ helpers

    def _keep(self, q: Question) -> dict[str, float]:
        return evidence.topic_weights(q, evidence.pair_weights(self.index))

    def _titles(self) -> dict[str, str]:
        return {d.id: d.title for d in getattr(self.index, "documents", {}).values()}

    def _clauses_by_doc(self) -> dict[str, list[Clause]]:
        return self.index.by_doc()  # type: ignore[attr-defined,no-any-return]


def _without_dates(text: str) -> tuple[str, bool]:
    """A question without its pieces that ask a policy's dates ("" when every piece asks one or none does),
    and whether it asks the dates before the rest (a first piece before others only names what is asked of).

    Example: _without_dates("大武汉AI若干政策 奖补钱咋分摊 公布后多久施行") -> ("大武汉AI若干政策 奖补钱咋分摊", False)
    """
    said = pieces(text)
    dated = [n for n, p in enumerate(said) if any(pattern.search(p) for _, pattern in _ASKS_DATE)]
    kept = [n for n in range(len(said)) if n not in dated]
    if not dated or not any(asks_something(said[n]) for n in kept):  # "长沙…暂行办法 哪天起施行的": only dates
        return "", False
    asking = kept[1:] if kept[0] == 0 and len(kept) > 1 else kept
    return "".join(said[n] for n in kept).strip(), dated[0] < asking[0]


def with_dates(answer: Answer, dated: Answer, dates_first: bool = False) -> Answer:
    """`answer` with the lines of an answer from a policy's dates: its first line beside the answer's first
    lines (before them when the question asks the dates first), its items after the answer's items. A
    clause both cite keeps its number; the dated answer's other clauses are numbered after the answer's.

    Example: with_dates(Answer("按1:1承担[1]。\n· …八：…[1]", (c8,)), Answer("…30日后施行[1]。\n· …八：…[1]", (c8,)))
    -> Answer("按1:1承担[1]。\n…30日后施行[1]。\n· …八：…[1]", (c8,))
    """
    numbers = {c.clause.id: c.n for c in answer.citations}
    citations = list(answer.citations)
    renumber: dict[int, int] = {}
    for c in dated.citations:
        if c.clause.id not in numbers:
            numbers[c.clause.id] = len(citations) + 1
            citations.append(replace(c, n=numbers[c.clause.id]))
        renumber[c.n] = numbers[c.clause.id]
    lines = renumbered(dated.text, lambda n: renumber.get(n, n)).splitlines()
    own = answer.text.splitlines()
    head = [line for line in own if not line.startswith("· ")]
    items = [line for line in own if line.startswith("· ")]
    # a date the answer's first lines state already, or an item it quotes already, is not said twice
    said, quoted = unmarked("\n".join(head)), unmarked("\n".join(items))
    date_head = [line for line in lines if not line.startswith("· ") and unmarked(line).rstrip("。") not in said]
    date_items = [line for line in lines if line.startswith("· ") and unmarked(line.split("：", 1)[-1]) not in quoted]
    heads = [*date_head, *head] if dates_first else [*head, *date_head]
    return replace(answer, text="\n".join([*heads, *items, *date_items]), citations=tuple(citations))


def _entry_names(spans: Sequence[tuple[Clause, int, int]]) -> list[str]:
    """The names of a clause's entries: the first item of each entry (Extractive._entry_spans)."""
    firsts: dict[int, tuple[Clause, int]] = {}
    for c, n, entry in spans:
        if entry >= 0:
            firsts.setdefault(entry, (c, n))
    return [c.item_text(c.items[n]) for c, n in firsts.values()]


def _title(clause: Clause) -> str:
    """A clause's own title: "促进数据资源开发利用" of "3.促进数据资源开发利用。…", or the heading line it opens on."""
    if clause.title:
        return clause.title
    first = clause.items[0] if clause.items else None
    return compose.unnumbered(clause.item_text(first)).strip() if first is not None and first.role == "heading" else ""


def _ends_on_said(name: str, question: str) -> bool:
    """Whether an entry's name ends on two or more characters the question writes: "智能家居示范基地。" of
    "…建一批应用示范基地 一共几个" (not "地理信息小镇。")."""
    name = re.sub(r"[。；;，,\s]+$", "", norm(name))
    said = re.sub(r"\s+", "", norm(question))
    return len(name) >= 2 and name[-2:] in said


def _with_bodies(chosen: Sequence[Scored]) -> list[Scored]:
    """The chosen items, and for a clause of which only its heading was chosen ("（二）严格监督考核"), the first
    sentence after it: a heading alone says what a clause is about, not what it says. Members a list line
    names (list, group) are left as they are."""
    out = list(chosen)
    for clause in dict.fromkeys(s.clause for s in chosen):
        own = [s for s in chosen if s.clause.id == clause.id]
        if any(s.item.role != "heading" or s.hit.why in compose.LISTED for s in own):
            continue
        body = next((n for n in range(own[-1].position + 1, len(clause.items)) if clause.items[n].role == ""), None)
        if body is not None:
            s = own[-1]
            out.insert(out.index(s) + 1, Scored(s.hit, body, s.dense, s.cover, s.score))
    return out


def _figure(text: str) -> bool:
    """Whether a text states an amount in figures ("12平方公里", "30%"), not a name that has a numeral
    in it ("千人计划", "四园六区")."""
    return any(any(ch.isdigit() for ch in a) for a in amounts(text))


def writes(plain: str, name: str) -> bool:
    """Whether a normalised, lower-cased clause text writes a quoted name: as it stands, or, for a name of
    four characters or more, with up to QUOTE_GAP characters inside it, as a user shortens a name
    ("世界之都" for "世界存储之都").

    AI is read as 人工智能 too, and a name it opens is looked for without it ("AI飞地": the policies' 飞地).

    Example: writes("打造世界存储之都", "世界之都") -> True; writes("先行先试", "先导") -> False
    """
    name = norm(name).lower()
    bare = re.sub(r"^(?:ai|人工智能)", "", name)
    for form in dict.fromkeys((name, name.replace("ai", "人工智能"), bare if len(bare) >= 2 else name)):
        if form in plain:
            return True
        if len(form) >= 4:
            gapped = "|".join(f"{re.escape(form[:k])}[^\n]{{1,{QUOTE_GAP}}}?{re.escape(form[k:])}" for k in range(1, len(form)))
            if re.search(gapped, plain):
                return True
    return False


def _naming_first(found: Sequence[Scored], names: Sequence[str]) -> list[Scored]:
    """Other places' items for a quoted name their clauses write: each such clause shown by its item that
    says something of the name ("“一核四环”即以苏州工业园区为核心先导区…", not the clause's other best-scoring item
    nor a title line), first."""
    out: list[Scored] = []
    for s in found:
        writing = [i for i, item in enumerate(s.clause.items) if any(writes(norm(s.clause.item_text(item)).lower(), n) for n in names)]
        naming = next(  # an item that says something of the name, not a title line ("“人工智能+”政务")
            (i for i in writing if s.clause.items[i].role != "heading" and len(s.clause.item_text(s.clause.items[i])) > compose.TITLE_LINE),
            None,
        )
        out.append(replace(s, position=naming) if naming is not None else s)
    return sorted(out, key=lambda s: not any(writes(norm(s.text).lower(), n) for n in names))


QUOTE_GAP = 4  # characters a user may leave out of a quoted name of four or more (never across a line)
QUOTED_SHARE = 0.5  # a comparison is about the names it quotes when they are this share of its topic
MAX_QUOTED = 4  # quoted names of a question looked for: the cost of a question is bounded whatever it quotes


def _each_figure(q: Question, chosen: Sequence[Scored], scored: Sequence[Scored]) -> list[Scored]:
    """"总共多大面积 两块片区又各占多少平方公里": a figure asked of each of several things, when the chosen
    items state one: the other items of their clauses that state a figure in the same unit (10.8 and 4.9
    平方公里 beside 15.7), spell out as much of the question as the best chosen item and answer (EVIDENCE_MIN).
    Not for years asked ("到2025年和2030年分别要有多少家"): each year's figure comes with its year (_each_year)."""
    if not q.how_much or not q.asks_each or q.comparison or q.years or not chosen:
        return []
    units = {unit_of(a) for s in chosen for a in amounts(s.text)}
    if not units:
        return []
    clauses = {s.clause.citation for s in chosen}
    cover = max(s.cover for s in chosen)
    return [
        s
        for s in scored
        if s not in chosen and s.clause.citation in clauses and s.score >= evidence.EVIDENCE_MIN and s.cover >= cover
        and units & {unit_of(a) for a in amounts(s.text)}
    ]


def _lists_inline(text: str, count: int | None, said: str = "") -> bool:
    """Whether an item names the members of the list a question counts in one enumeration ("以金水区、郑东新区、
    航空港区、经开区为重要支撑" for "哪四个区"): then the list is that item, not the numbered clauses around it.

    The enumeration must be the one counted: it says the count ("四大"), or its members end alike in a
    word the question counts (`said`: "区" of "哪四个区").

    Example: _lists_inline("围绕智能芯片、智能语音、智能图像、智能器件等四大核心产业", 4) -> True
    """
    if not count or count < 2:
        return False
    numeral = "一两三四五六七八九十"[count - 1]
    for run in re.split(r"[，,。；;：:]", text):
        members = re.split(r"[、/]", run)
        if len(members) < count:
            continue
        ends = {m.strip("“”\"")[-1:] for m in members[:-1]}
        if numeral in run or (len(ends) == 1 and ends <= set(said)):  # "…四大核心产业"; "金水区、郑东新区、…" of "四个区"
            return True
    return False


_ENTRY_NUMBER = re.compile(r"\s*(\d{1,2})\s*[.．、](?!\d)")


def _entry_number(text: str) -> int | None:
    """The number an item opens on as an entry of a box: "1.智能机器人示范工程" -> 1; None for "2022年…"."""
    m = _ENTRY_NUMBER.match(text)
    return int(m.group(1)) if m else None


def lookup_answer(hits: Sequence[Hit], related: Sequence[Clause] = (), asked: Scored | None = None, ref: str | None = None) -> Answer:
    """A question naming a clause ("第六条讲的是什么") gets the clause itself, whole, and any clause it
    refers to ("参照第一条"); the item the question's other words ask about (`asked`) first.

    Example: -> "《北京市…十五条措施》第六条：第六条 鼓励发展早期和长期投资。…[1]"
    """
    numbering = compose.Numbering()
    parts = []
    if asked is not None:  # numbered as its clause, which follows whole; an entry's body with the entry's name
        said = f"{evidence.entry_name(asked.clause, asked.position).strip()}{asked.text.strip()}".lstrip(compose.ENTRY_DASHES).rstrip("。；;，, ")
        parts.append(f"{said}[{numbering.of(asked.clause, asked.clause.text)}]。")
    for h in hits:
        n = numbering.of(h.clause, h.clause.text)
        parts.append(f"{h.clause.citation}：{h.clause.text.strip()}[{n}]")
    lead = None if ref and all(_numbered(h.clause.ref, ref) for h in hits) else _shared_heading(hits)
    if lead is not None:  # "第七条 依托单位应具备以下条件" heads its items (一)(二): say it first
        parts.insert(0, f"《{hits[0].clause.doc_title}》{lead}[{numbering.of(hits[0].clause, hits[0].clause.text)}]")
    for clause in related:
        n = numbering.of(clause, clause.text)
        parts.append(f"参照 {clause.citation}：{clause.text.strip()}[{n}]")
    return Answer("\n".join(parts), numbering.citations())


ANNOUNCED_COVER = 0.5


def _units_clauses(q: Question, chosen: list[Scored]) -> list[Scored]:
    """A question asking one thing's units ("做大产业集群那项 归哪个部门负责") is answered by the clauses whose
    chosen items name units; items of other clauses near the best in score (the leading group's clause) name
    none and answer nothing asked. Several parts, or no item naming units: the items as chosen."""
    if "units" not in q.kinds or q.parts or q.comparison:
        return chosen
    named = {s.clause.id for s in chosen if s.item.units}
    if named:
        named.add(max(chosen, key=lambda s: s.score).clause.id)  # what is asked about, as the best item says it
    return [s for s in chosen if s.clause.id in named] if named else chosen


# asking what a measure says or how it is done, not for one fact of it: "咋弄", "怎么做的", "讲了啥", "具体内容"
_ASKS_WHAT_IT_SAYS = re.compile(
    r"(?:咋|怎么|如何|怎样)(?:弄|办|做|搞|干|写|说|讲|安排|部署|推进|落实|实施|支持)|(?:讲|说|写)了?(?:啥|什么)|"
    r"(?:具体|啥|什么)内容|(?:具体|主要)(?:措施|举措)"
)
TITLED_ITEMS = 8  # items of a clause whose title a question writes, shown whole; a longer clause is cut as usual
ITEMS_BEYOND = 2  # items kept for what a question asks after counting parts: the best, and one beside it
HEADED_BODIES = 5  # a list under a heading the question names, this long or shorter: each member's first sentence too


def _heading_groups(topic: dict[str, float], clause: Clause, doc: Sequence[Clause]) -> tuple[int, list[Clause]] | None:
    """For a question counting the parts of a section ("重点任务分几大块 分别是啥"), the section among the best
    clause's own heading and those above it whose heading spells the question out (as _spells_heading, the
    policy's title words left out): its depth in the path and, for each heading under it, the first clause
    under that heading (its own clause, or the first clause of the part it heads when the heading has no
    text of its own). None when no heading above the clause is the one asked about.

    Example: 西安 四（一）1 for "重点任务分几大块" -> (1, [四（一）1, 四（二）5, 四（三）7, 四（四）14, 四（五）17])
    """
    whole = sorted((c for c in doc if c.part <= 1), key=lambda c: c.span[0])
    own = {p: w for p, w in topic.items() if p not in clause.doc_title} or topic
    # the heading that spells the question out best ("三、加快推动人工智能核心产业发展" over "（一）突破关键核心技术"
    # for "推核心产业发展那一章 拆成了几块"); of two that spell it equally, the nearer
    levels = sorted(range(len(clause.path), 0, -1), key=lambda d: -evidence.cover(own, clause.path[d - 1]))
    for depth in levels:
        prefix = clause.path[:depth]
        names = _parts_under(prefix, whole)
        if not 2 <= len(names) <= compose.RUN_LIMIT:
            continue
        said = evidence.cover(own, prefix[-1])
        if said >= ANNOUNCED_COVER and all(said >= evidence.cover(own, text) for text, _ in names.values()):
            return depth, [first for _, first in names.values()]
    return None


def _parts_under(prefix: tuple[str, ...], whole: Sequence[Clause]) -> dict[str, tuple[str, Clause]]:
    """The parts under a heading path (() for the policy itself), in document order: for each heading one
    level below it, its text (the heading, or a numbered clause's own text) and the first clause under it."""
    depth = len(prefix)
    out: dict[str, tuple[str, Clause]] = {}
    for c in whole:
        if c.path[:depth] != prefix:
            continue
        name = c.path[depth] if len(c.path) > depth else (_label(c) if c.number else "")
        if name:
            out.setdefault(name.replace("、", ""), (name if len(c.path) > depth else c.text, c))
    return out


# measure words a policy's own parts are counted in: "分几大部分", "几块", "几个方面"; not 条 or 项,
# which count the numbered measures under the parts
_PART_WORD = re.compile(r"^(?:部分|块|方面)$")


def _policy_parts(q: Question, topic: dict[str, float], title: str, doc: Sequence[Clause]) -> list[Clause]:
    """For a question counting the parts of a policy as a whole ("天津那份政策措施 总共几大部分", "泉城那份若干政策
    分几大部分", "正文分了几大部分"), the first clause of each of the policy's top-level parts; [] when the
    question names a section before its count (a word of it, not in the policy's title, that a heading of the
    policy writes: "人才那块分几部分") or, after the policy's name, a thing the policy writes of ("发展体系由几块组成")."""
    word = q.member_word
    if not word or not _PART_WORD.match(word):
        return []
    def named(said: str) -> set[str]:
        return {p for p in topic if p in evidence.spelled(said) and p not in evidence.spelled(title) and p not in word}

    headings = {evidence.spelled(h) for c in doc for h in c.path}
    if any(p in h for p in named(q.around_count[0]) for h in headings):
        return []  # a section is counted ("讲协同发展的那条…分了几块", "人才那块分几部分")
    # a thing the policy writes of, named after the policy ("那份实施意见里 发展体系由几块组成"); words before it
    # may name the policy ("一区两中心建设的那份意见")
    texts = [evidence.spelled(c.text) for c in doc]
    if any(p in t for p in named(after_policy_word(q.around_count[0])) for t in texts):
        return []
    whole = sorted((c for c in doc if c.part <= 1), key=lambda c: c.span[0])
    parts = _parts_under((), whole)
    return [first for _, first in parts.values()] if 2 <= len(parts) <= compose.RUN_LIMIT else []


def _glued(part: str, shared: set[str], weights: evidence.PairWeights) -> list[str]:
    """A part's words, a word of one character written with the word after it when that word is one every
    part writes (`shared`) and the policies write the pair they make: "产业 子 基金" -> ["产业", "子基金"], so that
    "天使投资基金…？产业子基金呢" asks of the 子基金, not of 基金, which both parts write."""
    words = part.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        if len(words[i]) == 1 and i + 1 < len(words) and words[i + 1] in shared and weights.weight(words[i] + words[i + 1][0]) > 0:
            out.append(words[i] + words[i + 1])
            i += 2
        else:
            out.append(words[i])
            i += 1
    return out


def _names_what_is_asked(part: str, q: Question) -> bool:
    """Whether a part of a question is only the noun a question word asks for ("哪些行业", "什么平台"): it
    says what kind of thing the answer names, and no item of its own answers it."""
    words = part.split()
    return len(words) == 1 and words[0][:2] in q.asked_nouns


def _parts_counted(q: Question, parts: Sequence[Scored]) -> bool:
    """Whether a section's parts are what a question counts: it writes no noun after its count ("有几条"), or
    most of the parts' first items write that noun ("几个先导工程" of "实施智能制造…先导工程", …)."""
    noun = compose.counted_noun(q)
    if not noun:
        return True
    named = [all(p in evidence.spelled(s.text) for p in evidence.pairs(noun)) for s in parts]
    return 2 * sum(named) > len(parts)


def _group_list(depth: int, groups: Sequence[Clause], best: Scored) -> list[Scored]:
    """The parts of a section, one entry each (_heading_groups): a part that is a clause of its own gives
    its heading and first sentence; a part whose heading has no text of its own gives the first item of
    its first clause, marked "group" so that a line names it by its heading (compose._members_line)."""
    listed: list[Scored] = []
    for clause in groups:
        if len(clause.path) > depth:
            listed.append(Scored(Hit(clause, 0.0, "group"), 0, best.dense, best.cover, best.score))
            continue
        pos = next((i for i, item in enumerate(clause.items) if item.role in ("heading", "")), 0)
        listed.append(Scored(Hit(clause, 0.0, "list"), pos, best.dense, best.cover, best.score))
        body = next((i for i in range(pos + 1, len(clause.items)) if clause.items[i].role == ""), None)
        if body is not None and len(groups) <= HEADED_BODIES:
            listed.append(Scored(Hit(clause, 0.0, "list-body"), body, best.dense, best.cover, best.score))
    return listed


def _label(clause: Clause) -> str:
    """A clause's heading as its members' paths spell it. Example: "三加强人工智能科研前瞻布局" """
    return f"{clause.number or ''}{clause.title}".replace("、", "")


def _heads(topic: dict[str, float], members: Sequence[Clause]) -> bool:
    """Whether the heading the members share ("（二）基本原则", "三、加强人工智能科研前瞻布局") spells out the
    question (ANNOUNCED_COVER of it), no less than any member's own text does: "几条基本原则 分别是啥" asks for
    the list under that heading, whole; a question a member spells out better asks about that member."""
    paths = {c.path for c in members}
    if len(members) < 2 or len(paths) != 1 or not members[0].path:
        return False
    # words of the policy's own title ("马桥AI试验区建设方案 几条基本原则") say which policy, not which list
    topic = {p: w for p, w in topic.items() if p not in members[0].doc_title} or topic
    return _spells_heading(topic, members[0].path[-1], members)


def _spells_heading(topic: dict[str, float], heading: str, members: Sequence[Clause]) -> bool:
    """Whether a list's heading spells out the question (ANNOUNCED_COVER of its topic) no less than any
    member's own text does: the list is what is asked, not one member of it."""
    said = evidence.cover(topic, heading)
    return said >= ANNOUNCED_COVER and all(said >= evidence.cover(topic, c.text) for c in members)

_HEADING_REF = re.compile(r"^(第[一二三四五六七八九十百零〇两\d]+条|[（(][一二三四五六七八九十]+[）)])\s*\S")


_LAST_NUMBER = re.compile(r"(?:(\d+)|[（(]?([一二三四五六七八九十]+)[)）]?)$")


def _numbered(clause_ref: str, ref: str) -> bool:
    """Whether a clause is itself the entry a question names, not one of its items: its reference ends on the
    number asked ("三（二）9" for "第九项"; "第七条（一）" is an item of "第七条")."""
    asked = re.fullmatch(r"第([一二三四五六七八九十百零〇两\d]+)[条项点]", ref)
    m = _LAST_NUMBER.search(clause_ref)
    if asked is None or m is None:
        return False
    number = int(m.group(1)) if m.group(1) else cn_to_int(m.group(2))
    return number is not None and number == (int(asked.group(1)) if asked.group(1).isdigit() else cn_to_int(asked.group(1)))


def _shared_heading(hits: Sequence[Hit]) -> str | None:
    """The heading of the article or section whose items the looked-up clauses are, when they are all its
    items and none is the heading's own clause: "第七条 依托单位应具备以下条件" over 第七条（一）and（二）."""
    heads = {h.clause.path[-1] for h in hits if h.clause.path}
    if not hits or len(heads) != 1 or len({h.clause.doc_id for h in hits}) != 1 or not all(h.clause.path for h in hits):
        return None
    head = heads.pop()
    m = _HEADING_REF.match(head)
    if m is None or any(h.clause.ref == m.group(1) for h in hits):
        return None
    return head.strip()


def _sentence_with(text: str, phrase: str) -> str:
    """The sentence of `text` that holds `phrase` (the whole text when none does).

    Example: _sentence_with("第十三条 本政策自2020年1月13日起施行，有效期至2023年12月31日。", "有效期至2023年12月31日")
    -> "第十三条 本政策自2020年1月13日起施行，有效期至2023年12月31日。"
    """
    at = text.find(phrase)
    for start, end in sentence_spans(text):
        if start <= at < end:
            return text[start:end]
    return text.strip()


def _reordered(words: Sequence[str], text: str) -> bool:
    """Whether a text writes the words side by side, the first first and the others in another order:
    "水质监测自动化" writes 水质 自动 监测; "…平台的基础创新能力" does not write 基础 创新 平台 so, nor "基础设施创新平台",
    nor "创新平台基础上" (the basis of a platform, not a 基础创新平台)."""
    return (
        len(words) <= REORDERED_MAX
        and all(w in text for w in words)
        and any(words[0] + "".join(p) in text for p in itertools.permutations(words[1:]))
    )
