"""Generated article content: titles, bodies and meta values from a seeded random.Random.

Bodies are assembled from a sentence pool built once at import, so generating an article
costs a few dozen random draws and a page renders well under a millisecond. Every value a
page shows is kept beside the value an export of that page should hold, so the ground truth
and the page come from the same object and cannot drift apart.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from enum import StrEnum

PLACES = (
    "河北邯郸", "山东寿光", "浙江安吉", "贵州遵义", "四川眉山", "江苏昆山", "河南兰考", "甘肃定西",
    "湖南花垣", "福建宁德", "陕西延安", "安徽凤阳", "云南怒江", "江西井冈山", "黑龙江绥化",
    "广西百色", "湖北恩施", "山西昔阳", "内蒙古赤峰", "宁夏固原",
)  # fmt: skip
CITIES = ("北京", "石家庄", "济南", "杭州", "成都", "南京", "郑州", "兰州", "长沙", "福州", "西安")
SUBJECTS = (
    "基层党组织", "村两委", "驻村工作队", "乡镇党委", "第一书记", "农民专业合作社", "党员干部",
    "村民议事会", "县委组织部", "乡村振兴局", "新型农业经营主体", "返乡创业青年", "网格员队伍",
)  # fmt: skip
VERBS = (
    "推进", "深化", "落实", "探索", "强化", "完善", "创新", "统筹", "夯实", "激活", "提升", "助力",
)  # fmt: skip
OBJECTS = (
    "人居环境整治", "基层治理体系", "集体经济发展", "产业结构调整", "移风易俗", "党建引领",
    "乡风文明建设", "脱贫攻坚成果", "农村土地制度改革", "网格化管理", "村务公开", "惠农政策",
    "高标准农田建设", "电商服务站点", "清廉村居建设", "乡村人才振兴", "农村养老服务",
    "矛盾纠纷调解",
)  # fmt: skip
CLAUSES = (
    "让群众得到了实实在在的好处", "形成了可复制可推广的经验", "有效激发了群众内生动力",
    "推动各项工作落地见效", "进一步增强了群众的获得感和幸福感", "为全面推进乡村振兴打下坚实基础",
    "把党的政治优势转化为发展优势", "切实打通服务群众最后一公里", "走出了一条符合实际的发展路子",
    "群众满意度明显提升", "各项指标均位居全市前列", "基层组织的凝聚力和战斗力不断增强",
)  # fmt: skip
SUBHEAD_ENDS = ("见实效", "出新招", "有温度", "走在前", "开新局", "强基础")
ACTIVITIES = (
    "开展政策宣讲",
    "查看农作物长势",
    "走访慰问困难群众",
    "召开村民议事会",
    "调研产业项目",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN_NAMES = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "华", "平", "刚", "桂英", "建国", "志强", "晓东", "海燕", "红梅", "文博",
    "雪", "晨",
)  # fmt: skip
# (publisher, its home page, the form of its article URLs); the portal itself has neither.
PUBLISHERS = (
    ("七一网", "https://www.12371.gov.cn/", "https://www.12371.gov.cn/Item/{n}.aspx"),
    (
        "人民网",
        "http://www.people.com.cn/",
        "http://politics.people.com.cn/n1/2020/1112/c1001-{n}.html",
    ),
    (
        "新华网",
        "http://www.xinhuanet.com/",
        "http://www.xinhuanet.com/politics/2020-11/12/c_{n}.htm",
    ),
    (
        "中国共产党新闻网",
        "http://cpc.people.com.cn/",
        "http://cpc.people.com.cn/n1/2020/1112/c164113-{n}.html",
    ),
    ("光明网", "https://www.gmw.cn/", "https://news.gmw.cn/2020-11/12/content_{n}.htm"),
    ("农民日报", "http://www.farmer.com.cn/", "http://www.farmer.com.cn/2020/11/12/{n}.html"),
    ("乡镇时评网", None, None),
)
AGENCIES = ("新华社", "人民网", "中国共产党新闻网")
# Outside GB2312 but inside GBK: a page that declares gb2312 must be decoded as gb18030.
OUTSIDE_GB2312_NAME = "王喆"
WHITESPACE = " \t\r\n\u3000\u00a0"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def _sentence(rng: random.Random) -> str:
    """One body sentence in the register of county and township news."""
    pick = rng.choice
    match rng.randrange(6):
        case 0:
            head = f"{pick(PLACES)}{pick(SUBJECTS)}坚持{pick(OBJECTS)}"
            return f"{head}，{pick(VERBS)}{pick(OBJECTS)}，{pick(CLAUSES)}。"
        case 1:
            return f"近年来，{pick(PLACES)}把{pick(OBJECTS)}作为重要抓手，{pick(CLAUSES)}。"
        case 2:
            return (
                f"截至{rng.randint(1, 12)}月底，全县已累计投入资金{rng.randint(120, 9800)}万元，"
                f"{pick(VERBS)}{pick(OBJECTS)}项目{rng.randint(3, 96)}个。"
            )
        case 3:
            return f"“{pick(VERBS)}{pick(OBJECTS)}，关键在于{pick(SUBJECTS)}。”{_name(rng)}说。"
        case 4:
            head = f"{pick(SUBJECTS)}要{pick(VERBS)}{pick(OBJECTS)}"
            return f"{head}，{pick(VERBS)}{pick(OBJECTS)}，{pick(CLAUSES)}。"
        case _:
            return f"据统计，当地共覆盖农户{rng.randint(200, 30000)}户，{pick(CLAUSES)}。"


_POOL_RNG = random.Random(20201112)
SENTENCES = tuple(_sentence(_POOL_RNG) for _ in range(4096))


def title(rng: random.Random) -> str:
    """A headline; the trailing number keeps headlines of a large portal mostly distinct."""
    pick = rng.choice
    match rng.randrange(4):
        case 0:
            return f"{pick(PLACES)}：{pick(VERBS)}{pick(OBJECTS)} {pick(VERBS)}{pick(OBJECTS)}"
        case 1:
            return (
                f"{pick(SUBJECTS)}{pick(VERBS)}{pick(OBJECTS)}取得新进展（{rng.randint(1, 999)}）"
            )
        case 2:
            return f"以{pick(OBJECTS)}推动{pick(OBJECTS)}的{pick(PLACES)}实践"
        case _:
            return f"{pick(PLACES)}{rng.randint(2, 99)}个村{pick(VERBS)}{pick(OBJECTS)}"


class ParagraphKind(StrEnum):
    TEXT = "text"
    SUBHEAD = "subhead"
    IMAGE = "image"
    CAPTION = "caption"


@dataclass(frozen=True, slots=True)
class Paragraph:
    kind: ParagraphKind
    text: str = ""
    src: str = ""  # an image's root-relative path


class DateForm(StrEnum):
    """How a meta line writes the publication time; date-only forms drop the time."""

    ISO_DATE = "%Y-%m-%d"
    ISO_SECONDS = "%Y-%m-%d %H:%M:%S"
    CN_MINUTES = "%Y年%m月%d日 %H:%M"
    SLASH_DATE = "%Y/%m/%d"

    @property
    def has_time(self) -> bool:
        return "%H" in self.value


@dataclass(frozen=True, slots=True)
class Content:
    """What one article page shows, with the export value beside each shown value."""

    title: str
    paragraphs: tuple[Paragraph, ...]
    author_shown: str  # as on the page: 佚名, 记者 张三, 张三 李四 ...
    author: str | None  # export value
    source: str | None  # export value, also the link text
    source_label: str  # 来源, 稿件来源, 文章来源
    source_href: str | None  # the source written as a link
    original_url: str | None
    editor: str | None
    date_form: DateForm
    blank_paragraphs: bool  # <p>&nbsp;</p> between paragraphs

    @property
    def body(self) -> str:
        """The export value: text paragraphs stripped; images, their captions and blanks left out
        (the body rule of docs/interface.md)."""
        texts = (
            p.text.strip(WHITESPACE)
            for p in self.paragraphs
            if p.kind not in {ParagraphKind.IMAGE, ParagraphKind.CAPTION}
        )
        return "\n".join(t for t in texts if t)

    @property
    def images(self) -> list[str]:
        return [p.src for p in self.paragraphs if p.kind == ParagraphKind.IMAGE]

    def with_body(self, body: str) -> Content:
        """The article after an editor replaced its text: one paragraph a line, no images."""
        lines = (line.strip(WHITESPACE) for line in body.split("\n"))
        paragraphs = tuple(Paragraph(ParagraphKind.TEXT, line) for line in lines if line)
        return replace(self, paragraphs=paragraphs)


def _author(rng: random.Random) -> tuple[str, str | None]:
    """(as shown, export value): placeholders, one name, two names, a 记者 prefix."""
    match rng.choices(range(6), weights=(3, 1, 3, 1, 1, 1))[0]:
        case 0:
            return "佚名", None
        case 1:
            return "未知", None
        case 2:
            name = _name(rng)
            return name, name
        case 3:
            name = _name(rng)
            return f"记者 {name}", name
        case 4:
            first, second = _name(rng), _name(rng)
            return f"{first} {second}", f"{first}、{second}"
        case _:
            first, second = _name(rng), _name(rng)
            return f"{first}、{second}", f"{first}、{second}"


def _dateline(rng: random.Random, month: int, day: int) -> tuple[str, str]:
    """(the dateline, the reporter it credits)."""
    agency, city = rng.choice(AGENCIES), rng.choice(CITIES)
    if rng.random() < 0.5:
        name = _name(rng)
        return f"{agency}{city}{month}月{day}日电（记者 {name}）", name
    name = _name(rng)
    return f"{agency}{city}{month}月{day}日电 （{name}）", name


def content(
    rng: random.Random,
    *,
    headline: str,
    article_id: int,
    month: int,
    day: int,
    image_dir: str,
    date_forms: tuple[DateForm, ...],  # repeat a form to weight it
    source_labels: tuple[str, ...],
) -> Content:
    """Everything an article page shows, drawn from `rng` in a fixed order."""
    paragraphs: list[Paragraph] = []
    for _ in range(rng.randint(5, 10)):
        text = "".join(rng.choices(SENTENCES, k=rng.randint(2, 4)))
        paragraphs.append(Paragraph(ParagraphKind.TEXT, text))
    if rng.random() < 0.3:
        subhead = f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}{rng.choice(SUBHEAD_ENDS)}"
        paragraphs.insert(
            rng.randint(1, len(paragraphs) - 1), Paragraph(ParagraphKind.SUBHEAD, subhead)
        )
    reporter = None
    if rng.random() < 0.25:
        first = paragraphs[0]
        dateline, reporter = _dateline(rng, month, day)
        paragraphs[0] = Paragraph(first.kind, dateline + first.text)
    if rng.random() < 0.2:
        at = rng.randint(1, len(paragraphs))
        caption = f"图为{rng.choice(PLACES)}{rng.choice(SUBJECTS)}{rng.choice(ACTIVITIES)}。"
        paragraphs[at:at] = [
            Paragraph(ParagraphKind.IMAGE, src=f"{image_dir}/{article_id}-1.jpg"),
            Paragraph(ParagraphKind.CAPTION, caption),
        ]
    author_shown, author = _author(rng)
    publisher, home, url_form = rng.choice(PUBLISHERS)
    source_href = home if home and rng.random() < 0.4 else None
    original_url = None
    if url_form and rng.random() < 0.7:
        original_url = url_form.format(n=rng.randint(100000, 999999))
    return Content(
        title=headline,
        paragraphs=tuple(paragraphs),
        author_shown=author_shown,
        author=author or reporter,  # a meta line naming nobody: the dateline's credit
        source=publisher,
        source_label=rng.choice(source_labels),
        source_href=source_href,
        original_url=original_url,
        editor=_name(rng) if rng.random() < 0.4 else None,
        date_form=rng.choice(date_forms),
        blank_paragraphs=rng.random() < 0.5,
    )
