"""`rag` command line: a thin client of the library.

    rag index [PATHS...]                       add files to RAG_HOME (data/) and update its index
    rag index --bundled                        maintainers: rebuild the shipped index/ from corpus/
    rag index --recreate                       RAG_STORE=milvus: drop the collection and fill it again
    rag remove NAME...                         take added files out of the knowledge base
    rag search [-k K] [--region R] [--doc D] [--year Y] [--json] QUESTION|-
    rag ask [--json] [--region R] [--doc D] [--year Y] QUESTION|-
    rag docs [--json]                          list indexed policies with their dates and status
    rag cite REF                               one clause with its path and neighbours
    rag compare TOPIC [--region R]... [--json | --csv]   what each region provides on a topic
    rag eval GOLD.jsonl / rag bench            measure quality / speed

Exit codes: 0 ok, 1 a domain error (message on stderr), 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

from .config import Settings, check_question
from .errors import InputError, RagError

if TYPE_CHECKING:
    from .update import BuildReport

log = logging.getLogger("rag")

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        settings = Settings.from_env()
        for warning in settings.warnings():
            log.warning("%s", warning)
        return int(args.func(args, settings))
    except InputError as exc:
        print(f"rag: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (RagError, FileNotFoundError) as exc:
        print(f"rag: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("rag: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `rag ask … | head`: the reader has gone; say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description="政策问答: cited answers over AI-industry policy")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser(
        "index",
        help="add PATHS to the knowledge base in RAG_HOME (data/) and update its index; "
        "with no paths, rebuild that index from the bundled corpus and every added file",
    )
    p.add_argument("paths", nargs="*", help="files to add (.txt .md .html .docx .pdf)")
    p.add_argument(
        "--bundled",
        action="store_true",
        help="for maintainers: rebuild the index that ships with the product (RAG_INDEX_DIR) from "
        "RAG_CORPUS_DIR alone; this rewrites tracked files",
    )
    p.add_argument(
        "--recreate",
        action="store_true",
        help="with RAG_STORE=milvus: drop the Milvus collection and fill it again (after changing RAG_EMBEDDER)",
    )
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("remove", help="take files added with `rag index FILE` (or uploaded) out of the knowledge base")
    p.add_argument("names", nargs="+", help="file names as added (as `rag docs` shows them under source)")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("search", help="the clauses that answer a question")
    _question_args(p)
    p.add_argument("-k", type=int, default=None, help="how many clauses (default RAG_TOP_K or 6)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="a Chinese answer with cited clauses")
    _question_args(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("docs", help="list the indexed policies with their dates (issued, effective, expires, status)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("compare", help="one row per region and clause that provides a measure on a topic")
    p.add_argument("topic", help="e.g. 算力, 首版次软件, 赛事/挑战赛 (/ separates alternatives)")
    p.add_argument("--region", action="append", help="only this region (repeatable), e.g. 北京 or 北京市")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help='{"topic", "rows": [...]}')
    fmt.add_argument("--csv", action="store_true", help="CSV with a Chinese header")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("cite", help="show one clause: a clause id or a reference like 中关村十五条措施 第六条")
    p.add_argument("ref", nargs="+")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cite)

    _register_optional(sub)
    return parser


def _question_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("question", help="the question, or - to read one question per line from stdin")
    p.add_argument("--region", help="only policies of this region, e.g. 北京市 or 北京")
    p.add_argument("--doc", help="only this policy (id or name)")
    p.add_argument("--year", help="only policies issued in this year, e.g. 2022")
    p.add_argument("--json", action="store_true", help="one JSON object (always with -)")


def _register_optional(sub: Any) -> None:
    """`eval` and `bench` live in their own modules, which add their own subcommands."""
    from . import bench, evaluate

    evaluate.register(sub)
    bench.register(sub)


# ---------------------------------------------------------------- index


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from tqdm import tqdm

    from . import update

    if args.bundled and (args.paths or args.recreate):
        raise InputError("--bundled rebuilds the shipped index from RAG_CORPUS_DIR and takes no paths nor --recreate")
    bars = {name: tqdm(total=0, unit="clause", desc=name, file=sys.stderr, disable=None, leave=False)
            for name in ("embedding", "milvus")}

    def moved(bar: Any) -> Callable[[int, int], None]:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        return progress

    try:
        if args.bundled:
            report = update.build_bundled(settings, progress=moved(bars["embedding"]))
        else:
            report = update.build(settings, [Path(p) for p in args.paths], progress=moved(bars["embedding"]),
                                  recreate=args.recreate, store_progress=moved(bars["milvus"]))
    except OSError as exc:  # e.g. RAG_HOME not writable
        raise RagError(f"cannot write the knowledge base in {settings.home}: {exc}") from exc
    finally:
        for bar in bars.values():
            bar.close()
    _print_index_report(report)
    return EXIT_ERROR if report.failed else EXIT_OK


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    from . import update

    try:
        report = update.remove(settings, args.names)
    except OSError as exc:
        raise RagError(f"cannot write the knowledge base in {settings.home}: {exc}") from exc
    print(f"removed {', '.join(dict.fromkeys(args.names))}")
    _print_index_report(report)
    return EXIT_ERROR if report.failed else EXIT_OK  # as `rag index`: a file the rebuild could not read


def _print_index_report(report: BuildReport) -> None:
    for o in report.added:
        if o.stored_as:
            renamed = f" as {o.stored_as} (the name was taken)" if o.stored_as != o.name else ""
            print(f"added {o.name}{renamed}: {o.clauses} clauses")
        elif o.duplicate_of:
            print(f"{o.name} is already in the corpus as {o.duplicate_of}; not copied again")
    for name, error in report.failed:
        print(f"rag: skipped {name}: {error}", file=sys.stderr)
    if not report.built:
        print("nothing new to add; the index is unchanged", file=sys.stderr)
        return
    print(
        f"indexed {report.clauses_total} clauses ({report.clauses_embedded} embedded, "
        f"{report.clauses_total - report.clauses_embedded} reused) in {report.seconds:.1f}s → {report.index_dir}"
    )
    if (s := report.store) is not None:
        print(f"milvus collection {s.collection}: {s.upserted} rows written, {s.deleted} deleted, "
              f"{s.unchanged} unchanged in {s.seconds:.1f}s")


# ---------------------------------------------------------------- search and ask


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    question = _checked(args.question)  # before loading anything: a bad question is answered at once
    from . import retrieve, store

    index = store.load(settings)
    k = args.k or settings.top_k
    filters = {"region": args.region, "doc": args.doc, "year": args.year}

    def run(question: str) -> dict[str, Any]:
        hits = retrieve.search(index, question, k, filters)
        return {"question": question, "hits": [h.to_json() for h in hits]}

    if question is None:
        return _each_line(sys.stdin, sys.stdout, run)
    result = run(question)
    print(json.dumps(result, ensure_ascii=False) if args.json else _format_hits(result))
    return EXIT_OK


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    question = _checked(args.question)  # before the index and the models load
    from .pipeline import Pipeline

    pipeline = Pipeline(settings)
    filters = {"region": args.region, "doc": args.doc, "year": args.year}

    def run(question: str) -> dict[str, Any]:
        return pipeline.ask(question, filters=filters).to_json(question)

    if question is None:
        return _each_line(sys.stdin, sys.stdout, run)
    answer = pipeline.ask(question, filters=filters)
    print(json.dumps(answer.to_json(question), ensure_ascii=False) if args.json else _format_answer(answer))
    return EXIT_OK


def _checked(question: str) -> str | None:
    """The checked question, or None for "-" (questions come from stdin, one per line)."""
    return None if question == "-" else check_question(question)


def _each_line(stdin: TextIO, stdout: TextIO, run: Callable[[str], dict[str, Any]]) -> int:
    """One JSON object per input line; a bad line gets an error object and the rest go on."""
    for line in _lines(stdin):
        question = line.rstrip("\r\n")
        try:
            result = run(check_question(question))
        except InputError as exc:
            result = {"question": question, "error": str(exc)}
        stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        stdout.flush()
    return EXIT_OK


def _lines(stream: TextIO) -> Iterator[str]:
    yield from stream


def _format_hits(result: dict[str, Any]) -> str:
    if not result["hits"]:
        return "（没有找到相关条款）"
    blocks = []
    for i, h in enumerate(result["hits"], 1):
        where = " > ".join(x for x in (h["path"], h["number"] and f"[{h['number']}]") if x)
        head = f"{i}. 《{h['doc']}》{h['region'] or ''}  {where}  (score {h['score']:.4f}, {h['source']})"
        blocks.append(f"{head}\n   {h['text']}")
    return "\n\n".join(blocks)


def _format_answer(answer: Any) -> str:
    lines = [answer.text, ""]
    for note in answer.notices:
        lines.append(note if note.startswith("注：") else f"注意：{note}")
    for c in answer.citations:
        lines.append(f"[{c.n}] {c.clause.citation}  ({c.clause.id})")
    return "\n".join(lines).rstrip()


# ---------------------------------------------------------------- docs and cite


def cmd_docs(args: argparse.Namespace, settings: Settings) -> int:
    from . import store

    index = store.load(settings)
    counts: dict[str, int] = {}
    for c in index.clauses:
        if c.part <= 1:
            counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
    rows = [_doc_row(d, counts.get(d.id, 0)) for d in index.documents.values()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return EXIT_OK
    for r in rows:
        dates = "  ".join(f"{r[k] or '-':<10}" for k in ("issued", "effective", "expires"))
        print(f"{r['id']:<28} {r['region'] or '-':<6} {r['year'] or '-':<5} {dates}  {r['status']:<3} "
              f"{r['clauses']:>4}  {r['title']}")  # fmt: skip
        for name, source in r["sources"].items():
            basis = f"（{source['basis']}）" if source["basis"] else ""
            print(f"{'':<30}{_DATE_LABELS[name]} {source['ref'] or '-'}：{source['text']}{basis}")
    dated = sum(1 for r in rows if r["issued"] or r["effective"] or r["expires"])
    whole = sum(r["clauses"] for r in rows)
    print(f"{len(rows)} documents ({dated} with a stated date), {whole} clauses ({len(index.clauses)} indexed parts); "
          "columns: id, region, year, issued, effective, expires, status, clauses, title")  # fmt: skip
    return EXIT_OK


_DATE_LABELS = {"issued": "印发", "effective": "施行", "expires": "有效期"}


def _doc_row(doc: Any, clauses: int) -> dict[str, Any]:
    """The `rag docs --json` object of one policy (a contract), with each date's source clause."""
    sources = {
        name: {"ref": fact.ref, "clause_id": fact.clause_id, "text": fact.text, "basis": fact.basis}
        for name in ("issued", "effective", "expires")
        if (fact := getattr(doc.dates, name)) is not None
    }
    return {
        "id": doc.id,
        "title": doc.title,
        "region": doc.region,
        "year": doc.year,
        "issued": doc.dates.value("issued"),
        "effective": doc.dates.value("effective"),
        "expires": doc.dates.value("expires"),
        "status": doc.dates.status(),
        "clauses": clauses,
        "source": doc.source,
        "sources": sources,
    }


