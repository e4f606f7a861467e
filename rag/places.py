"""The one place detector: provinces, cities and well-known districts named in a text.

    find("合肥和成渝两地对AI企业租房有补贴吗")
    -> [Mention("合肥", "合肥市", 0), Mention("成都", "成都市", 3), Mention("重庆", "重庆市", 3)]
    region_of("黄埔区") -> "广州市"; province_of("武汉市") -> "湖北省"

Names come from a gazetteer (rag/data/places.txt: every province and prefecture-level city, and the
districts and zones people name instead of their city, and other names of a city: 蓉城, 鹏城), never from a tagger's guess: jieba tags 合肥 as
a plain noun and 上市 as a place. Indexing (a document's region), retrieval (regions a question names)
and answering (scope checks) all use this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .text import POLICY_TYPES, TYPE_SHORT, word_spans

GAZETTEER = Path(__file__).resolve().parent / "data" / "places.txt"

# Short forms people use for several places at once (general usage, not tied to any question).
GROUPS: dict[str, tuple[str, ...]] = {
    "成渝": ("成都市", "重庆市"),
    "京津冀": ("北京市", "天津市", "河北省"),
    "长三角": ("上海市", "江苏省", "浙江省", "安徽省"),
    "珠三角": ("广州市", "深圳市", "珠海市", "佛山市", "东莞市", "中山市", "江门市", "惠州市", "肇庆市"),
    "北上广深": ("北京市", "上海市", "广州市", "深圳市"),
    "北上广": ("北京市", "上海市", "广州市"),
    "粤港澳大湾区": ("广州市", "深圳市", "珠海市", "佛山市", "惠州市", "东莞市", "中山市", "江门市", "肇庆市", "香港特别行政区", "澳门特别行政区"),
    "大湾区": ("广州市", "深圳市", "珠海市", "佛山市", "惠州市", "东莞市", "中山市", "江门市", "肇庆市", "香港特别行政区", "澳门特别行政区"),
    "长株潭": ("长沙市", "株洲市", "湘潭市"),
    "苏南": ("南京市", "无锡市", "常州市", "苏州市", "镇江市"),
}
_SUFFIX = re.compile(r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|地区|林区|省|市|县|区|盟)$")
_ETHNIC = re.compile(r"(?:土家族|苗族|藏族|羌族|彝族|布依族|侗族|哈尼族|壮族|傣族|白族|景颇族|傈僳族|回族|蒙古族|朝鲜族|哈萨克|柯尔克孜|蒙古)+$")
# Common words and company names that contain a place's short form without naming the place
# ("阿里云" is a company, "朝阳产业" a rising industry, "长治久安" a set phrase).
_NOT_PLACES = (
    "阿里巴巴", "阿里云", "阿里", "中山大学", "中山装", "朝阳产业", "长治久安", "世界大同", "大理石", "白银",
    "来宾", "普洱茶", "三明治", "和田玉", "日照时", "平安顺", "玉树临风",
)


@dataclass(frozen=True)
class Mention:
    """A place named in a text: as written, its full name, where it starts, and the area inside it.

    Example: "黄埔细则" -> Mention(text="黄埔", name="广州市", start=0, area="黄埔区")
    """

    text: str
    name: str  # full name of the province or city: "广州市", "湖北省", "德清县"
    start: int
    area: str | None = None  # the district or zone named, when narrower than `name`: "黄埔区", "中关村"

    @property
    def region(self) -> str:
        """The most specific administrative unit named: a county or county-level city counts as its own
        region (德清县, 常熟市), a district or zone as its city. Example: "德清" -> "德清县"; "黄埔" -> "广州市" """
        return self.area if self.area and self.area.endswith(("县", "市")) else self.name


@dataclass(frozen=True)
class _Entry:
    name: str  # what an alias resolves to: a province, city or county as the gazetteer spells it
    city: str | None  # for districts and zones: their city
    province: str | None


def short(name: str) -> str:
    """A place name without its administrative suffix. Example: "恩施土家族苗族自治州" -> "恩施"."""
    base = _SUFFIX.sub("", name)
    plain = _ETHNIC.sub("", base)
    base = plain if len(plain) >= 2 else base
    return base if len(base) >= 2 else name


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict[str, _Entry], dict[str, str]]:
    """alias -> entry (ambiguous aliases dropped), and city/county -> province."""
    entries: dict[str, list[_Entry]] = {}
    province_of: dict[str, str] = {}

    def add(alias: str, entry: _Entry) -> None:
        if len(alias) >= 2 and entry not in entries.setdefault(alias, []):
            entries[alias].append(entry)

    for head, rest in _lines():
        if head.startswith(("=", "~")):  # other names of a city: the city itself
            city = head[1:].strip()
            for alias in rest.split():
                add(alias, _Entry(city, None, province_of.get(city)))
            continue
        if head.startswith("^"):  # one-character short forms: read apart, by `_single_names`
            continue
        if head.startswith("!"):  # countries: places no policy of the index can be about
            for country in rest.split():
                add(country, _Entry(country, None, None))
            continue
        if head.startswith("@"):
            city = head[1:].strip()
            for area in rest.split():
                entry = _Entry(area, city, province_of.get(city))
                add(area, entry)
                if area.endswith(("区", "县", "市")) and len(short(area)) >= 2:
                    add(short(area), entry)
            continue
        province = head.strip()
        add(province, _Entry(province, None, None))
        add(short(province), _Entry(province, None, None))
        for city in rest.split():
            if city == province:
                continue
            province_of[city] = province
            add(city, _Entry(city, None, province))
            add(short(city), _Entry(city, None, province))
    return _resolve_ambiguity(entries), province_of


def _lines() -> list[tuple[str, str]]:
    """(head, rest) of each line of the gazetteer that is not blank or a comment: ("@北京市", " 中关村 …")."""
    out = []
    for line in GAZETTEER.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            head, _, rest = line.partition(":")
            out.append((head, rest))
    return out


@lru_cache(maxsize=1)
def _other_names() -> dict[str, str]:
    """Other name of a city -> its short name: {"蓉城": "成都", …} (the "=" lines of the gazetteer)."""
    return {alias: short(head[1:].strip()) for head, rest in _lines() if head.startswith(("=", "~")) for alias in rest.split()}


@lru_cache(maxsize=1)
def _inside_words() -> frozenset[str]:
    """Other names of a city that common words hold ("卫星城" holds 星城): the "~" lines of the gazetteer."""
    return frozenset(alias for head, rest in _lines() if head.startswith("~") for alias in rest.split())


@lru_cache(maxsize=1)
def _single_names() -> dict[str, str]:
    """One-character short form -> the province or city it names: {"渝": "重庆市", …} (the "^" lines)."""
    return {alias: head[1:].strip() for head, rest in _lines() if head.startswith("^") for alias in rest.split()}


# what a question calls a policy or a zone, right after a place's one-character short form: "渝试验区方案", "鄂总规"
# (the last two characters of a policy type; 总规 not of 总规模)
_NAMING = "|".join(
    ["试验区", "先导区", "文件", *dict.fromkeys(t[-2:] for t in POLICY_TYPES), *(f"{short}(?!模)" for short in TYPE_SHORT)]
)


@lru_cache(maxsize=1)
def _single_pattern() -> re.Pattern[str]:
    """A one-character short form standing as a word of its own: no Chinese character on either side; or, as
    group `beside`, next to a word that joins or places it ("跟穗…", "沪和渝…", "沪上…", "渝这边"; not "在沪上市", a
    listing) or before what names a policy or zone ("渝试验区方案", _NAMING), a place only when jieba also cuts
    it as a word (not 沪 of 沪府, nor 穗 of 稻穗)."""
    chars = "".join(_single_names())
    return re.compile(
        rf"(?<![\u4e00-\u9fff])[{chars}](?![\u4e00-\u9fff])|(?P<beside>(?<=[跟和与同及])[{chars}]|[{chars}](?=[跟和与同及的这那]|上(?!市)|{_NAMING}))"
    )


@lru_cache(maxsize=1)
def _usual_of() -> dict[str, str]:
    """Other name or one-character short form -> the short name a policy writes: {"蓉城": "成都", "渝": "重庆"}"""
    return _other_names() | {alias: short(name) for alias, name in _single_names().items()}


def usual_names(text: str) -> str:
    """`text` with each city's other name written as its usual one, for searching: a policy says 成都, and
    蓉城 would match its 在蓉 and 来蓉 (talent clauses) by meaning.

    Example: usual_names("蓉城的AI企业租房有补贴吗") -> "成都的AI企业租房有补贴吗"
    """
    other = _usual_of()
    if not any(alias in text for alias in other):  # most questions: no scan for places
        return text
    for m in reversed(find(text)):  # the names found as places, not every string that spells one
        if m.text in other:
            text = text[: m.start] + other[m.text] + text[m.start + len(m.text) :]
    return text


def _resolve_ambiguity(entries: dict[str, list[_Entry]]) -> dict[str, _Entry]:
    """One entry per alias: a province beats a city of the same short name (吉林), a city beats a
    district (朝阳); aliases still ambiguous after that are dropped."""
    out: dict[str, _Entry] = {}
    for alias, options in entries.items():
        for rank in (lambda e: e.province is None and e.city is None, lambda e: e.city is None, lambda e: True):
            chosen = [e for e in options if rank(e)]
            if chosen:
                break
        if len({e.name for e in chosen}) == 1:
            out[alias] = chosen[0]
    return out


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    aliases = sorted(set(_gazetteer()[0]) | set(GROUPS), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, aliases)))


def find(text: str) -> list[Mention]:
    """Places named in `text`, in order of mention; a group (成渝) gives each of its members, unless the
    text also names some of them: then the group only sets the scene ("成渝那边 重庆…" asks about 重庆).

    Example: find("郑州和沈阳到2025年的目标") -> [Mention("郑州", "郑州市", 0), Mention("沈阳", "沈阳市", 3)]
    """
    if not text:
        return []
    masked = _mask_not_places(text)
    table, _ = _gazetteer()
    out: list[Mention] = []
    groups: list[re.Match[str]] = []
    spans: frozenset[tuple[int, int]] | None = None  # jieba's words of the text, read when a country (or 星城) is met
    for m in _pattern().finditer(masked):
        if m.group(0) in GROUPS:
            groups.append(m)
            continue
        entry = table[m.group(0)]
        if entry.name in _countries() or m.group(0) in _inside_words():
            spans = word_spans(masked) if spans is None else spans  # jieba once per text, not per mention
            if (m.start(), m.end()) not in spans:
                continue  # 精英国际: 英国 is no word there; nor 星城 in 卫星城
        if entry.city:
            out.append(Mention(m.group(0), entry.city, m.start(), area=entry.name))
        else:
            out.append(Mention(m.group(0), entry.name, m.start()))
    taken = [(m.start, m.start + len(m.text)) for m in out] + [(m.start(), m.end()) for m in groups]
    for m in _single_pattern().finditer(masked):
        if any(a <= m.start() < b for a, b in taken):
            continue
        if m.lastgroup == "beside":  # "跟穗20-22那份", "沪上的实施意见": only where jieba reads it as a word
            spans = word_spans(masked) if spans is None else spans
            if (m.start(), m.end()) not in spans:
                continue
        out.append(Mention(m.group(0), _single_names()[m.group(0)], m.start()))
    # a place named inside a group's member ("苏州…对长三角要起啥作用": 苏州市 of 江苏省) is asked about, and
    # the group only says what about, as when the member itself is named
    named = {mention.name for mention in out} | {p for mention in out if (p := province_of(mention.name))}
    for m in groups:
        if not named & set(GROUPS[m.group(0)]):
            out.extend(Mention(m.group(0), name, m.start()) for name in GROUPS[m.group(0)])
    return sorted(out, key=lambda mention: mention.start)


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    return frozenset(country for head, rest in _lines() if head.startswith("!") for country in rest.split())


def _mask_not_places(text: str) -> str:
    for word in _NOT_PLACES:
        text = text.replace(word, "　" * len(word))
    return text


def names(text: str) -> list[str]:
    """Full names of the places a text names, first mention first, each once.

    Example: names("成渝两地") -> ["成都市", "重庆市"]
    """
    return list(dict.fromkeys(m.region for m in find(text)))


# A place the gazetteer lacks, named as the issuer or subject of a policy: "某某县人民政府关于…".
_VERB = re.compile(r"^(?:为了|为|关于|加快|推进|推动|促进|建设|支持|在|对)+")  # "为加快示例市…" names 示例市
_NAMED_AS_ISSUER = re.compile(r"([\u4e00-\u9fff]{2,4}?[省市县区])(?:人民政府|关于|新一代|人工智能|加快|建设|推进)")


def first(*texts: str | None) -> str | None:
    """The first place named in the first text that names one (a gazetteer name, or a 省/市/县/区 the text
    names as a policy's issuer or subject). Example: first("推进上海马桥…方案") -> "上海市" """
    for text in texts:
        found = find(text or "")
        issuer = _NAMED_AS_ISSUER.search(text or "")
        if found and (issuer is None or found[0].start <= issuer.start()):
            return found[0].region
        if issuer:
            return _VERB.sub("", issuer.group(1)) or None
    return None


def all_names() -> list[str]:
    """Every place the gazetteer knows, by full name (provinces, cities, counties, districts and zones)."""
    return sorted({e.name for e in _gazetteer()[0].values()} | set(_gazetteer()[1]))


def all_cities() -> list[str]:
    """Every prefecture-level city (and county) of the gazetteer. Example: "厦门市" in all_cities() -> True"""
    return sorted(_gazetteer()[1])


def province_of(name: str) -> str | None:
    """The province of a city or county. Example: province_of("武汉市") -> "湖北省"; province_of("湖北省") -> None"""
    table, provinces = _gazetteer()
    if name in provinces:
        return provinces[name]
    entry = table.get(name)
    if entry and entry.city:
        return provinces.get(entry.city)
    return None


def region_of(alias: str) -> str | None:
    """The province or city an alias resolves to. Example: region_of("黄埔区") -> "广州市"; region_of("x") -> None"""
    entry = _gazetteer()[0].get(alias)
    if entry is None:
        return None
    return entry.city or entry.name


def aliases(name: str) -> set[str]:
    """Ways people write a place. Example: aliases("北京市") -> {"北京市", "北京"}"""
    return {name, short(name)} if len(short(name)) >= 2 else {name}
