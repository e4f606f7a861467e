"""Read policy files into cleaned `Document`s.

    load(Path("corpus/001_a574007286141d25.txt"))
    -> [Document(id="001_a574007286141d25",
                 title="湖北省人民政府办公厅关于加快推进人工智能产业发展的实施意见",
                 region="湖北省", issuer="湖北省人民政府办公厅", year=2025, ...)]

Stages, in order: read the bytes (txt/md/html/docx/pdf) into lines; split a
compilation into its policies using its 目录; clean each policy (drop site chrome,
page numbers and figure captions, rejoin paragraphs broken across lines and
pages, normalise whitespace); read title, region, issuer and year from it.
"""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import dates
from .errors import LoaderError
from .model import Document

log = logging.getLogger(__name__)

SUPPORTED = {".txt", ".md", ".html", ".htm", ".docx", ".pdf"}

# A line ending in one of these closes its paragraph; anything else may continue.
_TERMINAL = '。；！？：:;!?”"’）)】]〕>'
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


@dataclass(frozen=True)
class _Part:
    """A policy inside a file before cleaning: its title and raw lines."""

    title: str | None
    lines: list[str]
    section: str | None = None  # the compilation section header it sits under


def load(path: Path) -> list[Document]:
    """Read one file into its Documents (several for a compilation).

    Example: load(Path("corpus/004_19fc23e80da6329a.txt")) -> 33 Documents with ids
    "004_19fc23e80da6329a-01" … "-33", each with its own title and city.
    """
    path = Path(path)
    lines = read_lines(path)
    parts = split_compilation(lines)
    if parts is None:
        doc = _make_document(path.stem, path, _Part(None, lines))
        return [doc] if doc.text else []
    docs = [_make_document(f"{path.stem}-{i:02d}", path, p) for i, p in enumerate(parts, 1)]
    return [d for d in docs if d.text]


def load_many(paths: Iterable[Path]) -> tuple[list[Document], list[tuple[Path, str]]]:
    """Load several files; a file that fails is reported, not fatal.

    Example: load_many([good, broken]) -> ([Document…], [(broken, "cannot read …")])
    """
    docs: list[Document] = []
    failed: list[tuple[Path, str]] = []
    for path in paths:
        try:
            docs.extend(load(Path(path)))
        except LoaderError as exc:
            log.warning("skipping %s: %s", path, exc)
            failed.append((Path(path), str(exc)))
    return docs, failed


# ---------------------------------------------------------------- reading


def read_lines(path: Path) -> list[str]:
    """Raw text lines of a supported file. Raises LoaderError naming the file."""
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
        if suffix in {".txt", ".md"}:
            text = decode_text(data)
        elif suffix in {".html", ".htm"}:
            text = html_to_text(decode_text(data))
        elif suffix == ".docx":
            text = docx_to_text(path)
        else:
            text = pdf_to_text(path)
    except LoaderError:
        raise
    except Exception as exc:  # parsers raise many unrelated types on corrupt files
        raise LoaderError(f"{path.name}: cannot parse as {suffix[1:]} ({type(exc).__name__}: {exc})") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


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


