"""The parser on forms Chinese CMSes use that our own replica templates do not: each case is a
failure seen on real or hostile pages (issue 11), parsed and normalised as a crawl would."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from itemadapter import ItemAdapter
from scrapy.utils.test import get_crawler

from pipelines.dates import DatesPipeline
from pipelines.sources import SourcesPipeline
from tests.helpers import fixture_response, html_response
from xzcrawler import parsing
from xzcrawler.items import Article
from xzcrawler.parsing import PageKind
from xzcrawler.parsing.sanitise import sanitise

SITE = "http://www.xzspw.org.cn"
URL = f"{SITE}/a/2.html"
FETCHED_AT = datetime(2020, 11, 13, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TITLE = "标题甲乙丙丁"
BODY = (
    "<p>　　第一段正文，内容足够长，用来当正文。</p>"
    "<p><strong>一是</strong>加强组织领导，压实责任。</p>"
    "<p><b>二是加强宣传。</b>营造氛围。</p>"
)
BODY_TEXT = [
    "第一段正文，内容足够长，用来当正文。",
    "一是加强组织领导，压实责任。",
    "二是加强宣传。营造氛围。",
]
CHAIN = (
    '<div>上一篇：<a href="/a/1.html">无锡举行乡村振兴论坛</a></div>'
    '<div>下一篇：<a href="/a/3.html">无人机植保走进田间</a></div>'
)


def article_page(
    meta: str = "2020-11-12 作者:张三 来源:新华网",
    body: str = BODY,
    *,
    chain: str = CHAIN,
    below: str = "",
    head: str = "",
) -> str:
    """A whole article page with a logo heading, a hidden heading, a breadcrumb, and the parts
    given; the title is an h2 that <title> confirms."""
    return (
        f"<html><head><title>{TITLE}_党建工作_乡镇时评网</title>{head}</head><body>"
        "<div class=logo><h1><a href=/>乡镇时评网</a></h1></div>"
        "<div>当前位置：<a href=/>首页</a> &gt; <a href=/djgz/>党建工作</a></div>"
        f"<h1 style='display:none'>隐藏的旧标题</h1><h2>{TITLE}</h2><div>{meta}</div>"
        f"<div class=content>{body}</div>{below}<div>{chain}</div>"
        "<div>乡镇时评网 版权所有</div></body></html>"
    )


def normalised(html: str, url: str = URL) -> dict[str, Any]:
    """parse_article, then the dates and sources pipelines, as the crawl runs them."""
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    item: Article = parsing.parse_article(html_response(html, url), FETCHED_AT)
    item = DatesPipeline.from_crawler(crawler).process_item(item)
    item = SourcesPipeline.from_crawler(crawler).process_item(item)
    return ItemAdapter(item).asdict()


def title_source_body(record: dict[str, Any]) -> tuple[str, str, list[str]]:
    return record["title"], record["source"], record["body"].split("\n")


def test_seed_page_credits_the_dateline_reporter_where_the_meta_line_says_anonymous() -> None:
    response = fixture_response("seed_article.html", f"{SITE}/html/djgz/20201112/5680.html")
    item = parsing.parse_article(response, FETCHED_AT)
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    item = DatesPipeline.from_crawler(crawler).process_item(item)
    item = SourcesPipeline.from_crawler(crawler).process_item(item)
    assert (item.author_raw, item.author, item.source) == ("佚名", "扶婧颖", "七一网")


def test_chain_titles_beginning_with_wu_are_links_not_chain_ends() -> None:
    record = normalised(article_page())
    assert (record["prev_url"], record["prev_title"], record["next_url"]) == (
        f"{SITE}/a/1.html",
        "无锡举行乡村振兴论坛",
        f"{SITE}/a/3.html",
    )


@pytest.mark.parametrize(
    "end",
    [
        "没有了",
        "无",
        "（无）",
        "已经是最后一篇",
        "没有下一篇了",
        "没有了，已经是最新文章",
        '<a href="/djgz/">返回列表</a>',  # EmpireCMS
        "<a href=\"javascript:alert('最后一页')\">最后一页</a>",  # PHPCMS
        '<a href="javascript:;" class="disable">: 没有了</a>',  # MetInfo
    ],
)
def test_chain_end_words_alone_end_the_chain(end: str) -> None:
    chain = f'<div>上一篇：<a href="/a/1.html">旧文一篇</a></div><div>下一篇：{end}</div>'
    record = normalised(article_page(chain=chain))
    assert (record["prev_url"], record["next_url"]) == (f"{SITE}/a/1.html", None)


def test_long_meta_line_with_the_date_first_is_a_meta_line_not_body() -> None:
    publisher = "中华人民共和国农业农村部农村合作经济指导司政策与改革处办公室联络组"
    meta = f"2020-11-12 10:35:08 来源：{publisher} 作者：张　三 点击数：12 字号：大 中 小"
    response = html_response(article_page(meta), URL)
    record = normalised(article_page(meta))
    assert parsing.page_kind(response) is PageKind.ARTICLE
    assert (record["source_raw"], record["author"], record["body"].split("\n")) == (
        publisher,
        "张三",
        BODY_TEXT,
    )
    assert record["published_at"].isoformat() == "2020-11-12T10:35:08+08:00"


def test_title_heading_that_also_holds_the_meta_line_gives_the_title_alone() -> None:
    """PHPCMS: <h1>title<br/><span>date 来源：X 点击：</span></h1>."""
    html = article_page("").replace(
        f"<h2>{TITLE}</h2>", f"<h1>{TITLE}<br/><span>2020-11-12 来源：新华网 点击：</span></h1>"
    )
    record = normalised(html)
    assert title_source_body(record) == (TITLE, "新华网", BODY_TEXT)


@pytest.mark.parametrize(
    "after",
    ["<p>关键字：乡村 振兴</p>", "<p>相关热词搜索：乡村振兴</p>", "<p>------分隔线------</p>"],
)
def test_tag_lines_and_separators_close_the_body(after: str) -> None:
    record = normalised(article_page(body=BODY + after + "<p>推荐的另一篇文章标题很长很长。</p>"))
    assert record["body"].split("\n") == BODY_TEXT


def test_a_credit_closing_the_last_paragraph_names_the_author() -> None:
    body = "<p>第一段正文，内容足够长，用来当正文。</p><p>第二段到此为止。（记者 黄小玲）</p>"
    record = normalised(article_page("2020-11-12 来源：新华网", body))
    assert (record["author"], record["body"].split("\n")[-1]) == (
        "黄小玲",
        "第二段到此为止。（记者 黄小玲）",
    )


def test_bold_lead_ins_keep_their_paragraphs() -> None:
    assert normalised(article_page())["body"].split("\n") == BODY_TEXT


def test_article_page_without_a_chain_block_is_a_whole_article_at_its_chain_end() -> None:
    html = article_page(chain="")
    response = html_response(html, URL)
    assert (parsing.page_kind(response), parsing.incomplete_reason(response)) == (
        PageKind.ARTICLE,
        None,
    )
    record = normalised(html)
    assert (record["title"], record["prev_url"], record["next_url"]) == (TITLE, None, None)


ADS = "<script>var ad = 1;</script>" * 200


@pytest.mark.parametrize(
    ("tail", "head", "reason"),
    [
        ("", "", None),
        # Sohu's CMS appends ad code after </html>: more than a few KB, still a whole page.
        (f"{ADS}<span>广告</span></text>", "", None),
        # Cut short: a </body> written by a script in <head> is not the document's.
        (None, "<script>document.write('</body>');</script>", "no closing </html>"),
        (None, "", "no closing </html>"),
    ],
)
def test_a_page_is_whole_by_its_closing_tag_even_with_code_appended_after_it(
    tail: str | None, head: str, reason: str | None
) -> None:
    html = article_page(head=head)
    html = html[: html.index("<div>乡镇时评网 版权所有")] + ADS if tail is None else html + tail
    assert parsing.incomplete_reason(html_response(html, URL)) == reason


@pytest.mark.parametrize(
    ("meta", "below", "source"),
    [
        # 来源：转载文章 names nobody (Yahoo China): the source below the body names the paper.
        (
            "2005-04-05 06:40更新 来源：转载文章",
            "<div>来源：新闻晨报</div><div>编辑：山石</div>",
            "新闻晨报",
        ),
        ("2005-04-05 06:40 来源：转载", "<p>文章来源：千龙网</p>", "千龙网"),
        # 来源 names a person; the paper stands after the date without a label.
        ("http://www.sina.net 2005年03月21日 11:21 《理财周刊》", "<p>来源: 尹娟</p>", "理财周刊"),
        ("2022-02-13 09:57 光明网", "<p>来源：张三</p>", "光明网"),
        # A labelled publisher below is a publisher: it stays.
        ("2005年03月21日 11:21 《理财周刊》", "<p>来源：新华社</p>", "新华社"),
        # A site carrying its paper's article: the paper (docs/parsing.md).
        ("2024-05-11 来源：光明网-《光明日报》", "", "光明日报"),
        ("2024-05-11 来源：人民网－《人民日报》", "", "人民日报"),
    ],
)
def test_a_source_naming_no_publisher_gives_way_to_the_one_that_does(
    meta: str, below: str, source: str
) -> None:
    record = normalised(article_page(meta, below=below))
    assert (record["source"], record["body"].split("\n")) == (source, BODY_TEXT)


RELATED = '<p>相关报道：</p><p><a href="/a/9.html">·另一篇报道（2005-04-01 16:19PM）</a></p>'


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # A related list's heading closes the body (Yahoo China: 相关报道：, NetEase: 延伸阅读).
        ("", RELATED),
        ("", "<p>延伸阅读</p><p><a href=/a/8.html>特朗普的这场庆典</a></p>"),
        # A vertical label printed a character a cell (今/日/推/荐) and its links.
        (
            "<table><tr><td>今</td></tr><tr><td>日</td></tr><tr><td>推</td></tr>"
            "<tr><td>荐</td></tr><tr><td><a href=/a/7.html>征集现场观众</a></td></tr></table>",
            "",
        ),
        # Topic tags and mentions, an advertisement's label.
        ("", "<p>#大家健康超能团# @大家健康</p>"),
        ("<p>广告</p>", "<p>广告</p>"),
    ],
)
def test_page_furniture_inside_the_body_container_is_not_body(before: str, after: str) -> None:
    record = normalised(article_page(body=before + BODY + after))
    assert record["body"].split("\n") == BODY_TEXT


@pytest.mark.parametrize(
    ("closing", "author"),
    [
        ("<p>作者：上官云 宋宇晟</p>", "上官云、宋宇晟"),
        ("<p>（文/张三 李四 摄影/王五）</p>", "张三、李四"),
        ("<p>文/张三 摄影/李四</p>", "张三"),
    ],
)
def test_a_closing_byline_credits_every_writer_it_names(closing: str, author: str) -> None:
    record = normalised(article_page("2020-11-12 来源：新华网", BODY + closing))
    assert (record["author"], record["body"].split("\n")) == (author, BODY_TEXT)


@pytest.mark.parametrize(
    "opening",
    [
        "<p>第1页/共1页 &lt;&lt;&nbsp;上一页 | 下一页&nbsp;&gt;&gt;</p>",
        "<p>« 上一页 ｜ 下一页 »</p>",
        "<p>资料图：无性婚姻能走多远？</p>",
        "<p>资料图片：会议现场</p>",
    ],
)
def test_pagers_with_separators_and_file_photo_captions_are_not_body(opening: str) -> None:
    assert normalised(article_page(body=opening + BODY))["body"].split("\n") == BODY_TEXT


def test_template_debris_for_a_value_names_nobody_and_a_writer_the_title_names_is_credited() -> (
    None
):
    """关注中国中心: 作者： size="20" (a template's leaked attribute), the title 茉莉：…, and the
    body opening with the headline and the writer's name on lines of their own."""
    title = f"茉莉：{TITLE}"
    html = (
        article_page(
            '作者： size="20" 来源： size="20" 发布日期： 2005-07-05 21:23:57',
            f"<p>{TITLE}</p><p>茉莉</p>{BODY}",
        )
        .replace(f"<h2>{TITLE}</h2>", f"<h2>{title}</h2>")
        .replace(f"<title>{TITLE}_", f"<title>{title}_")
    )
    record = normalised(html)
    assert (record["title"], record["author"], record["source"]) == (title, "茉莉", None)
    assert record["body"].split("\n") == BODY_TEXT


LEAD = "各位好，我是安东尼。欢迎收听法国报纸摘要。"


@pytest.mark.parametrize(
    ("meta", "body", "first"),
    [
        # A standfirst in a <p> of its own just above the body's container (RFI's chapo).
        ("2022-02-06 13:48", f"</div><p class=chapo>{LEAD}</p><div class=content>{BODY}", LEAD),
        # ...with an advertisement's label between them.
        ("2022-02-06 13:48", f"</div><p>{LEAD}</p><div>广告</div><div class=content>{BODY}", LEAD),
        # A short line above the container is no standfirst.
        ("2022-02-06 13:48", f"</div><p>音频 04:29</p><div class=content>{BODY}", None),
    ],
)
@pytest.mark.parametrize("writer", ["", "<div>作者：<a href=/author/1>安东尼</a></div>"])
def test_a_standfirst_and_a_writer_line_above_the_body_container_are_read(
    meta: str, body: str, first: str | None, writer: str
) -> None:
    """RFI: the writer's line (作者：, the name a link) and the chapo above the body."""
    record = normalised(article_page(meta, body.replace("</div>", "</div>" + writer, 1)))
    assert record["body"].split("\n") == ([first] if first else []) + BODY_TEXT
    assert record["author"] == ("安东尼" if writer else None)


@pytest.mark.parametrize(
    ("classes", "hidden"),
    [
        ("o-self-promo o-self-promo--hidden", True),
        ("hidden", True),
        ("promo is-hidden", True),
        ("hidden-xs", False),
        ("unhidden-box", False),
    ],
)
def test_an_element_hidden_by_its_class_is_not_text(classes: str, hidden: bool) -> None:
    promo = f"<div class='{classes}'><p>下载法广应用程序跟踪国际时事</p></div>"
    lines = normalised(article_page(body=BODY + promo))["body"].split("\n")
    assert lines == BODY_TEXT + ([] if hidden else ["下载法广应用程序跟踪国际时事"])


@pytest.mark.parametrize(
    ("above", "date_line", "source"),
    [
        # 凤凰网: the publisher on a line of its own, an app widget, then the date.
        ("<div><a href=/author/1>中国新闻网</a></div><div>下载客户端</div>", "", "中国新闻网"),
        ("<div>澎湃新闻</div>", "", "澎湃新闻"),
        # A label names the source: it wins.
        ("<div><a href=/author/1>中国新闻网</a></div>", " 来源：新华社", "新华社"),
        # A subtitle is no publisher.
        ("<div>——记一位扎根乡村三十年的教师</div>", "", None),
    ],
)
def test_a_publisher_on_its_own_line_above_the_date_is_the_source(
    above: str, date_line: str, source: str | None
) -> None:
    record = normalised(
        article_page(f"{above}<div>2019年02月20日 02:26:00 来自北京{date_line}</div>")
    )
    assert (record["source"], record["body"].split("\n")) == (source, BODY_TEXT)


def test_hidden_and_logo_headings_are_never_the_title() -> None:
    assert normalised(article_page())["title"] == TITLE


def test_meta_line_below_the_body_in_table_cells_is_read() -> None:
    below = (
        "<table><tr><td>信息来源：</td><td>市政府办公室</td><td>发布日期：</td>"
        "<td>2020-11-12</td><td>最后更新：2020-11-13 08:00</td></tr></table>"
    )
    record = normalised(article_page("", below=below))
    assert (record["source"], record["published_at"].isoformat(), record["updated_at"]) == (
        "市政府办公室",
        "2020-11-12T00:00:00+08:00",
        datetime(2020, 11, 13, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    assert record["body"].split("\n") == BODY_TEXT


@pytest.mark.parametrize(
    "meta",
    [
        "发布时间：2020-11-12 来源：新华网最后更新：2020-11-13",
        "更新时间：2020-11-13 发布时间：2020-11-12 来源：新华网",
        "来源于：新华网 发布时间：2020-11-12 更新时间：2020-11-13",
    ],
)
def test_update_time_is_its_own_field_and_never_ends_up_in_the_source(meta: str) -> None:
    record = normalised(article_page(meta))
    assert (record["source"], record["published_at"].date().isoformat()) == (
        "新华网",
        "2020-11-12",
    )
    assert record["updated_raw"] == "2020-11-13"


@pytest.mark.parametrize(
    ("lines", "author", "editor"),
    [
        ("<p>【文/李四】</p>", "李四", None),
        ("<p>（文/图 李四）</p>", "李四", None),
        ("<p>供稿：党委宣传部 摄影/王五 编辑/赵六</p><p>文字：李四</p>", "李四", "赵六"),
        ("<p>（责任编辑：钱七）</p>", None, "钱七"),
    ],
)
def test_bylines_and_credits_leave_the_body_for_their_fields(
    lines: str, author: str | None, editor: str | None
) -> None:
    record = normalised(article_page("2020-11-12 作者:佚名 来源:新华网", BODY + lines))
    assert (record["body"].split("\n"), record["author"], record["editor"]) == (
        BODY_TEXT,
        author,
        editor,
    )


@pytest.mark.parametrize(
    "lead",
    [
        "本报讯（记者 王五）",
        "新华社北京11月12日电（记者 王五）",
        "新华社北京11月12日电 （王五）",
        "（记者 王五）",
    ],
)
def test_a_credit_opening_the_lead_names_the_author_and_stays_in_the_body(lead: str) -> None:
    body = f"<p>{lead}第一段正文，内容足够长，用来当正文。</p><p>第二段。</p>"
    record = normalised(article_page("2020-11-12 作者：佚名 来源：新华网", body))
    assert (record["author"], record["body"].split("\n")[0]) == (
        "王五",
        f"{lead}第一段正文，内容足够长，用来当正文。",
    )


def test_photographer_named_in_a_credit_is_never_the_author() -> None:
    body = BODY + "<p>摄影/王五</p>"
    record = normalised(article_page("2020-11-12 来源：新华网", body))
    assert (record["author"], record["body"].split("\n")) == (None, BODY_TEXT)


@pytest.mark.parametrize(
    "furniture",
    [
        '<p style="text-align:center"><img src="/a.jpg"></p>'
        '<p style="text-align:center">村民在采摘草莓</p>',
        '<p><img src="/a.jpg"></p><p>图为村民在采摘草莓。</p>',
        '<figure><img src="/a.jpg"><figcaption>村民在采摘草莓</figcaption></figure>',
        "<p>图集</p><p>【纠错】</p><p>【打印】 【关闭】</p>",
    ],
)
def test_captions_and_widgets_leave_the_body(furniture: str) -> None:
    record = normalised(article_page(body=BODY + furniture))
    assert record["body"].split("\n") == BODY_TEXT


@pytest.mark.parametrize(
    ("meta", "source", "author"),
    [
        ("来源：【新华网】 作者：（李四）", "新华网", "李四"),
        ("来源:[新华网] 作者:「李四」", "新华网", "李四"),
        ("稿源：《农民日报》 撰稿：明 亮", "农民日报", "明亮"),
        ("出处：<a href='http://www.people.com.cn/'>人民网</a> 记者：王五", "人民网", "王五"),
    ],
)
def test_meta_values_in_brackets_links_and_padding_read_clean(
    meta: str, source: str, author: str
) -> None:
    record = normalised(article_page(f"2020-11-12 {meta}"))
    assert (record["source"], record["author"]) == (source, author)


def test_split_article_lists_its_further_pages_in_order() -> None:
    pager = (
        '<div>第1页 <a href="2_2.html">2</a> <a href="2_3.html">3</a> '
        '<a href="2_2.html">下一页</a></div>'
    )
    record = normalised(article_page(body=BODY + pager))
    assert (record["page_urls"], record["body"].split("\n")) == (
        [f"{SITE}/a/2_2.html", f"{SITE}/a/2_3.html"],
        BODY_TEXT,
    )


def test_query_pager_of_a_split_article_is_read() -> None:
    pager = '<p><a href="?id=2&page=2">下一页</a> <a href="?id=2&page=3">3</a></p>'
    record = normalised(article_page(body=BODY + pager), f"{SITE}/show.asp?id=2")
    assert record["page_urls"] == [
        f"{SITE}/show.asp?id=2&page=2",
        f"{SITE}/show.asp?id=2&page=3",
    ]


def test_deeply_nested_page_parses_without_recursion() -> None:
    deep = "<div>" * 250 + BODY + "</div>" * 250
    unclosed = "<font>" * 1500 + "尾注"
    record = normalised(article_page(body=deep, below=unclosed))
    assert record["body"].split("\n") == BODY_TEXT


def test_page_nested_beyond_the_html_parser_depth_is_incomplete_not_an_exception() -> None:
    """libxml2 stops building the tree at depth 256: the body is lost, and the page says so."""
    response = html_response(article_page(body="<div>" * 3000 + BODY), URL)
    assert parsing.incomplete_reason(response) == "empty body"


def test_a_failing_field_extractor_costs_only_that_field(monkeypatch: pytest.MonkeyPatch) -> None:
    from xzcrawler.parsing import chain

    def broken(page: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(chain, "original_url", broken)
    from xzcrawler.parsing import article

    monkeypatch.setattr(article, "original_url", broken)
    item = parsing.parse_article(html_response(article_page(), URL), FETCHED_AT)
    assert (item.parse_errors, item.title, item.source_raw) == (
        {"original_url": "ValueError: boom"},
        TITLE,
        "新华网",
    )


def test_template_signature_names_title_meta_place_body_and_chain() -> None:
    item = parsing.parse_article(html_response(article_page(), URL), FETCHED_AT)
    assert item.template == "h2|meta:top|div.content|chain"


@pytest.mark.parametrize(("closing", "author"), [("（钟才文）", "钟才文"), ("（完）", None)])
def test_names_alone_closing_the_last_paragraph_credit_the_author(
    closing: str, author: str | None
) -> None:
    body = f"<p>第一段正文，内容足够长，用来当正文。</p><p>实现“多赢”“共赢”。{closing}</p>"
    assert normalised(article_page("2020-11-12 来源：新华网", body))["author"] == author


@pytest.mark.parametrize(
    "closing",
    ["<p>《光明日报》（2024年05月11日 09版）</p>", "<p>更多相关资讯请关注www.example.com</p>"],
)
def test_print_credits_and_promotions_close_the_body(closing: str) -> None:
    assert normalised(article_page(body=BODY + closing))["body"].split("\n") == BODY_TEXT


def test_a_page_printing_its_title_twice_takes_the_copy_its_meta_line_follows() -> None:
    mobile = f"<div class=m><h1>{TITLE}</h1><p>分享到：</p></div>"
    html = article_page().replace("<div class=logo>", mobile + "<div class=logo>")
    record = normalised(html)
    assert title_source_body(record) == (TITLE, "新华网", BODY_TEXT)


@pytest.mark.parametrize(
    ("meta", "published"),
    [
        ("发布时间：2020-11-12 10:35:08123 来源：新华网", "2020-11-12T10:35:08+08:00"),
        (
            "时间:2020-11-12 10:35点击:<script src='/plus/count.php'></script>次 来源：新华网",
            "2020-11-12T10:35:00+08:00",
        ),
    ],
)
def test_a_time_glued_to_a_hit_counter_still_reads(meta: str, published: str) -> None:
    record = normalised(article_page(meta))
    assert (record["published_at"].isoformat(), record["source"]) == (published, "新华网")


@pytest.mark.parametrize(
    "meta",
    ["本文来源于北京商报　2020-11-12 09:47:48", "本文来源于<span>北京商报</span> 2020-11-12"],
)
def test_a_source_label_ending_in_a_preposition_needs_no_colon(meta: str) -> None:
    assert normalised(article_page(meta))["source_raw"] == "北京商报"


def test_a_meta_line_closing_the_body_before_a_share_widget_is_read() -> None:
    closing = "<div>本文来源：21世纪经济报道 作者：何苗 张梦洁</div><div>分享到：微信</div>"
    record = normalised(article_page("2020-11-12", BODY + closing))
    assert (record["source"], record["author"], record["body"].split("\n")) == (
        "21世纪经济报道",
        "何苗、张梦洁",
        BODY_TEXT,
    )


def test_a_paragraph_naming_its_organisers_is_body_not_footer() -> None:
    organisers = "<p>19日上午，由中国科学院学部局主办，空间应用中心承办的活动在北京举行。</p>"
    record = normalised(article_page(body=BODY + organisers))
    assert record["body"].split("\n") == [
        *BODY_TEXT,
        "19日上午，由中国科学院学部局主办，空间应用中心承办的活动在北京举行。",
    ]


XSS_VECTORS = [
    '<a href="java\tscript:alert(1)">链接</a>',
    '<a href="jav\nascript:alert(1)">链接</a>',
    '<a href="\x01javascript:alert(1)">链接</a>',
    '<a href=" JaVaScRiPt:alert(1)">链接</a>',
    '<a href="&#106;avascript:alert(1)">链接</a>',
    '<a href="vbscript:msgbox(1)">链接</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">链接</a>',
    '<img src="java\tscript:alert(1)">链接',
    '<img src="x.jpg" onerror="alert(1)">链接',
    '<svg onload="alert(1)"></svg>链接',
    '<span style="background:url(javascript:alert(1))">链接</span>',
    '<object data="x.swf"></object>链接',
    '<math><mtext><a href="javascript:alert(1)">链接</a></mtext></math>',
]


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_body_html_never_keeps_script_whatever_spelling_the_page_uses(vector: str) -> None:
    html = article_page(body=f"<p>　　第一段正文，内容足够长，用来当正文。{vector}</p>")
    stored = parsing.parse_article(html_response(html, URL), FETCHED_AT).body_html or ""
    lowered = stored.lower()
    for word in ("script", "onerror", "onload", "data:", "style", "<svg", "<object", "<embed"):
        assert word not in lowered, (vector, stored)
    assert "链接" in stored


@pytest.mark.parametrize(
    ("body", "below", "author"),
    [
        (BODY, '<div class="info"><p>作者：曾杰</p><p>2020-10-18 05:09:51</p></div>', "曾杰"),
        (
            "第一段正文，内容足够长，用来当正文。<br><br>二是加强宣传。营造氛围。<br>",
            '<div class="info">2020-10-18 05:09:51</div>',
            None,
        ),
        (BODY, '<div class="info">【2020-10-18 05:09:51】</div>', None),
    ],
)
def test_a_date_on_its_own_line_below_the_body_is_the_published_time(
    body: str, below: str, author: str | None
) -> None:
    record = normalised(article_page("", body, below=below))
    assert (record["published_at"].isoformat(), record["author"]) == (
        "2020-10-18T05:09:51+08:00",
        author,
    )


@pytest.mark.parametrize(
    ("html", "kept"),
    [
        ('<a href="java\tscript:alert(1)">x</a>', "<a>x</a>"),
        ('<a href="\x01javascript:alert(1)">x</a>', "<a>x</a>"),
        ('<a href="vbscript:msgbox(1)">x</a>', "<a>x</a>"),
        ('<img src="data:image/svg+xml,x" onerror="alert(1)">', "<img>"),
        ('<p onclick="alert(1)" style="x">x<script>alert(1)</script></p>', "<p>x</p>"),
        ('<iframe src="http://evil.example/"></iframe><b>x</b>', "<b>x</b>"),
        (
            '<a href="http://www.xzspw.org.cn/a/1.html">x</a>',
            '<a href="http://www.xzspw.org.cn/a/1.html">x</a>',
        ),
    ],
)
def test_the_sanitiser_keeps_content_tags_and_only_http_urls(html: str, kept: str) -> None:
    """The allow-list itself, on HTML the page walk might let through one day."""
    assert sanitise(html) == kept


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("光明日报记者 王建宏 张文攀", "王建宏、张文攀"),
        ("新华网黑龙江频道　记者　伊琳　李清芬", "伊琳、李清芬"),
        ("□ 本报记者 葛灵丹", "葛灵丹"),
        ("新京报记者 彭冲 山东冠县报道", "彭冲"),
        ("新京报记者 彭冲 北京报道", "彭冲"),
        ("河南商报记者马俊峰/文 受访者供图", "马俊峰"),
    ],
)
@pytest.mark.parametrize("place", ["lead", "closing"])
def test_a_reporters_byline_with_the_paper_before_it_leaves_the_body_and_names_the_author(
    line: str, author: str, place: str
) -> None:
    """The paper or channel printed before 记者, a bullet, a 报道 or 供图 tail: one line that is
    only the byline (docs/templates.md, bylines)."""
    body = f"<p>{line}</p>{BODY}" if place == "lead" else f"{BODY}<p>{line}</p>"
    record = normalised(article_page("2020-11-12 来源：新华网", body))
    assert (record["author"], record["body"].split("\n")) == (author, BODY_TEXT)


def test_an_interviewers_question_is_body_not_a_byline() -> None:
    question = "记者：你怎样看待农业补贴问题？"
    body = f"<p>{BODY_TEXT[0]}</p><p>{question}</p><p>{BODY_TEXT[1]}</p>"
    record = normalised(article_page("2020-11-12 作者：佚名 来源：新华网", body))
    assert (record["author"], record["body"].split("\n")) == (
        None,
        [BODY_TEXT[0], question, BODY_TEXT[1]],
    )


@pytest.mark.parametrize(
    ("closing", "author", "last"),
    [
        ("实现共赢。（常书香 马丹阳 ）", "常书香、马丹阳", "实现共赢。（常书香 马丹阳 ）"),
        ("难道不是吗？”（姚峰 上海报道）", "姚峰", "难道不是吗？”（姚峰 上海报道）"),
        ("<p>实现共赢。</p><p>（袁源）</p>", "袁源", "实现共赢。"),
        ("<p>实现共赢。</p><p>（姚峰 上海报道）</p>", "姚峰", "实现共赢。"),
        ("<p>实现共赢。</p><p>（全文完）</p>", None, "（全文完）"),
    ],
)
def test_names_closing_the_body_credit_the_author(
    closing: str, author: str | None, last: str
) -> None:
    body = "<p>第一段正文，内容足够长，用来当正文。</p>" + (
        closing if closing.startswith("<p>") else f"<p>{closing}</p>"
    )
    record = normalised(article_page("2020-11-12 来源：新华网", body))
    assert (record["author"], record["body"].split("\n")[-1]) == (author, last)


@pytest.mark.parametrize(
    ("closing", "editor"),
    [
        ("<p>（松花江网编辑 孙桂芳）</p>", "孙桂芳"),
        ("<p>【编辑:刘欢】</p><p>责任编辑：</p>", "刘欢"),
    ],
)
def test_editor_lines_leave_the_body_even_after_an_empty_one(closing: str, editor: str) -> None:
    record = normalised(article_page(body=BODY + closing))
    assert (record["editor"], record["body"].split("\n")) == (editor, BODY_TEXT)


def test_a_pager_of_bracketed_page_numbers_leaves_the_body() -> None:
    pager = '<p><a href="/a/2.html">[1]</a> <a href="/a/2_2.html">[2]</a> [3]</p>'
    assert normalised(article_page(body=BODY + pager))["body"].split("\n") == BODY_TEXT


@pytest.mark.parametrize(
    ("page", "title"),
    [
        (  # no <title>; the meta line opens with the site's URL: the line above it
            "<html><head></head><body><div>汽车 &gt;&gt; 车坛动态</div>"
            "<div>广汽回应合资内幕 全面合作即将展开</div>"
            "<div>http://www.example.com/　2005-07-18 13:03:17</div>"
            f"<div class=content>{BODY}</div></body></html>",
            "广汽回应合资内幕 全面合作即将展开",
        ),
        (  # <title> names only the site, no meta line: the title-classed cell
            "<html><head><title>北医新闻网_(新闻)</title></head><body>"
            "<div><a href=/>首页</a>&gt;&gt;<a href=/rw/>人物聚焦</a></div>"
            "<table><tr><td class=bt_title>李简——新外科运动向我们走来</td></tr></table>"
            f"<div class=content>{BODY}</div></body></html>",
            "李简——新外科运动向我们走来",
        ),
    ],
)
def test_a_title_without_a_heading_or_an_agreeing_head_is_still_found(
    page: str, title: str
) -> None:
    assert parsing.parse_article(html_response(page, URL), FETCHED_AT).title == title


@pytest.mark.parametrize(
    ("meta", "source"),
    [
        ("2020-11-12 09:57　　光明网", "光明网"),
        ("2005年03月31日03:18 <span>北京娱乐信报</span>", "北京娱乐信报"),
        ("http://www.example.com 2005年03月21日 11:21 《理财周刊》", "理财周刊"),
        ("2020-11-12 09:57 <div>分享到：</div>", None),
    ],
)
def test_a_publisher_after_the_date_needs_no_label(meta: str, source: str | None) -> None:
    assert normalised(article_page(meta))["source"] == source


def test_a_meta_line_below_the_body_is_found_above_the_footers_own_lines() -> None:
    below = (
        "<ul><li>来源：巴彦淖尔日报　编辑：苏亮</li></ul><div>扫一扫在手机打开当前页</div>"
        "<ul><li><a href=/gy/>关于我们</a></li><li><a href=/map/>网站地图</a></li></ul>"
        "<div>某市人民政府办公室（主办）　某市大数据中心（承办）　<a href=/icp>蒙ICP备 05006530</a>"
        "</div>"
    )
    record = normalised(article_page("2020-11-11 09:52", chain="", below=below))
    assert (record["source"], record["body"].split("\n")) == ("巴彦淖尔日报", BODY_TEXT)


@pytest.mark.parametrize(
    "opening",
    [
        f"<p><strong>15家企业</strong></p><p><strong>{TITLE}</strong></p>",  # kicker, headline
        "<p>【新春走基层】</p>",  # the column's name
    ],
)
def test_a_headline_copy_with_its_kicker_and_a_column_name_open_no_body(opening: str) -> None:
    assert normalised(article_page(body=opening + BODY))["body"].split("\n") == BODY_TEXT


@pytest.mark.parametrize("widget", ["<p>展开全文</p>", "<div>分享让更多人看到</div>"])
def test_read_more_and_share_prompts_leave_the_body(widget: str) -> None:
    body = BODY[: BODY.index("</p>") + 4] + widget + BODY[BODY.index("</p>") + 4 :]
    assert normalised(article_page(body=body))["body"].split("\n") == BODY_TEXT


@pytest.mark.parametrize(
    ("after_image", "kept"),
    [
        (["春眠不觉晓", "处处闻啼鸟", "夜来风雨声"], ["春眠不觉晓", "处处闻啼鸟", "夜来风雨声"]),
        (["村民在采摘草莓", "（张三 摄）"], []),
        (["村民在采摘草莓"], []),
    ],
)
def test_centred_lines_after_an_image_are_a_poem_when_several_and_a_caption_when_one(
    after_image: list[str], kept: list[str]
) -> None:
    centred = "".join(f'<p style="text-align:center">{line}</p>' for line in after_image)
    body = BODY + '<p style="text-align:center"><img src="/a.jpg"></p>' + centred
    assert normalised(article_page(body=body))["body"].split("\n") == BODY_TEXT + kept


@pytest.mark.parametrize(
    "box",
    [
        '<p><a href="/a/7.html">银行还款是怎么算出来的</a></p>',
        '<p><a href="/lc/">理财</a>：<a href="/a/8.html">为什么有人富了 而有人不行</a></p>'
        '<p>股票：<a href="/a/9.html">中国股民一定要活下来</a></p>',
    ],
)
def test_a_box_of_related_links_inside_the_body_is_no_paragraph(box: str) -> None:
    body = f"<table><tr><td>{box}</td></tr></table>{BODY}"
    assert normalised(article_page(body=body))["body"].split("\n") == BODY_TEXT
