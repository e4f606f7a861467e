"""Read policy files into cleaned `Document`s.

    load(Path("corpus/001_a574007286141d25.txt"))
    -> [Document(id="001_a574007286141d25",
                 title="湖北省人民政府办公厅关于加快推进人工智能产业发展的实施意见",
                 region="湖北省", issuer="湖北省人民政府办公厅", year=2025, ...)]

Stages, in order: read the bytes (txt/md/html/docx/pdf) into lines; split a
compilation into its policies using its 目录; clean each policy (drop site chrome,
page numbers and figure captions, rejoin paragraphs broken across lines and
pages, normalise whitespace); read title, region, issuer and year from it.

Work per file is bounded (`Limits`): a zip-based file (.docx) is refused from its
zip directory when it would decompress past a cap, before any parsing; extracted
text past a character cap is refused; every stage runs in time linear in the
text; and a `Deadline` shared by an upload is checked between pages and parts.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import dates, places
from .errors import BudgetError, LimitError, LoaderError
from .model import Document

log = logging.getLogger(__name__)

SUPPORTED = {".txt", ".md", ".html", ".htm", ".docx", ".pdf"}
ZIP_BASED = {".docx", ".xlsx", ".pptx", ".odt", ".epub"}  # checked as zip archives before parsing

# A line ending in one of these closes its paragraph; anything else may continue.
_TERMINAL = '。；！？：:;!?”"’）)】]〕>'
_SENTENCE_END = re.compile(r"[。；！？;!?]")
# Characters a heading never ends on: they govern the words after them (以上, 的…, 和…).
_NEEDS_NEXT = "以的和"
_ARTICLE = re.compile(r"^第[一二三四五六七八九十百零〇\d]+条\s*(.*)")
# Markers that open a numbered heading or a list item: a line starting with one
# never continues the previous line.
HEADING_RE = re.compile(
    r"^(?:"
    r"第[一二三四五六七八九十百零〇\d]+[章节条部分篇]"
    r"|专栏\s*[\d一二三四五六七八九十]+"
    r"|附[表件录]\s*[\d一二三四五六七八九十]*"
    r"|[一二三四五六七八九十]+[、．.]"
    r"|[（(]\s*[一二三四五六七八九十]+\s*[)）]"
    r"|\d{1,2}\s*[、．.](?!\d)"
    r"|[（(]\s*\d{1,2}\s*[)）]"
    r"|[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]"
    r"|——|[-•·●■◆▪]\s"
    r")"
)
_DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?$")
_SLASH_DATE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
# Short lines that are site or book furniture, not policy text.
_CHROME = re.compile(
    r"当前位置|二维码|扫一扫|分享到|打印本页|关闭窗口|字号|"
    r"^登录$|^注册$|找回密码|评论|^赞\s*[(（]\d+[)）]$|热情欢迎|每一位来访者|"
    r"安徽产业网|安徽产业政策参考|了解更多|的倡导者|的践行者|"
    r"^(?:https?://|www\.)\S+$|^第\s*\d+\s*页|^[-—－\s]*\d{1,4}[-—－\s]*$|"
    r"^(?:图|Figure)\s*\d+\b|^Fig\.\s*\d+"
)
# Advertising a site appends to a page, at any length.
_ADS = re.compile(r"申报易|咨询微信或QQ|代理、软件开发")
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’—…·"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")
# Page counters inside a useful header line: "2025/10/23 15:29:03 湖北省人民政府办公厅 人气:790".
_COUNTERS = re.compile(r"(?:人气|浏览次数|阅读次数|点击数|访问量)\s*[:：]\s*\d+")
_BREAK = "\x00"  # paragraph boundary left where chrome was removed
_TAGS = re.compile(r"</?(?:u|b|i|em|strong|span|sup|sub)>")


class Deadline:
    """A time budget shared by the stages of one job; `check` raises BudgetError once it is spent.

    Example: d = Deadline(600, "RAG_UPLOAD_SECONDS"); d.check("政策.pdf") -> None, or after 600 s
    BudgetError("政策.pdf: the upload ran past its time budget of 600 s (RAG_UPLOAD_SECONDS) …")
    """

    def __init__(self, seconds: float, setting: str = "RAG_UPLOAD_SECONDS") -> None:
        self.seconds = seconds
        self.setting = setting
        self._end = time.monotonic() + seconds

    def left(self) -> float:
        return self._end - time.monotonic()

    def check(self, where: str) -> None:
        if self.left() < 0:
            raise BudgetError(
                f"{where}: the upload ran past its time budget of {self.seconds:g} s ({self.setting}) and was "
                "abandoned; nothing was added and the previous index keeps serving"
            )


@dataclass(frozen=True)
class Limits:
    """Caps on the work one file may cause. Example: Limits(max_chars=500_000, max_unzipped=64 << 20)."""

    max_chars: int = 500_000  # RAG_MAX_FILE_CHARS
    max_unzipped: int = 64 << 20  # bytes; RAG_MAX_UNZIPPED_MB
    deadline: Deadline | None = field(default=None, compare=False)

    def check_time(self, where: str) -> None:
        if self.deadline is not None:
            self.deadline.check(where)


NO_LIMITS = Limits(max_chars=1 << 62, max_unzipped=1 << 62)


@dataclass(frozen=True)
class _Part:
    """A policy inside a file before cleaning: its title and raw lines."""

    title: str | None
    lines: list[str]
    section: str | None = None  # the compilation section header it sits under


def load(path: Path, limits: Limits = NO_LIMITS) -> list[Document]:
    """Read one file into its Documents (several for a compilation).

    Example: load(Path("corpus/004_19fc23e80da6329a.txt")) -> 33 Documents with ids
    "004_19fc23e80da6329a-01" … "-33", each with its own title and city.
    Raises LoaderError (LimitError past a limit) naming the file; BudgetError past the deadline.
    """
    path = Path(path)
    lines = read_lines(path, limits)
    limits.check_time(path.name)
    parts = split_compilation(lines)
    if parts is None:
        doc = _make_document(path.stem, path, _Part(None, lines))
        return [doc] if doc.text else []
    docs = []
    for i, part in enumerate(parts, 1):
        limits.check_time(path.name)
        docs.append(_make_document(f"{path.stem}-{i:02d}", path, part))
    return [d for d in docs if d.text]


def load_many(
    paths: Iterable[Path], limits: Limits = NO_LIMITS
) -> tuple[list[Document], list[tuple[Path, str]]]:
    """Load several files; a file that fails is reported, not fatal.

    Example: load_many([good, broken]) -> ([Document…], [(broken, "cannot read …")])
    """
    docs: list[Document] = []
    failed: list[tuple[Path, str]] = []
    for path in paths:
        try:
            docs.extend(load(Path(path), limits))
        except LoaderError as exc:
            log.warning("skipping %s: %s", path, exc)
            failed.append((Path(path), str(exc)))
    return docs, failed


# ---------------------------------------------------------------- reading


def read_lines(path: Path, limits: Limits = NO_LIMITS) -> list[str]:
    """Raw text lines of a supported file. Raises LoaderError (LimitError past a limit) naming the file."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise LoaderError(
            f"{path.name}: unsupported file type {suffix or '(none)'}; use one of {sorted(SUPPORTED)}"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoaderError(f"{path.name}: cannot read the file ({exc.strerror or exc})") from exc
    try:
        if suffix in ZIP_BASED:
            check_zip(path, limits.max_unzipped)  # before any parser inflates it
        if suffix in {".txt", ".md"}:
            text = decode_text(data)
        elif suffix in {".html", ".htm"}:
            text = html_to_text(decode_text(data))
        elif suffix == ".docx":
            text = docx_to_text(path)
        else:
            text = pdf_to_text(path, limits)
    except LoaderError:
        raise
    except Exception as exc:  # parsers raise many unrelated types on corrupt files
        raise LoaderError(f"{path.name}: cannot parse as {suffix[1:]} ({type(exc).__name__}: {exc})") from exc
    check_chars(path.name, len(text), limits.max_chars)
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def check_chars(name: str, chars: int, limit: int) -> None:
    """LimitError when a file yields more text than RAG_MAX_FILE_CHARS allows."""
    if chars > limit:
        raise LimitError(
            f"{name}: the file holds over {limit:,} characters of text, the limit per file "
            f"(RAG_MAX_FILE_CHARS); split it into smaller files"
        )