def pdf_to_text(path: Path) -> str:
    """Text of every page of a PDF; page breaks become blank lines, rejoined by cleaning."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    pages = [page.extract_text() or "" for page in reader.pages]
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
    for title, section in toc:
        hit = _find_heading(lines, _key(title), cursor)
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


def _find_heading(lines: list[str], key: str, start: int) -> tuple[int, int] | None:
    """(line, height) where `key` is spelt out by 1–3 consecutive non-empty short lines."""
    for i in range(start, len(lines)):
        joined, used = "", []
        for j in range(i, min(i + 8, len(lines))):
            piece = _key(lines[j])
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
    paragraphs: list[str] = []
    for line in _drop_short_runs(kept):
        if line == _BREAK:
            paragraphs.append(line)
        elif paragraphs and paragraphs[-1] != _BREAK and continues(paragraphs[-1], line):
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
    return [p for p in paragraphs if p != _BREAK]


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
    if prev[-1] in _TERMINAL or " | " in prev or " | " in line:
        return False
    if HEADING_RE.match(line) or _DATE_LINE.match(line) or _SLASH_DATE.match(line) or _SLASH_DATE.match(prev):
        return False
    if (
        line.endswith(("：", ":")) and len(line) <= 40
    ):  # an addressee line: "各市、州、县人民政府，省政府各部门："
        return False
    if prev[-1] in "，,、（(“‘《—":  # cut mid-sentence, whatever its length
        return True
    if len(prev) < 20:  # short unfinished lines are titles and headings, not broken text
        return False
    # A numbered heading without a full stop ("（二）打造“3+2+N”示范创新应用") is short;
    # a numbered paragraph broken mid-sentence is a long line.
    return not (HEADING_RE.match(prev) and len(prev) <= 30)


# ---------------------------------------------------------------- metadata


_PROVINCES = [
    "北京市",
    "天津市",
    "上海市",
    "重庆市",
    "河北省",
    "山西省",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "海南省",
    "四川省",
    "贵州省",
    "云南省",
    "陕西省",
    "甘肃省",
    "青海省",
    "台湾省",
    "内蒙古自治区",
    "广西壮族自治区",
    "西藏自治区",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "香港特别行政区",
    "澳门特别行政区",
]
_CITIES = [
    "武汉市",
    "长沙市",
    "广州市",
    "深圳市",
    "杭州市",
    "合肥市",
    "成都市",
    "西安市",
    "济南市",
    "苏州市",
    "郑州市",
    "沈阳市",
    "南京市",
    "宁波市",
    "青岛市",
    "厦门市",
    "大连市",
    "哈尔滨市",
    "长春市",
    "石家庄市",
    "太原市",
    "南昌市",
    "福州市",
    "昆明市",
    "贵阳市",
    "南宁市",
    "兰州市",
    "海口市",
    "呼和浩特市",
    "乌鲁木齐市",
    "银川市",
    "西宁市",
    "拉萨市",
    "无锡市",
    "东莞市",
    "佛山市",
    "襄阳市",
    "宜昌市",
    "十堰市",
    "鄂州市",
    "德清县",
]
# "湖北" and "湖北省" both name Hubei; the short form is what titles often use.
_REGIONS = {
    name[:-1] if name.endswith(("省", "市", "县")) else name[:2]: name for name in _PROVINCES + _CITIES
}
_REGIONS.update({"内蒙古": "内蒙古自治区", "广西": "广西壮族自治区", "黑龙江": "黑龙江省"})
_REGION_RE = re.compile("|".join(sorted(map(re.escape, _REGIONS), key=len, reverse=True)))
_GENERIC_REGION = re.compile(
    r"([\u4e00-\u9fff]{2,4}?[省市县])(?:人民政府|关于|新一代|人工智能|加快|建设|推进)"
)


def find_region(*texts: str | None) -> str | None:
    """First 省/市/县 named in the given texts, in order, as its full name.

    Example: find_region("推进上海马桥人工智能创新试验区建设工作方案") -> "上海市"
    """
    for text in texts:
        if not text:
            continue
        known = _REGION_RE.search(text)
        generic = _GENERIC_REGION.search(text)
        if known and (generic is None or known.start() <= generic.start()):
            return _REGIONS[known.group(0)]
        if generic:
            return generic.group(1)
    return None


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
    region = find_region(title, part.section, "\n".join(paragraphs[:5]))
    return dates.with_year(Document(  # a year the text states ("自2020年12月10日实施") where find_year saw none
        id=doc_id,
        title=title,
        text="\n".join(paragraphs),
        source=path.name,
        region=region,
        issuer=find_issuer(part.lines, title, region),
        year=find_year(raw, title),
    ))
