"""The one place detector: gazetteer names, short forms, groups, districts, and words that only look like places."""

from __future__ import annotations

import json

import pytest
from conftest import PROJECT

from rag import places


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("合肥对AI企业租房有补贴吗", [("合肥", "合肥市", None)]),
        ("成渝两地的目标一样吗", [("成渝", "成都市", None), ("成渝", "重庆市", None)]),
        ("黄埔细则第三十条", [("黄埔", "广州市", "黄埔区")]),
        ("中关村十五条措施", [("中关村", "北京市", "中关村")]),
        ("光谷的企业", [("光谷", "武汉市", "光谷")]),
        ("吉林省和吉林市", [("吉林省", "吉林省", None), ("吉林市", "吉林市", None)]),
        ("恩施州的政策", [("恩施", "恩施土家族苗族自治州", None)]),
        ("内蒙古有什么支持", [("内蒙古", "内蒙古自治区", None)]),
        # a group that also has a member named only sets the scene: the member is what is asked about
        ("成渝那边 重庆的文旅项目谁牵头", [("重庆", "重庆市", None)]),
        # a city inside a member (苏州市 of 江苏省) is named as the member would be
        ("苏州的方案 对长三角要起啥作用", [("苏州", "苏州市", None)]),
        ("德清怎么融入长三角", [("德清", "湖州市", "德清县")]),
        ("珠三角里 深圳和广州哪个补得多", [("深圳", "深圳市", None), ("广州", "广州市", None)]),
        ("合肥和成渝比", [("合肥", "合肥市", None), ("成渝", "成都市", None), ("成渝", "重庆市", None)]),
        ("雄安对AI企业有啥补贴", [("雄安", "河北省", "雄安")]),  # a 新区 by its short name: not another city's
        ("两江新区的企业", [("两江新区", "重庆市", "两江新区")]),
        ("长株潭AI补贴", [("长株潭", "长沙市", None), ("长株潭", "株洲市", None), ("长株潭", "湘潭市", None)]),
        ("美国对AI企业补贴多少", [("美国", "美国", None)]),  # a country: about no policy of the index
    ],
)
def test_places_come_from_the_gazetteer(text: str, expected: list[tuple[str, str, str | None]]) -> None:
    assert [(m.text, m.name, m.area) for m in places.find(text)] == expected


@pytest.mark.parametrize("text", ["支持企业上市融资", "阿里云和百度的大模型", "朝阳产业", "城市大脑", "长治久安", "长江北岸", "滨海城市", "天府之国", "培养精英国际化人才", "", "😀"])
def test_words_that_only_contain_a_place_name_are_not_places(text: str) -> None:
    assert places.find(text) == []


def test_a_county_is_its_own_region_and_a_district_belongs_to_its_city() -> None:
    assert places.names("德清规划") == ["德清县"]
    assert places.names("黄埔区的细则") == ["广州市"]
    assert places.province_of("武汉市") == "湖北省" and places.province_of("德清县") == "浙江省"
    assert places.province_of("湖北省") is None
    assert places.region_of("黄埔区") == "广州市" and places.region_of("不存在") is None


def test_short_forms_drop_the_suffix_and_ethnic_names() -> None:
    assert places.short("北京市") == "北京"
    assert places.short("黔西南布依族苗族自治州") == "黔西南"
    assert places.short("广西壮族自治区") == "广西"
    assert places.aliases("北京市") == {"北京市", "北京"}


def test_every_bundled_policy_keeps_its_region() -> None:
    """The regions the index records are what the gazetteer finds in each policy's title and opening."""
    manifest = json.loads((PROJECT / "index" / "manifest.json").read_text(encoding="utf-8"))
    lines = (PROJECT / "index" / manifest["data"]["documents"]).read_text(encoding="utf-8").splitlines()
    for doc in map(json.loads, lines):
        opening = "\n".join(doc["text"].split("\n")[:5])
        assert places.first(doc["title"], opening) == doc["region"], doc["title"]