def check_zip(path: Path, limit: int) -> None:
    """LimitError when a zip-based file (.docx) would decompress past `limit` bytes
    (RAG_MAX_UNZIPPED_MB), read from its zip directory before anything is inflated.

    Python's zipfile never inflates a member past the size its directory entry declares,
    so the declared sizes checked here bound what a parser can later be handed.
    Example: a 2.7 MB .docx whose document.xml expands to 1.1 GB -> LimitError.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise LoaderError(f"{path.name}: not a valid {path.suffix[1:]} file ({exc})") from exc
    if total > limit:
        raise LimitError(
            f"{path.name}: the file would decompress to {total / 2**20:,.0f} MB, over the limit of "
            f"{limit / 2**20:,.0f} MB (RAG_MAX_UNZIPPED_MB); refused before parsing"
        )


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030, the superset of GBK that gov sites use.

    Example: "政策".encode("gbk") -> "政策"
    """
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LoaderError("text is neither UTF-8 nor GB18030/GBK")


def html_to_text(html: str) -> str:
    """Visible text of a page, one block per line, without scripts, styles and navigation."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe"]):
        tag.decompose()
    for row in soup.find_all("tr"):
        cells = [c.get_text(" ", strip=True) for c in row.find_all(["td", "th"])]
        row.replace_with(soup.new_string("\n" + " | ".join(cells) + "\n"))
    return soup.get_text("\n")


def docx_to_text(path: Path) -> str:
    """Paragraphs and tables of a .docx in document order; a table row is "a | b | c"."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    out: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                out.append(" | ".join(_unique_cells(c.text.strip() for c in row.cells)))
            out.append("")
    return "\n".join(out)


