"""Sources and authors: every meta-line form the portal's templates write, with exact values."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.utils.test import get_crawler

from pipelines.sources import (
    PORTAL_NAME,
    PUBLISHERS_FILE,
    Credit,
    Publisher,
    Publishers,
    Role,
    SourcesPipeline,
    clean_source,
    default_publishers,
    normalize_author,
    normalize_source,
    parse_authors,
    parse_editor,
    source_link,
)
from xzcrawler.items import Article

# --- sources: every label, colon, bracket and glued form around every common spelling ------

# (spelling on the page, as clean_source gives it, canonical publisher)
SPELLINGS = [
    ("七一网", "七一网", "七一网"),
    ("人民网", "人民网", "人民网"),
    ("人民网-人民日报", "人民网-人民日报", "人民网"),
    ("人民网 -人民日报", "人民网-人民日报", "人民网"),
    ("人民网－人民日报", "人民网-人民日报", "人民网"),
    ("人民网—人民日报", "人民网—人民日报", "人民网"),
    ("people.com.cn", "people.com.cn", "人民网"),
    ("www.people.com.cn", "people.com.cn", "人民网"),
    ("人民日报", "人民日报", "人民日报"),
    ("《人民日报》", "人民日报", "人民日报"),
    ("新华网", "新华网", "新华网"),
    ("新华网站", "新华网站", "新华网"),
    ("www.news.cn", "news.cn", "新华网"),
    ("xinhuanet.com", "xinhuanet.com", "新华网"),
    ("新华社", "新华社", "新华社"),
    ("新华通讯社", "新华通讯社", "新华社"),
    ("中国共产党新闻网", "中国共产党新闻网", "中国共产党新闻网"),
    ("中共新闻网", "中共新闻网", "中国共产党新闻网"),
    ("cpc.people.com.cn", "cpc.people.com.cn", "中国共产党新闻网"),
    ("共产党员网", "共产党员网", "共产党员网"),
    ("www.12371.cn", "12371.cn", "共产党员网"),
    ("求是网", "求是网", "求是网"),
    ("《求是》", "求是", "求是"),
    ("光明网", "光明网", "光明网"),
    ("光明日报", "光明日报", "光明日报"),
    ("央视网", "央视网", "央视网"),
    ("中国新闻网", "中国新闻网", "中国新闻网"),
    ("中新网", "中新网", "中国新闻网"),
    ("中新社", "中新社", "中国新闻社"),
    ("学习强国学习平台", "学习强国学习平台", "学习强国"),
    ("中央纪委国家监委网站", "中央纪委国家监委网站", "中央纪委国家监委网站"),
    ("农民日报", "农民日报", "农民日报"),
    ("荆楚网", "荆楚网", "荆楚网"),
    ("XX县融媒体中心", "XX县融媒体中心", "XX县融媒体中心"),
]
# The label forms, each with its ASCII or full-width colon and spaces.
LABELS = [
    "来源:",
    "来源：",
    "来源: ",
    "来源　：　",
    "稿件来源：",
    "文章来源:",
    "信息来源：",
    "转自：",
    "转自 ",
    "转载自：",
    "出处:",
    "",
]
# What templates put around the value: brackets, trailing punctuation, glued fields, spaces.
WRAPPERS = [
    "{}",
    "【{}】",
    "({})",
    "（{}）",
    "[{}]",
    "{}。",
    "{} 作者：张三",
    "{}  编辑：李四",
    "{}\u3000责任编辑：王五",
    "  {}  ",
    "{} 2020-11-12 10:35",
    "{}|",
]


def _generated_sources() -> list[tuple[str, str, str]]:
    """(raw, cleaned, canonical): each spelling under each label, wrappers in rotation."""
    wrappers = itertools.cycle(WRAPPERS)
    cases = []
    for (spelling, cleaned, canonical), label in itertools.product(SPELLINGS, LABELS):
        wrapper = next(wrappers)
        outer = wrapper in {"【{}】", "({})", "（{}）", "[{}]"}
        raw = wrapper.format(label + spelling) if outer else label + wrapper.format(spelling)
        cases.append((raw, cleaned, canonical))
    return cases


GENERATED_SOURCES = _generated_sources()


@pytest.mark.parametrize(("raw", "cleaned", "canonical"), GENERATED_SOURCES)
def test_source_forms_clean_and_fold_to_one_publisher(
    raw: str, cleaned: str, canonical: str
) -> None:
    assert clean_source(raw) == cleaned
    assert normalize_source(raw) == canonical


# (raw, cleaned, canonical, link URL): the forms the issue names, one by one.
SOURCE_CASES = [
    ("来源: 七一网", "七一网", "七一网", None),
    ("2020-11-12 作者:佚名 来源: 七一网", "七一网", "七一网", None),
    ("来源：人民网", "人民网", "人民网", None),
    ("来源:人民网", "人民网", "人民网", None),
    ("来源：　人民网　", "人民网", "人民网", None),
    ("来源 : 人民网", "人民网", "人民网", None),
    ("来源人民网", "人民网", "人民网", None),
    ("【来源：人民网】", "人民网", "人民网", None),
    ("(来源:新华网)", "新华网", "新华网", None),
    ("（来源：新华社）", "新华社", "新华社", None),
    ("[来源：光明网]", "光明网", "光明网", None),
    ("来源：【中国新闻网】", "中国新闻网", "中国新闻网", None),
    ("来源：(央视网)", "央视网", "央视网", None),
    ("来源：“人民网”", "人民网", "人民网", None),
    ("来源：「求是网」", "求是网", "求是网", None),
    ("来源：人民网。", "人民网", "人民网", None),
    ("来源：人民网；", "人民网", "人民网", None),
    ("来源：人民网,", "人民网", "人民网", None),
    ("来源：人民网 |", "人民网", "人民网", None),
    ("来源：人民网 —", "人民网", "人民网", None),
    ("稿件来源：中国共产党新闻网 作者：张三", "中国共产党新闻网", "中国共产党新闻网", None),
    ("稿件来源：中国共产党新闻网作者：张三", "中国共产党新闻网", "中国共产党新闻网", None),
    ("文章来源:光明网  编辑：李四", "光明网", "光明网", None),
    ("来源：人民网 | 责任编辑：李四", "人民网", "人民网", None),
    ("来源：人民网 责任编辑 李四", "人民网", "人民网", None),
    ("来源：新华网 记者 张三", "新华网", "新华网", None),
    ("来源：人民网（记者 张三）", "人民网", "人民网", None),
    ("来源：人民网 (通讯员 王五)", "人民网", "人民网", None),
    ("来源：人民网 文：张三", "人民网", "人民网", None),
    ("来源：新华网 2020-11-12 10:35", "新华网", "新华网", None),
    ("来源：新华网 2020年11月12日", "新华网", "新华网", None),
    ("来源：新华网 发布时间：2020-11-12", "新华网", "新华网", None),
    ("来源：人民网 点击数：<span id=hits>12</span>", "人民网", "人民网", None),
    ("来源：人民网 浏览次数：35", "人民网", "人民网", None),
    ("【字体：大 中 小】来源：人民网", "人民网", "人民网", None),
    ("来源：人民网 【字体：大 中 小】", "人民网", "人民网", None),
    ("转自 求是网", "求是网", "求是网", None),
    ("转载自：央视网。", "央视网", "央视网", None),
    ("转载于：共产党员网", "共产党员网", "共产党员网", None),
    ("出处：《人民日报》", "人民日报", "人民日报", None),
    ("摘自《求是》杂志", "《求是》杂志", "求是", None),
    ("来自：中国青年网", "中国青年网", "中国青年网", None),
    ("信息来源：农业农村部网站", "农业农村部网站", "农业农村部", None),
    ("来源：ＣＨＩＮＡ　ＤＡＩＬＹ", "CHINA DAILY", "中国日报", None),
    ("来源：China Daily", "China Daily", "中国日报", None),
    ("来源：Xinhua", "Xinhua", "新华社", None),
    ("来源：ｗｗｗ．ｐｅｏｐｌｅ．ｃｏｍ．ｃｎ", "people.com.cn", "人民网", None),
    ("来源：WWW.NEWS.CN", "news.cn", "新华网", None),
    ("来源：人民网&nbsp;", "人民网", "人民网", None),
    ("来源：人民网&amp;人民日报", "人民网&人民日报", "人民网&人民日报", None),
    (
        '<a href="http://www.people.com.cn/" target="_blank">人民网</a>',
        "人民网",
        "人民网",
        "http://www.people.com.cn/",
    ),
    (
        "来源：<a href='http://cpc.people.com.cn'>中国共产党新闻网</a>",
        "中国共产党新闻网",
        "中国共产党新闻网",
        "http://cpc.people.com.cn",
    ),
    (
        "来源：<a href=http://www.news.cn/politics/ target=_blank><font color=red>新华网</font>",
        "新华网",
        "新华网",
        "http://www.news.cn/politics/",
    ),
    (
        '<span>来源：</span><a href="https://www.12371.gov.cn/">七一网</a>',
        "七一网",
        "七一网",
        "https://www.12371.gov.cn/",
    ),
    (
        '来源：<a href="http://www.example.gov.cn/a.html">XX县人民政府</a>',
        "XX县人民政府",
        "XX县人民政府",
        "http://www.example.gov.cn/a.html",
    ),
    ('<a href="/html/about.html">本站</a>', "本站", PORTAL_NAME, "/html/about.html"),
    ('<a href="http://www.gmw.cn"></a>', "gmw.cn", "光明网", "http://www.gmw.cn"),
    (
        "来源：http://www.news.cn/politics/2020/1.htm",
        "news.cn",
        "新华网",
        "http://www.news.cn/politics/2020/1.htm",
    ),
    (
        "来源：https://www.12371.gov.cn/Item/566092.aspx",
        "12371.gov.cn",
        "七一网",
        "https://www.12371.gov.cn/Item/566092.aspx",
    ),
    ("来源：人民网 http://www.people.com.cn", "人民网", "人民网", "http://www.people.com.cn"),
    ("来源：www.12371.cn", "12371.cn", "共产党员网", None),
    ("来源：politics.people.com.cn", "politics.people.com.cn", "人民网", None),
    ("来源：hb.people.com.cn/n2/2020/1112/c1.html", "hb.people.com.cn", "人民网", None),
    ("来源：paper.people.com.cn", "paper.people.com.cn", "人民日报", None),
    ("来源：news.hubei.gov.cn", "news.hubei.gov.cn", "news.hubei.gov.cn", None),
    ("来源：www.gov.cn", "gov.cn", "中国政府网", None),
    ("来源：人民网(北京)", "人民网(北京)", "人民网(北京)", None),
    ("来源：中国文明网", "中国文明网", "中国文明网", None),
    ("来源：《求是》编辑部", "《求是》编辑部", "《求是》编辑部", None),
    ("来源：新华每日电讯", "新华每日电讯", "新华每日电讯", None),
    ("来源：人民日报海外版", "人民日报海外版", "人民日报海外版", None),
    ("来源：XX镇人民政府", "XX镇人民政府", "XX镇人民政府", None),
    ("来源：本站", "本站", PORTAL_NAME, None),
    ("来源：本网", "本网", PORTAL_NAME, None),
    ("来源：本站原创", "本站原创", PORTAL_NAME, None),
    ("来源：原创", "原创", PORTAL_NAME, None),
    ("来源：本网综合", "本网综合", PORTAL_NAME, None),
    ("来源：乡镇时评网", "乡镇时评网", PORTAL_NAME, None),
    ("来源：xzspw.org.cn", "xzspw.org.cn", PORTAL_NAME, None),
    ("来源：www.xzspw.org.cn", "xzspw.org.cn", PORTAL_NAME, None),
    ("来源：网络", "网络", None, None),
    ("来源：互联网", "互联网", None, None),
    ("来源：未知", "未知", None, None),
    ("来源：来自网络", "网络", None, None),
    ("来自网络", "网络", None, None),
    ("来源：网络整理", "网络整理", None, None),
    ("来源：综合", "综合", None, None),
    ("来源：", None, None, None),
    ("来源：  ", None, None, None),
    ("【】", None, None, None),
    ("", None, None, None),
    (None, None, None, None),
    ("作者：张三", None, None, None),
]


@pytest.mark.parametrize(("raw", "cleaned", "canonical", "link"), SOURCE_CASES)
def test_source_form(
    raw: str | None, cleaned: str | None, canonical: str | None, link: str | None
) -> None:
    assert clean_source(raw) == cleaned
    assert normalize_source(raw) == canonical
    assert source_link(raw) == link


@pytest.mark.parametrize("between", ["-", "－", " — ", "/", "／", "·", "|", " ", ""])
@pytest.mark.parametrize(("site", "paper"), [("光明网", "光明日报"), ("人民网", "人民日报")])
def test_a_site_naming_its_paper_in_title_brackets_gives_the_paper(
    site: str, paper: str, between: str
) -> None:
    assert normalize_source(f"来源：{site}{between}《{paper}》") == paper


@pytest.mark.parametrize("padding", ["、", "，", " ", "\u3000", "：", "【"])
@pytest.mark.parametrize("side", ["before", "after"])
def test_a_paper_in_title_brackets_is_cleaned_as_any_source(padding: str, side: str) -> None:
    """Whatever stands inside the brackets beside the name goes, as around any source, so
    the publisher read once reads the same again."""
    inside = f"{padding}光明日报" if side == "before" else f"光明日报{padding}"
    once = normalize_source(f"来源：光明网/《{inside}》")
    assert once == "光明日报"
    assert normalize_source(once) == once


@pytest.mark.parametrize(
    ("raw", "portal", "expected"),
    [
        ("来源：本站", "某某时评网", "某某时评网"),
        ("来源：某某时评网", "某某时评网", "某某时评网"),
        ("来源：乡镇时评网", "某某时评网", "某某时评网"),
        ("来源：网络", "某某时评网", None),
        ("来源：人民网", "某某时评网", "人民网"),
    ],
)
def test_portal_placeholders_name_the_configured_portal(
    raw: str, portal: str, expected: str | None
) -> None:
    assert normalize_source(raw, portal=portal) == expected


# --- the alias table ---------------------------------------------------------------------

DISTINCT = [
    ("新华社", "新华网"),
    ("人民日报", "人民网"),
    ("人民日报", "人民日报海外版"),
    ("中国共产党新闻网", "人民网"),
    ("共产党员网", "七一网"),
    ("求是", "求是网"),
    ("光明日报", "光明网"),
    ("中国新闻社", "中国新闻网"),
    ("中央电视台", "央视网"),
    ("央视新闻", "央视网"),
    ("中国日报", "中国日报网"),
    ("经济日报", "中国经济网"),
    ("中国青年报", "中国青年网"),
    ("环球时报", "环球网"),
    ("法治日报", "法制日报"),
]


@pytest.mark.parametrize(("one", "other"), DISTINCT)
def test_alias_table_never_merges_distinct_publishers(one: str, other: str) -> None:
    assert normalize_source(one) == one
    assert normalize_source(other) == other


PUBLISHER_ENTRIES = json.loads(PUBLISHERS_FILE.read_text(encoding="utf-8"))["publishers"]


@pytest.mark.parametrize(
    ("alias", "name"),
    [(alias, entry["name"]) for entry in PUBLISHER_ENTRIES for alias in entry["aliases"]],
)
def test_every_shipped_alias_names_its_publisher(alias: str, name: str) -> None:
    assert normalize_source(alias) == name
    assert normalize_source(f"来源：{alias}") == name


@pytest.mark.parametrize("name", [entry["name"] for entry in PUBLISHER_ENTRIES])
def test_every_shipped_publisher_name_is_its_own_clean_canonical_form(name: str) -> None:
    assert clean_source(name) == name
    assert normalize_source(name) == name


def test_shipped_table_lists_each_publisher_once_with_its_aliases() -> None:
    publishers = list(default_publishers())
    assert len(publishers) == len(PUBLISHER_ENTRIES) == len({p.name for p in publishers})
    assert Publisher(
        "共产党员网", ("中国共产党员网", "共产党员网站", "12371.cn", "www.12371.cn")
    ) in (publishers)


def _alias_file(tmp_path: Path, entries: list[dict[str, object]]) -> Path:
    path = tmp_path / "aliases.json"
    path.write_text(json.dumps({"publishers": entries}, ensure_ascii=False), encoding="utf-8")
    return path


def test_alias_file_extends_the_shipped_table(tmp_path: Path) -> None:
    table = Publishers.load()
    table.extend(
        _alias_file(
            tmp_path,
            [
                {"name": "XX县融媒体中心", "aliases": ["XX县融媒", "xx.gov.cn", "XX县新闻中心"]},
                {"name": "人民网", "aliases": ["人民网湖北频道"]},
            ],
        )
    )
    assert table.canonical("XX县融媒") == "XX县融媒体中心"
    assert table.canonical("news.xx.gov.cn") == "XX县融媒体中心"
    assert table.canonical("人民网湖北频道") == "人民网"
    assert table.canonical("人民网-人民日报") == "人民网"
    assert table.canonical("不在表里的网站") == "不在表里的网站"
    assert table.find("不在表里的网站") is None
    assert normalize_source("来源：XX县融媒", publishers=table) == "XX县融媒体中心"
    assert normalize_source("来源：XX县融媒") == "XX县融媒"


def test_alias_file_alias_that_names_another_publisher_follows_it(tmp_path: Path) -> None:
    table = Publishers.load()
    table.extend(_alias_file(tmp_path, [{"name": "新华网", "aliases": ["新华网湖北频道"]}]))
    table.extend(_alias_file(tmp_path, [{"name": "新华网湖北", "aliases": []}]))
    table.extend(_alias_file(tmp_path, [{"name": "新华网", "aliases": ["新华网湖北"]}]))
    assert table.canonical("新华网湖北频道") == "新华网"
    assert table.canonical("新华网湖北") == "新华网"
    assert table.canonical(table.canonical("新华网湖北")) == "新华网"


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        '{"aliases": []}',
        '{"publishers": [{"aliases": ["x"]}]}',
        '{"publishers": [{"name": "【】", "aliases": []}]}',
        '{"publishers": 3}',
    ],
)
def test_unreadable_alias_file_fails_loudly(tmp_path: Path, content: str) -> None:
    path = tmp_path / "aliases.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match="alias file"):
        Publishers.load().extend(path)


def test_missing_alias_file_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="alias file"):
        Publishers.load(tmp_path / "nowhere.json")


# --- authors -----------------------------------------------------------------------------

# (raw, authors with roles, editor)
AUTHOR_CASES: list[tuple[str | None, list[Credit], str | None]] = [
    ("张三", [Credit("张三")], None),
    ("作者：张三", [Credit("张三")], None),
    ("作者:张三", [Credit("张三")], None),
    ("作者 : 张三", [Credit("张三")], None),
    ("作者　张三", [Credit("张三")], None),
    ("【作者：张三】", [Credit("张三")], None),
    ("(作者:张三)", [Credit("张三")], None),
    ("记者 张三", [Credit("张三", Role.REPORTER)], None),
    ("记者：张三", [Credit("张三", Role.REPORTER)], None),
    ("记者张三", [Credit("张三", Role.REPORTER)], None),
    ("本报记者 张三", [Credit("张三", Role.REPORTER)], None),
    ("本报记者张三", [Credit("张三", Role.REPORTER)], None),
    ("新华社记者 张三", [Credit("张三", Role.REPORTER)], None),
    ("新华社记者张三", [Credit("张三", Role.REPORTER)], None),
    ("人民日报记者 张三", [Credit("张三", Role.REPORTER)], None),
    ("特约记者 张三", [Credit("张三", Role.REPORTER)], None),
    ("见习记者 张三", [Credit("张三", Role.REPORTER)], None),
    ("记者 张三 李四", [Credit("张三", Role.REPORTER), Credit("李四", Role.REPORTER)], None),
    ("（记者 张三 李四）", [Credit("张三", Role.REPORTER), Credit("李四", Role.REPORTER)], None),
    ("记者 张三、李四", [Credit("张三", Role.REPORTER), Credit("李四", Role.REPORTER)], None),
    ("通讯员 王五", [Credit("王五", Role.CORRESPONDENT)], None),
    ("通讯员：王五", [Credit("王五", Role.CORRESPONDENT)], None),
    ("本报通讯员 王五", [Credit("王五", Role.CORRESPONDENT)], None),
    (
        "本报记者 张三 通讯员 李四 王五",
        [
            Credit("张三", Role.REPORTER),
            Credit("李四", Role.CORRESPONDENT),
            Credit("王五", Role.CORRESPONDENT),
        ],
        None,
    ),
    (
        "记者 张三 实习生 李四",
        [Credit("张三", Role.REPORTER), Credit("李四", Role.INTERN)],
        None,
    ),
    ("文/张三", [Credit("张三", Role.TEXT)], None),
    ("文：张三", [Credit("张三", Role.TEXT)], None),
    ("文 张三", [Credit("张三", Role.TEXT)], None),
    ("图/李四", [Credit("李四", Role.PHOTO)], None),
    ("摄影：李四", [Credit("李四", Role.PHOTO)], None),
    ("文/张三 图/李四", [Credit("张三", Role.TEXT), Credit("李四", Role.PHOTO)], None),
    ("文：张三　图：李四", [Credit("张三", Role.TEXT), Credit("李四", Role.PHOTO)], None),
    ("张三/文 李四/图", [Credit("张三", Role.TEXT), Credit("李四", Role.PHOTO)], None),
    ("张三 文 李四 图", [Credit("张三", Role.TEXT), Credit("李四", Role.PHOTO)], None),
    ("张三 摄", [Credit("张三", Role.PHOTO)], None),
    ("作者：张三 摄", [Credit("张三", Role.PHOTO)], None),
    ("文/图 张三", [Credit("张三", Role.TEXT_PHOTO)], None),
    ("图/文：张三", [Credit("张三", Role.TEXT_PHOTO)], None),
    ("图文：张三", [Credit("张三", Role.TEXT_PHOTO)], None),
    ("摄像：赵六", [Credit("赵六", Role.VIDEO)], None),
    (
        "新华社记者 张三 李四 摄影记者 王五",
        [Credit("张三", Role.REPORTER), Credit("李四", Role.REPORTER), Credit("王五", Role.PHOTO)],
        None,
    ),
    ("张三、李四", [Credit("张三"), Credit("李四")], None),
    ("张三，李四", [Credit("张三"), Credit("李四")], None),
    ("张三,李四", [Credit("张三"), Credit("李四")], None),
    ("张三, 李四", [Credit("张三"), Credit("李四")], None),
    ("张三/李四", [Credit("张三"), Credit("李四")], None),
    ("张三 李四", [Credit("张三"), Credit("李四")], None),
    ("张三　李四", [Credit("张三"), Credit("李四")], None),
    ("张三  李四", [Credit("张三"), Credit("李四")], None),
    ("张三;李四", [Credit("张三"), Credit("李四")], None),
    ("张三；李四", [Credit("张三"), Credit("李四")], None),
    ("张三|李四", [Credit("张三"), Credit("李四")], None),
    ("张三 和 李四", [Credit("张三"), Credit("李四")], None),
    ("张三、李四、王五", [Credit("张三"), Credit("李四"), Credit("王五")], None),
    ("张三 张三", [Credit("张三")], None),
    ("张三、 张三、李四", [Credit("张三"), Credit("李四")], None),
    ("作者：John Smith", [Credit("John Smith")], None),
    ("作者：John Smith、张三", [Credit("John Smith"), Credit("张三")], None),
    ("阿卜杜拉·买买提", [Credit("阿卜杜拉·买买提")], None),
    ("阿卜杜拉•买买提", [Credit("阿卜杜拉·买买提")], None),
    ("阿卜杜拉・买买提", [Credit("阿卜杜拉·买买提")], None),
    ("欧阳修", [Credit("欧阳修")], None),
    ("文静", [Credit("文静")], None),
    ("作者：文静", [Credit("文静")], None),
    ("作者：人民日报评论员", [Credit("人民日报评论员")], None),
    ("作者：任仲平", [Credit("任仲平")], None),
    ("作者：ＺＨＡＮＧ　Ｓａｎ", [Credit("ZHANG San")], None),
    ("作者：张三 责任编辑：李四", [Credit("张三")], "李四"),
    ("作者：张三　编辑：李四", [Credit("张三")], "李四"),
    ("作者：张三 【责任编辑：李四】", [Credit("张三")], "李四"),
    ("作者：张三 (责任编辑：李四)", [Credit("张三")], "李四"),
    ("作者：张三 责编：李四", [Credit("张三")], "李四"),
    ("作者：张三 责任编辑 李四", [Credit("张三")], "李四"),
    ("作者：张三 编辑：李四 审核：王五", [Credit("张三")], "李四"),
    ("责任编辑：李四", [], "李四"),
    ("编辑：李四", [], "李四"),
    ("责编：李四", [], "李四"),
    ("【责任编辑：李四】", [], "李四"),
    ("责任编辑：李四 王五", [], "李四、王五"),
    ("责任编辑：李四、王五", [], "李四、王五"),
    ("值班编辑：李四", [], "李四"),
    ("编辑：李四 审核：王五", [], "李四"),
    ("编辑李四", [], "李四"),
    ("记者 张三 编辑 李四", [Credit("张三", Role.REPORTER)], "李四"),
    ("责任编辑：李四 记者：张三", [Credit("张三", Role.REPORTER)], "李四"),
    ("作者：张三 来源：人民网", [Credit("张三")], None),
    ("作者：张三来源：人民网", [Credit("张三")], None),
    ("作者：张三 来源：人民网 责任编辑：王五", [Credit("张三")], "王五"),
    ("2020-11-12 作者:张三 来源: 七一网", [Credit("张三")], None),
    ("作者：张三 2020-11-12 10:35", [Credit("张三")], None),
    ("作者：张三 发布时间：2020-11-12", [Credit("张三")], None),
    ("作者：张三 点击数：12", [Credit("张三")], None),
    ("作者：张三 浏览次数：<span id=hits>35</span>", [Credit("张三")], None),
    ("作者：张三 【字体：大 中 小】", [Credit("张三")], None),
    ("本报讯 记者 张三", [Credit("张三", Role.REPORTER)], None),
    ("<span>作者：</span><a href='/author/1'>张三</a>", [Credit("张三")], None),
    ("作者：张三&nbsp;&nbsp;李四", [Credit("张三"), Credit("李四")], None),
    ("作者：“张三”", [Credit("张三")], None),
    ("作者：张三。", [Credit("张三")], None),
    ("作者：佚名", [], None),
    ("佚名", [], None),
    ("作者:佚名", [], None),
    ("作者：未知", [], None),
    ("作者：不详", [], None),
    ("作者：匿名", [], None),
    ("作者：admin", [], None),
    ("作者：Admin", [], None),
    ("ADMIN", [], None),
    ("administrator", [], None),
    ("作者：管理员", [], None),
    ("作者：系统管理员", [], None),
    ("作者：本站", [], None),
    ("作者：本报记者", [], None),
    ("记者", [], None),
    ("作者：", [], None),
    ("作者：佚名 责任编辑：李四", [], "李四"),
    ("张三、佚名", [Credit("张三")], None),
    ("佚名 admin 张三", [Credit("张三")], None),
    ("作者：-", [], None),
    ("作者：2020-11-12", [], None),
    ("", [], None),
    ("   ", [], None),
    (None, [], None),
]


@pytest.mark.parametrize(("raw", "authors", "editor"), AUTHOR_CASES)
def test_byline_form(raw: str | None, authors: list[Credit], editor: str | None) -> None:
    assert parse_authors(raw) == (authors, editor)
    assert normalize_author(raw) == ("、".join(credit.name for credit in authors) or None)


NAMES = [("张三", "李四"), ("王小明", "刘芳"), ("欧阳娜娜", "司马光"), ("扶婧颖", "赵六")]
SEPARATORS = ["、", "，", ",", " ", "　", "/", "；", " 、 ", "&nbsp;"]
PREFIXES = [
    ("", None),
    ("作者：", None),
    ("作者:", None),
    ("记者 ", Role.REPORTER),
    ("记者：", Role.REPORTER),
    ("本报记者 ", Role.REPORTER),
    ("新华社记者 ", Role.REPORTER),
    ("通讯员 ", Role.CORRESPONDENT),
    ("文/", Role.TEXT),
    ("图/", Role.PHOTO),
]
SUFFIXES = ["", " 责任编辑：周七", "　编辑：周七", " 来源：人民网", " 2020-11-12"]


def _generated_bylines() -> list[tuple[str, list[Credit], str | None]]:
    """Two names under each role prefix and separator, with a glued field in rotation."""
    suffixes = itertools.cycle(SUFFIXES)
    cases = []
    for (first, second), separator, (prefix, role) in itertools.product(
        NAMES, SEPARATORS, PREFIXES
    ):
        suffix = next(suffixes)
        raw = f"{prefix}{first}{separator}{second}{suffix}"
        editor = "周七" if "编辑" in suffix else None
        cases.append((raw, [Credit(first, role), Credit(second, role)], editor))
    return cases


GENERATED_BYLINES = _generated_bylines()


@pytest.mark.parametrize(("raw", "authors", "editor"), GENERATED_BYLINES)
def test_byline_names_split_with_roles_and_editor_apart(
    raw: str, authors: list[Credit], editor: str | None
) -> None:
    assert parse_authors(raw) == (authors, editor)
    assert normalize_author(raw) == f"{authors[0].name}、{authors[1].name}"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(作者：方敏北京大学经济学院教授)", "方敏"),
        ("作者：王小明上海交通大学安泰经济与管理学院教授", "王小明"),
        ("张建国家发展改革委宏观经济研究院研究员", "张建"),
        ("李明华中科技大学副教授", "李明"),
        ("作者：方敏 北京大学经济学院教授", "方敏"),
        ("作者：张三中国社会科学院研究员、李四清华大学教授", "张三、李四"),
        # No known place or institution opens what follows the name: left as printed.
        ("赵钱孙李研究员", "赵钱孙李研究员"),
        ("方敏教授", "方敏教授"),
        ("欧阳中石", "欧阳中石"),
    ],
)
def test_an_affiliation_glued_to_the_name_is_split_at_its_place_or_institution(
    raw: str, expected: str
) -> None:
    assert normalize_author(raw) == expected
    assert normalize_author(expected) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("责任编辑：李四", "李四"),
        ("【责任编辑：李四】", "李四"),
        ("编辑：李四 王五", "李四、王五"),
        ("李四", "李四"),
        ("(编辑 李四)", "李四"),
        ("责任编辑：佚名", None),
        ("", None),
        (None, None),
    ],
)
def test_editor_line(raw: str | None, expected: str | None) -> None:
    assert parse_editor(raw) == expected


# --- properties --------------------------------------------------------------------------

META_PIECES = [
    "来源：", "作者：", "记者", "通讯员", "责任编辑:", "文/", "图/", "摄", "人民网", "新华社",
    "张三", "李四", "佚名", "admin", "本站", "网络", " ", "\u3000", "、", "，", "/", "【", "】",
    "(", ")", "《", "》", "<a href='http://a.cn'>", "</a>", "<b>", "&amp;", "&am", "p;", "&lt",
    "&nbsp;", "http://www.news.cn/a", "www.", ".cn", "2020-11-12", "\u0301", "ﬁ", "·", "•",
]  # fmt: skip
META_TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(META_PIECES), max_size=10).map("".join),
)


@settings(max_examples=600, deadline=None)
@given(META_TEXT)
def test_normalising_a_source_twice_changes_nothing(raw: str) -> None:
    once = normalize_source(raw)
    assert normalize_source(once) == once
    cleaned = clean_source(raw)
    assert clean_source(cleaned) == cleaned
    link = source_link(raw)
    assert link is None or (link and link == link.strip()), "no empty or padded link"


@settings(max_examples=600, deadline=None)
@given(META_TEXT)
def test_normalising_an_author_twice_changes_nothing(raw: str) -> None:
    once = normalize_author(raw)
    assert normalize_author(once) == once
    credits, editor = parse_authors(raw)
    assert [credit.name for credit in credits] == (once.split("、") if once else [])
    assert parse_editor(editor) == editor


# --- the pipeline ------------------------------------------------------------------------


def _article(**fields: str | None) -> Article:
    return Article(
        url="http://www.xzspw.org.cn/html/djgz/20201112/1.html",
        fetched_at=datetime(2020, 11, 12, 3, 0, tzinfo=UTC),
        **fields,
    )


def _pipeline(**settings_dict: str) -> tuple[SourcesPipeline, dict[str, object]]:
    crawler = get_crawler(settings_dict=settings_dict)
    pipeline = SourcesPipeline.from_crawler(crawler)
    assert crawler.stats is not None
    return pipeline, crawler.stats.get_stats()


def test_pipeline_fills_source_authors_and_editor() -> None:
    pipeline, stats = _pipeline()
    item = _article(
        source_raw='来源：<a href="/html/link/people.html">人民网-人民日报</a>',
        author_raw="本报记者 张三 通讯员 李四 责任编辑：赵六",
        editor_raw="责任编辑：王五",
    )
    assert pipeline.process_item(item) is item
    assert item.source == "人民网"
    assert item.source_raw == '来源：<a href="/html/link/people.html">人民网-人民日报</a>'
    assert item.source_url == "http://www.xzspw.org.cn/html/link/people.html"
    assert item.authors == ["张三", "李四"]
    assert item.author == "张三、李四"
    assert item.editor == "王五"
    assert stats == {
        "xz/sources/known": 1,
        "xz/sources/authors_named": 1,
        "xz/sources/editor": 1,
    }


def test_pipeline_keeps_the_spiders_source_url_and_the_byline_editor() -> None:
    pipeline, _ = _pipeline()
    item = _article(
        source_raw='<a href="http://www.news.cn/">新华网</a>',
        source_url="http://www.news.cn/politics/1.htm",
        author_raw="作者：张三 责任编辑：赵六",
    )
    pipeline.process_item(item)
    assert (item.source, item.source_url, item.editor) == (
        "新华网",
        "http://www.news.cn/politics/1.htm",
        "赵六",
    )


def test_pipeline_counts_unknown_sources_and_anonymous_authors_with_an_example() -> None:
    pipeline, stats = _pipeline()
    rows = [
        ("来源: 七一网", "作者:佚名"),
        ("来源：XX县融媒体中心", "作者：admin"),
        ("来源：YY镇人民政府", None),
        ("来源：本站", "作者：张三"),
        ("来源：网络", ""),
        (None, "记者 李四"),
    ]
    items = [_article(source_raw=source, author_raw=author) for source, author in rows]
    for item in items:
        pipeline.process_item(item)
    assert [item.source for item in items] == [
        "七一网",
        "XX县融媒体中心",
        "YY镇人民政府",
        PORTAL_NAME,
        None,
        None,
    ]
    assert [item.author for item in items] == [None, None, None, "张三", None, "李四"]
    assert [item.authors for item in items] == [[], [], [], ["张三"], [], ["李四"]]
    assert stats == {
        "xz/sources/known": 1,
        "xz/sources/unknown": 2,
        "xz/sources/unknown_example": "来源：XX县融媒体中心",
        "xz/sources/portal": 1,
        "xz/sources/none": 1,
        "xz/sources/missing": 1,
        "xz/sources/authors_anonymous": 2,
        "xz/sources/authors_anonymous_example": "作者:佚名",
        "xz/sources/authors_missing": 2,
        "xz/sources/authors_named": 2,
    }


def test_pipeline_reads_the_alias_file_and_portal_name_settings(tmp_path: Path) -> None:
    path = _alias_file(tmp_path, [{"name": "XX县融媒体中心", "aliases": ["XX县融媒"]}])
    pipeline, stats = _pipeline(SOURCE_ALIASES_FILE=str(path), PORTAL_NAME="某某时评网")
    items = [_article(source_raw="来源：XX县融媒"), _article(source_raw="来源：本站")]
    for item in items:
        pipeline.process_item(item)
    assert [item.source for item in items] == ["XX县融媒体中心", "某某时评网"]
    assert stats["xz/sources/known"] == 1
    assert stats["xz/sources/portal"] == 1


def test_pipeline_with_an_unreadable_alias_file_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="alias file"):
        _pipeline(SOURCE_ALIASES_FILE=str(tmp_path / "nowhere.json"))


def test_pipeline_never_raises_on_odd_item_values() -> None:
    pipeline, _ = _pipeline()
    item = _article()
    item.source_raw = ["来源：人民网"]  # type: ignore[assignment]
    item.author_raw = 42  # type: ignore[assignment]
    pipeline.process_item(item)
    assert (item.source, item.author, item.authors, item.editor) == (None, None, [], None)