def cmd_compare(args: argparse.Namespace, settings: Settings) -> int:
    from . import compare, store

    index = store.load(settings)
    table = compare.rows(index, args.topic, args.region)
    if args.json:
        print(json.dumps({"topic": args.topic.strip(), "rows": [r.to_json() for r in table]}, ensure_ascii=False))
    elif args.csv:
        sys.stdout.write(compare.to_csv(table))
    else:
        print(_format_compare(args.topic.strip(), table))
    return EXIT_OK


def _format_compare(topic: str, table: list[Any]) -> str:
    if not table:
        return f"（没有找到关于“{topic}”的支持措施）"
    lines = []
    for r in table:
        amounts = "、".join(r.amounts) or "（未写明金额）"
        term = f"有效期至{r.expires}" if r.expires else (f"有效期最迟至{r.expires_by}" if r.expires_by else "")
        status = f"  [{r.status}，{term}]" if term else ""
        lines.append(f"{r.region}  {r.citation}  {'/'.join(r.kinds) or '-'}：{amounts}{status}\n    {r.measure}")
    regions = len({r.region for r in table})
    return "\n".join(lines) + f"\n\n“{topic}”：{regions} 个地区，{len(table)} 条措施"


def cmd_cite(args: argparse.Namespace, settings: Settings) -> int:
    from . import lookup, store

    index = store.load(settings)
    ref = " ".join(args.ref).strip()
    if not ref:
        raise InputError("give a clause id or a reference, e.g. 中关村十五条措施 第六条")
    direct = index.clause(ref)
    found = [direct] if direct else lookup.find(index.clauses, list(index.documents.values()), ref)
    if not found:
        raise InputError(f"no clause matches {ref!r}: try `rag docs` for policy names, or e.g. 中关村十五条措施 第六条")
    before, after = lookup.neighbours(index.clauses, found[0], 1)
    if args.json:
        data = {"clauses": [c.to_json() for c in found], "before": [c.to_json() for c in before],
                "after": [c.to_json() for c in after]}
        print(json.dumps(data, ensure_ascii=False))
        return EXIT_OK
    print(_format_cite(found, before, after))
    return EXIT_OK


def _format_cite(found: list[Any], before: list[Any], after: list[Any]) -> str:
    first = found[0]
    out = [first.citation, f"id: {first.id}", f"路径: {first.path_str or '（正文）'}", ""]
    out += [c.text for c in found]
    if before:
        out += ["", "—— 上一条 ——", *(f"{c.ref} {c.text[:80]}…" for c in before)]
    if after:
        out += ["", "—— 下一条 ——", *(f"{c.ref} {c.text[:80]}…" for c in after)]
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