def _unique_cells(cells: Iterable[str]) -> list[str]:
    """Merged docx cells repeat their text once per grid column; keep one copy."""
    result: list[str] = []
    for cell in cells:
        if not result or cell != result[-1]:
            result.append(cell)
    return result


def pdf_to_text(path: Path, limits: Limits = NO_LIMITS) -> str:
    """Text of every page of a PDF; page breaks become blank lines, rejoined by cleaning.
    Stops with LimitError as soon as the pages read pass the character cap."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    pages: list[str] = []
    chars = 0
    for page in reader.pages:
        limits.check_time(path.name)
        pages.append(page.extract_text() or "")
        chars += len(pages[-1]) + 2
        check_chars(path.name, chars, limits.max_chars)
    if not any(p.strip() for p in pages):
        raise LoaderError(f"{path.name}: the PDF has no extractable text (scanned? run OCR first)")
    return "\n\n".join(pages)


# ---------------------------------------------------------------- compilations


_TOC_ENTRY = re.compile(r"^[-•·*\s]*(\d{1,3})\s*[.、．]\s*(.+?)[\s.…·．]*(\d{1,4})?\s*$")
_TOC_SECTION = re.compile(r"^[一二三四五六七八九十]+、\s*(.+)$")


def _key(text: str) -> str:
    """Comparison key: NFKC, only letters and digits. "（2019—2023 年）" -> "20192023年"."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())


def parse_toc(lines: list[str]) -> list[tuple[str, str | None]] | None:
    """(title, section) of each numbered entry of a 目录 block, or None without one.

    Example: ["目录", "一、北京国家…试验区", "- 1. 北京市…指导意见.....6"]
    -> [("北京市…指导意见", "北京国家…试验区")]
    """
    start = next((i for i, ln in enumerate(lines[:400]) if _key(ln) in {"目录", "目次"}), None)
    if start is None:
        return None
    entries: list[tuple[str, str | None]] = []
    section = None
    for line in lines[start + 1 :]:
        text = line.strip()
        if not text:
            continue
        entry = _TOC_ENTRY.match(text)
        if entry and entry.group(3):
            entries.append((entry.group(2).strip(), section))
        elif (sec := _TOC_SECTION.match(text)) and len(text) <= 40:
            section = sec.group(1).strip()
        else:
            break
    return entries if len(entries) >= 2 else None


