"""The public API: a question (and the conversation so far) in, a cited Answer out.

    import rag.pipeline as rag
    rag.answer("湖北到2027年人工智能产业规模要做到多少？").text
    -> "《湖北省人民政府办公厅关于加快推进人工智能产业发展的实施意见》：到2027年,培育100亿级产业园5个,产业规模达到3500亿元[1]。"
    for part in rag.answer_stream("那武汉呢？", history=[...]): ...   # str deltas, then the final Answer

`Pipeline.chain` is a LangChain Runnable, standalone question → PolicyRetriever → answerer, taking
{"question": str, "history": list, "filters": dict | None} and returning an Answer. The CLI and the
Gradio app both go through `Pipeline`.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from . import dates, evidence, lookup, places, retrieve, store, typos
from .config import Settings, check_question
from .errors import InputError
from .extractive import CROSS_DEPTH, Extractive, Retrieved
from .llm import LlmAnswerer, LlmError, check_answer
from .model import Answer
from .question import analyse
from .store import Index

log = logging.getLogger(__name__)

Turn = tuple[str, str]  # (role, content), role "user" or "assistant"
History = Sequence[Any]  # [{"role", "content"}, …] (Gradio messages) or [(user, assistant), …]

# Clauses the answerer chooses from: more than a person reads (RAG_TOP_K) because the answer cites only
# what it uses. On dev.jsonl, 10 instead of 6 raised cited-evidence recall from 0.86 to 0.92 and cut
# wrongly refused answerable questions from 3 to 1 (list and comparison questions gather more).
EVIDENCE_K = 10
FOLLOWUP_MAX_CHARS = 16  # a question this short, in a conversation, may lean on the previous one
_FOLLOWUP = re.compile(r"^(?:那|那么|还有|另外|而|再问|那在)|[呢嘞][？?。]?$")
_POLICY = re.compile(r"《([^《》]{4,80})》")


# ---------------------------------------------------------------- history and follow-ups


def normalize_history(history: History | None) -> list[Turn]:
    """History as (role, content) turns, from Gradio messages or (user, assistant) pairs.

    Example: [("北京呢？", "《…》…[1]")] -> [("user", "北京呢？"), ("assistant", "《…》…[1]")]
    """
    turns: list[Turn] = []
    for item in history or ():
        if isinstance(item, dict):
            role, content = item.get("role"), item.get("content")
            if role in ("user", "assistant") and isinstance(content, str) and content.strip():
                turns.append((str(role), content))
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            turns += [(r, c) for r, c in zip(("user", "assistant"), item) if isinstance(c, str) and c.strip()]
        else:
            raise InputError("history must be a list of {'role', 'content'} messages or (user, assistant) pairs")
    return turns


def _places(text: str) -> list[str]:
    return list(dict.fromkeys(m.text for m in places.find(text)))


def is_followup(question: str) -> bool:
    """Example: "那武汉呢？" -> True; "第二条呢？" -> True; "湖北到2027年产业规模要做到多少？" -> False"""
    return len(question) <= FOLLOWUP_MAX_CHARS and bool(_FOLLOWUP.search(question))


def resolve_followup(question: str, history: Sequence[Turn]) -> str:
    """A follow-up rewritten as a standalone question, carrying over the previous place or policy.

    Example: after "北京对引进图灵奖获得者有什么支持？", "那武汉呢？" -> "武汉对引进图灵奖获得者有什么支持？";
    after an answer citing 《长沙市…暂行办法》, "第二条呢？" -> "《长沙市…暂行办法》第二条"
    """
    previous = next((c for r, c in reversed(history) if r == "user"), None)
    if previous is None or not is_followup(question):
        return question
    core = _FOLLOWUP.sub("", question).strip(" ，,？?。")
    name, ref = lookup.parse_ref(core)
    if ref and not name:
        policy = _last_policy(history) or lookup.parse_ref(previous)[0]
        return f"《{policy}》{ref}" if policy else question
    new, old = _places(core), _places(previous)
    if new and old:
        return previous.replace(old[0], new[0], 1)
    if new:
        return f"{new[0]}{previous}"
    return f"{previous} {core}" if core else previous


def _last_policy(history: Sequence[Turn]) -> str | None:
    """The first 《policy》 named by the last assistant turn."""
    for role, content in reversed(history):
        if role == "assistant":
            m = _POLICY.search(content)
            return m.group(1) if m else None
    return None


# ---------------------------------------------------------------- the pipeline


@dataclass(frozen=True)
class _State:
    question: str  # as asked (checked)
    standalone: str  # with the conversation resolved
    retrieved: Retrieved
    note: str = ""  # the homophone slips read as other words, told to the user


class Pipeline:
    """Retriever → answerer over one index, in extractive mode or, when configured, LLM mode.

    Example: Pipeline(Settings.from_env()).ask("北京对引进图灵奖获得者有什么支持？").citations[0].clause.ref
             -> "第十二条"
    """

    def __init__(self, settings: Settings, index: Index | None = None, llm: LlmAnswerer | None = None) -> None:
        self.settings = settings
        self.index = index if index is not None else store.load(settings)
        self.extractive = Extractive(self.index)
        self.llm = llm if llm is not None else (LlmAnswerer(settings) if settings.llm_enabled else None)
        self.chain: Runnable[dict[str, Any], Answer] = (
            RunnableLambda(self._standalone) | RunnableLambda(self._retrieve) | RunnableLambda(self._answer)
        ).with_config(run_name="policy_qa")

    # -- public

    def ask(self, question: str, history: History | None = None, filters: dict[str, Any] | None = None) -> Answer:
        """The checked Answer to a question, given the conversation so far."""
        return self.chain.invoke({"question": question, "history": history or [], "filters": filters})

    def stream(
        self, question: str, history: History | None = None, filters: dict[str, Any] | None = None
    ) -> Iterator[str | Answer]:
        """Text deltas as they are written, then, last, the final checked Answer (which may differ
        from the streamed text: show it in place of the text)."""
        state = self._retrieve(self._standalone({"question": question, "history": history, "filters": filters}))
        yield from self._parts(state)

    # -- chain steps

    def _standalone(self, inputs: dict[str, Any]) -> dict[str, Any]:
        question = check_question(inputs.get("question", ""))
        turns = normalize_history(inputs.get("history"))
        standalone = self._condense(question, turns) if turns else question
        log.debug("standalone question: %s", standalone)
        return {"question": question, "standalone": standalone, "filters": inputs.get("filters")}

    def _condense(self, question: str, turns: list[Turn]) -> str:
        if self.llm is not None and is_followup(question):
            try:
                return check_question(self.llm.condense(question, turns))
            except (LlmError, InputError) as exc:
                log.warning("condensing the follow-up with the LLM failed (%s); using the rule", exc)
        return resolve_followup(question, turns)

    def _retrieve(self, step: dict[str, Any]) -> _State:
        """Analyse the standalone question once, embed it once, and retrieve from its scope, from outside
        its scope (for saying what other places provide) and, for "哪些城市…", from every region."""
        question, fixes = self.index.speller.correct(step["standalone"])
        filters = retrieve.Filters.of(_clean_filters(step.get("filters")))
        q = analyse(question, self.index.catalog)
        scores = retrieve.Scores(self.index, question, retrieve.query_vector(self.index, question))
        k = max(self.settings.top_k, EVIDENCE_K)
        if q.comparison and len(q.known_places) >= 2:  # each place searched on its own gets as many as one place would
            k = min(50, k * min(len(q.known_places), retrieve.MAX_REGIONS))
        hits = retrieve.search(self.index, question, k, filters, analysis=q, scores=scores)
        unfiltered = filters.region is None and filters.doc is None
        elsewhere = retrieve.outside(scores, q.scope, k) if q.scope and unfiltered else []
        regions = retrieve.regions(self.index) if q.cross and not q.known_places and unfiltered else []
        written = retrieve.written_phrase(self.index, q, evidence.focus_word(q, evidence.pair_weights(self.index))) if regions else ""
        by_region = retrieve.by_region(scores, regions, CROSS_DEPTH, written) if regions else {}
        retrieved = Retrieved(q, scores.vector, tuple(hits), tuple(elsewhere), by_region)
        return _State(step["question"], question, retrieved, typos.note(fixes))

    def _answer(self, state: _State) -> Answer:
        final = [part for part in self._parts(state) if isinstance(part, Answer)]
        return final[-1]

    def _parts(self, state: _State) -> Iterator[str | Answer]:
        """Text deltas, then the final Answer, which notes every expired policy it cites."""
        for part in self._drafts(state):
            if isinstance(part, Answer) and state.note:
                part = replace(part, notices=(state.note, *part.notices))
            yield with_expiry_notes(part) if isinstance(part, Answer) else part

    def _drafts(self, state: _State) -> Iterator[str | Answer]:
        """Text deltas, then the final Answer. A scope refusal (a place, clause or year the policies do not
        cover) stands before any LLM is asked; an LLM answer that fails its checks, or an endpoint that
        fails, gives the extractive one."""
        r = state.retrieved
        verdict = self.extractive.judge(r)
        fallback = self.extractive.answer(r, verdict)
        if self.llm is None or verdict.scope or verdict.dated is not None:
            yield fallback.text
            yield fallback
            return
        hits = r.hits
        chunks: list[str] = []
        try:
            for delta in self.llm.stream(state.standalone, hits, r.question, verdict.chosen):
                chunks.append(delta)
                yield delta
        except LlmError as exc:
            yield _with_notice(fallback, exc)
            return
        yield check_answer("".join(chunks), state.standalone, hits, fallback)


def _clean_filters(filters: dict[str, Any] | None) -> dict[str, Any] | None:
    """Filters without empty values: {"region": None, "doc": ""} -> None."""
    if not filters:
        return None
    kept = {k: v for k, v in filters.items() if v}
    return kept or None


def with_expiry_notes(answer: Answer, today: date | None = None) -> Answer:
    """The answer with a notice for each expired policy it cites, in citation order; a refusal's
    "possibly related" clauses get none (their panel shows each policy's status).

    Example: citing the 杭州 若干政策 -> notices + ("注：《杭州市…若干政策》有效期至2023年12月31日，已失效。",)
    """
    if answer.refused:
        return answer
    notes = dict.fromkeys(n for c in answer.citations if (n := dates.expiry_note(c.clause, today)))
    new = tuple(n for n in notes if n not in answer.notices)
    return replace(answer, notices=answer.notices + new) if new else answer


def _with_notice(fallback: Answer, exc: Exception) -> Answer:
    note = f"大模型服务不可用（{exc}），以下为摘录式回答。"
    return replace(fallback, notices=fallback.notices + (note,))


# ---------------------------------------------------------------- module-level API

_default: Pipeline | None = None
_default_lock = threading.Lock()


def default_pipeline() -> Pipeline:
    """The Pipeline for Settings.from_env(), created on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Pipeline(Settings.from_env())
        return _default


def answer(question: str, history: History | None = None, filters: dict[str, Any] | None = None) -> Answer:
    """rag.answer("北京对引进图灵奖获得者有什么支持？") -> Answer(text="《…》：…[1]。", citations=(…,))"""
    return default_pipeline().ask(question, history, filters)


def answer_stream(
    question: str, history: History | None = None, filters: dict[str, Any] | None = None
) -> Iterator[str | Answer]:
    """Like `answer`, streamed: text deltas, then the final Answer."""
    return default_pipeline().stream(question, history, filters)