def test_a_long_text_is_scanned_once_in_linear_time() -> None:
    text = "北京上海广州深圳" * 5000
    assert len(places.find(text)) == 20000


def test_countries_are_checked_against_one_reading_of_the_text(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # whether a country is a word is read from jieba once per text, not once per mention (quadratic: a
    # 2,000-character question of 美国美国… had taken 15 s)
    calls = []
    real = places.word_spans
    monkeypatch.setattr(places, "word_spans", lambda text: calls.append(1) or real(text))
    assert len(places.find("美国" * 999)) == 999 and len(calls) == 1
    calls.clear()
    assert [m.name for m in places.find("合肥的补贴")] == ["合肥市"] and calls == []  # no country: jieba not read


def test_other_names_of_a_city_name_the_city() -> None:
    assert [(m.text, m.name, m.area) for m in places.find("蓉城的算力券 申城呢")] == [("蓉城", "成都市", None), ("申城", "上海市", None)]
    assert places.names("鹏城实验室") == ["深圳市"] and places.province_of("成都市") == "四川省"
    assert places.usual_names("蓉城的AI企业租房有补贴吗 申城呢") == "成都的AI企业租房有补贴吗 上海呢"
    assert places.usual_names("北京城市副中心") == "北京城市副中心"  # 京城 inside 北京城: 北京 is the place
    assert places.find("长江城市群 卫星城 在沪上市") == []
    # a name inside common words names its city only where it is a word of its own
    assert places.names("星城长沙的AI政策 江城呢") == ["长沙市", "武汉市"]
    assert places.usual_names("山城推AI新基建 商都郑州呢") == "重庆推AI新基建 郑州郑州呢"
    assert places.find("电商都在做 发展卫星城") == []


def test_one_character_short_forms_name_a_place_only_as_words_of_their_own() -> None:
    assert [(m.text, m.name) for m in places.find("渝 AI公司的新产品 穗 琶洲那份导则")] == [("渝", "重庆市"), ("穗", "广州市"), ("琶洲", "广州市")]
    assert places.names("鄂 AI意见里的芯片攻关") == ["湖北省"] and places.names("津AI人才") == ["天津市"]
    assert places.usual_names("渝 AI公司的新产品") == "重庆 AI公司的新产品"  # searched as the policies write it
    # inside words they are ordinary characters, or name the place as part of a longer name found first
    assert places.find("沪府办发〔2017〕66号 在蓉企业 汉字 在沪上市") == []
    # beside a word joining or placing it, one cut as a word of its own is a place: "沪上的…", "跟穗…"
    assert places.names("教育这块 沪上的实施意见跟穗20-22那份行动计划") == ["上海市", "广州市"]
    # before the joining word as after it: "沪和渝", "鄂跟郑州"
    assert places.names("AI进法院这块 沪和渝各咋写的") == ["上海市", "重庆市"]
    assert places.names("乡村振兴 鄂跟郑州的AI文件各怎么提") == ["湖北省", "郑州市"]
    assert places.find("稻穗的颜色 和粤语") == []  # inside words still ordinary characters
    # before what names a policy or zone, or before 这/那: "渝试验区方案", "鄂总规", "沪这边"
    assert places.names("渝试验区方案 专利要多少项") == ["重庆市"] and places.names("鄂总规里算力咋说") == ["湖北省"]
    assert places.names("沪这边的AI政策 穗先导区那份") == ["上海市", "广州市"]
    assert places.find("稻穗规划 在沪上市的方案") == []
    assert [m.text for m in places.find("成渝 AI 京津冀")] == ["成渝", "成渝", "京津冀", "京津冀", "京津冀"]
    # characters that stand alone as common words are no short form: 新 (新疆), 云 (云南), 台 (台湾)
    assert places.find("有没有 新 AI政策 云 服务 台 账") == []