def split_compilation(lines: list[str]) -> list[_Part] | None:
    """A compilation's policies, cut where its 目录 titles appear as headings; else None.

    The preface and the 目录 itself belong to no policy and are dropped.
    """
    toc = parse_toc(lines)
    if toc is None:
        return None
    found: list[tuple[int, int, str, str | None]] = []  # (first line, heading lines, title, section)
    cursor = _toc_end(lines)
    keys = [_key(ln) for ln in lines]  # once per line, not once per line per title
    for title, section in toc:
        hit = _find_heading(keys, _key(title), cursor)
        if hit is None:
            log.warning("compilation: no heading found for %s", title)
            continue
        found.append((hit[0], hit[1], title, section))
        cursor = hit[0] + hit[1]
    if len(found) < 2:
        return None
    parts = []
    for n, (begin, height, title, section) in enumerate(found):
        end = found[n + 1][0] if n + 1 < len(found) else len(lines)
        parts.append(_Part(title, lines[begin + height : end], section))
    return parts


def _toc_end(lines: list[str]) -> int:
    """Index of the first line after the 目录 block."""
    start = next(i for i, ln in enumerate(lines) if _key(ln) in {"目录", "目次"})
    last = start
    for i in range(start + 1, len(lines)):
        text = lines[i].strip()
        if not text:
            continue
        entry = _TOC_ENTRY.match(text)
        if (entry and entry.group(3)) or (_TOC_SECTION.match(text) and len(text) <= 40):
            last = i
        else:
            break
    return last + 1


def _find_heading(keys: list[str], key: str, start: int) -> tuple[int, int] | None:
    """(line, height) where `key` is spelt out by the keys of 1–3 consecutive non-empty lines."""
    for i in range(start, len(keys)):
        if keys[i] and not key.startswith(keys[i][:1]):
            continue  # the common case, decided without the inner loop
        joined, used = "", []
        for j in range(i, min(i + 8, len(keys))):
            piece = keys[j]
            if not piece:
                continue
            joined += piece
            used.append(j)
            if joined == key:
                return i, used[-1] - i + 1
            if not key.startswith(joined) or len(used) >= 3:
                break
    return None


# ---------------------------------------------------------------- cleaning


def clean_lines(lines: list[str]) -> list[str]:
    """Paragraphs of a policy: chrome dropped, whitespace normalised, broken lines rejoined.

    Example: ["以提升感知识别、…、人机交互", "", "能力为重点，推进…。"]
    -> ["以提升感知识别、…、人机交互能力为重点，推进…。"]
    """
    kept: list[str] = []
    for text in (normalise_line(ln) for ln in lines):
        if text and is_chrome(text):
            # Dropped site chrome separates what surrounds it; a bare page number does not.
            if len(text) > 6 and kept and kept[-1] != _BREAK:
                kept.append(_BREAK)
        elif text:
            kept.append(text)
    paragraphs: list[_Paragraph | None] = []  # None where chrome separated paragraphs
    for line in _drop_short_runs(kept):
        if line == _BREAK:
            paragraphs.append(None)
        elif paragraphs and (last := paragraphs[-1]) is not None and _continues(last, line):
            last.add(line)
        else:
            paragraphs.append(_Paragraph(line))
    return [p.text() for p in paragraphs if p is not None]


_HEAD = 200  # characters of a paragraph's start that the anchored patterns of `continues` can need


class _Paragraph:
    """A paragraph being rejoined from its lines, in time linear in them: `+=` on one str copied the
    whole paragraph for every line (40k broken lines took 22 s). It keeps what `continues` reads."""

    __slots__ = ("cells", "head", "length", "pieces")

    def __init__(self, first: str) -> None:
        self.pieces = [first]
        self.head = first[:_HEAD]
        self.length = len(first)
        # Only a first line can hold cells: `continues` never joins a line to or from a table row.
        self.cells = " | " in first

    def add(self, piece: str) -> None:
        self.pieces.append(piece)
        self.length += len(piece)
        if len(self.head) < _HEAD:
            self.head = (self.head + piece)[:_HEAD]

    @property
    def last(self) -> str:
        return self.pieces[-1][-1]

    def text(self) -> str:
        return "".join(self.pieces)


def normalise_line(line: str) -> str:
    """One line with markup tags dropped, table cells joined by " | ", and spaces
    beside Chinese removed (PDF conversion pads numbers: "到 2022 年" -> "到2022年").
    """
    text = _TAGS.sub("", line).replace("\u00a0", " ").replace("\u3000", " ")
    text = _COUNTERS.sub("", text)
    if "\t" in text.strip(" ") or " | " in text:
        cells = [_SPACE_NEAR_CJK.sub("", c).strip() for c in re.split(r"\t| \| ", text)]
        return " | ".join(cells).strip()
    text = re.sub(r"[ \t]+", " ", text).strip()
    return _SPACE_NEAR_CJK.sub("", text)


def is_chrome(line: str) -> bool:
    """Site/book furniture: "当前位置:…", "人气:790", a bare page number, "图1 …"."""
    return (len(line) <= 60 and bool(_CHROME.search(line))) or bool(_ADS.search(line))


def _drop_short_runs(lines: list[str], run: int = 5, width: int = 16) -> list[str]:
    """Drop runs of >= `run` short unpunctuated lines: product lists, menus, captions."""

    def shortish(text: str) -> bool:
        return (
            text != _BREAK
            and len(text) <= width
            and text[-1] not in _TERMINAL
            and not HEADING_RE.match(text)
            and " | " not in text
            and not _DATE_LINE.match(text)  # a 落款 date under a signature is the policy's issue date
        )

    out: list[str] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and shortish(lines[j]):
            j += 1
        if j - i >= run:
            log.debug("dropping %d short lines starting %r", j - i, lines[i])
        else:
            out.extend(lines[i:j] if j > i else lines[i : i + 1])
        i = max(j, i + 1)
    return out


def continues(prev: str, line: str) -> bool:
    """Whether `line` continues paragraph `prev` (a line/page break inside a sentence).

    Example: continues("…认知推理、人机交互", "能力为重点，推进…") -> True;
    continues("一、总体要求", "（一）指导思想。…") -> False
    """
    return _continues(_Paragraph(prev), line)


def _continues(prev: _Paragraph, line: str) -> bool:
    """`continues`, reading only the paragraph's head, last character and length: O(len(line))."""
    if prev.last in _TERMINAL or prev.cells or " | " in line:
        return False
    if HEADING_RE.match(line) or _DATE_LINE.match(line) or _SLASH_DATE.match(line) or _SLASH_DATE.match(prev.head):
        return False
    if (
        line.endswith(("：", ":")) and len(line) <= 40
    ):  # an addressee line: "各市、州、县人民政府，省政府各部门："
        return False
    if prev.last in "，,、（(“‘《—":  # cut mid-sentence, whatever its length
        return True
    if prev.length < 20:  # short unfinished lines are titles and headings, not broken text
        return False
    # A numbered heading without a full stop ("（二）打造“3+2+N”示范创新应用") is short;
    # a numbered paragraph broken mid-sentence is a long line, or a short one that has already
    # ended a sentence ("5.推动智能能源发展。建设…推广智能") or stops on a word that needs what
    # follows ("…形成100个以" + "上运用…").
    # An article's title is a few words ("第三条建设原则"); a longer line after 第X条 is its text.
    heading = HEADING_RE.match(prev.head) and prev.length <= 30
    article = _ARTICLE.match(prev.head)
    return (
        not heading
        or bool(_SENTENCE_END.search(prev.head))
        or prev.last in _NEEDS_NEXT
        or bool(article and len(article.group(1)) > 15)
    )


# ---------------------------------------------------------------- metadata


_ISSUER_SUFFIX = r"(?:人民政府办公厅|人民政府办公室|人民政府|办公厅|办公室|委员会|管委会|局|厅|委)"
_ISSUER_LINE = re.compile(rf"^[\u4e00-\u9fff]{{2,30}}{_ISSUER_SUFFIX}$")
_ISSUER_IN_TITLE = re.compile(rf"^([\u4e00-\u9fff]{{0,20}}?{_ISSUER_SUFFIX})关于")
_IN_FORCE = re.compile(r"自\s*(\d{4})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*起")
_TITLE_YEARS = re.compile(r"[（(]\s*(\d{4})\s*[-—–~～至]")


def find_year(lines: list[str], title: str) -> int | None:
    """Year of issue: a dated header or signature line, else "自YYYY年…起施行", else the title's span.

    Example: ["…", "2020年8月25日", "…"] -> 2020
    """
    for line in lines:
        text = _key(line)
        if (m := _SLASH_DATE.search(line)) and len(line) < 80:
            return int(m.group(1))
        if _DATE_LINE.match(line.strip().replace(" ", "")) or re.fullmatch(
            r"\d{4}年\d{1,2}月\d{1,2}日", text
        ):
            return int(text[:4])
    for line in lines:
        if m := _IN_FORCE.search(line):
            return int(m.group(1))
    if m := _TITLE_YEARS.search(title):
        return int(m.group(1))
    return None


def find_issuer(lines: list[str], title: str, region: str | None) -> str | None:
    """Issuing body: the page header beside the date, the signature above the date, or the title.

    Example: ["2025/10/23 15:29:03   湖北省人民政府办公厅   人气:790"] -> "湖北省人民政府办公厅"
    """
    for line in lines[:40]:
        if _SLASH_DATE.search(line):
            for word in re.split(r"\s+", line.replace("\u00a0", " ")):
                if _ISSUER_LINE.match(word):
                    return word
    stripped = [ln.strip() for ln in lines if ln.strip()]
    for prev, line in itertools.pairwise(stripped):
        if _DATE_LINE.match(line.replace(" ", "")) and _ISSUER_LINE.match(prev.replace(" ", "")):
            return prev.replace(" ", "")
    heads = [title] + [re.sub(r"\s+", "", ln) for ln in stripped[:3]]
    if m := next(filter(None, (_ISSUER_IN_TITLE.match(h) for h in heads)), None):
        issuer = m.group(1)
        if issuer[0] in "省市县" and region:  # "省人民政府关于印发…" names its province elsewhere
            issuer = region + issuer[1:]
        return issuer
    return None


_NOTICE = re.compile(r"^.*?关于印发\s*[《]?(.+?)[》]?\s*的通知$")


def guess_title(paragraphs: list[str], fallback: str) -> str:
    """The first heading-like paragraph, unwrapped from "关于印发《X》的通知"; else `fallback`.

    Example: ["省人民政府关于印发 湖北省…总体规划(2020—2030年)的通知", …]
    -> "湖北省…总体规划(2020—2030年)"
    """
    for text in paragraphs[:12]:
        if _DATE_LINE.match(text) or HEADING_RE.match(text) or text.endswith(("：", ":")):
            continue
        if 6 <= len(text) <= 90 and text[-1] not in "。；！？;!?，,":
            if m := _NOTICE.match(text):
                return m.group(1).strip()
            return text
    return fallback


def _make_document(doc_id: str, path: Path, part: _Part) -> Document:
    """Clean one policy's lines and read its metadata."""
    paragraphs = clean_lines(part.lines)
    title = part.title.strip() if part.title else guess_title(paragraphs, path.stem)
    title = re.sub(r"\s+", "", title) if re.search(rf"[{_CJK}]", title) else title
    if part.title:
        paragraphs.insert(0, title)  # the heading was cut off with the compilation split
    raw = [normalise_line(ln) for ln in part.lines]
    region = places.first(title, part.section, "\n".join(paragraphs[:5]))
    return dates.with_year(Document(  # a year the text states ("自2020年12月10日实施") where find_year saw none
        id=doc_id,
        title=title,
        text="\n".join(paragraphs),
        source=path.name,
        region=region,
        issuer=find_issuer(part.lines, title, region),
        year=find_year(raw, title),
    ))
