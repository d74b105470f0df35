"""The words Chinese CMS templates print around an article's fields (docs/templates.md).

Data, not code: the parser's patterns are built from these tuples, and the normalisers
(pipelines.sources) read the same ones, so a label learnt from a new template is learnt once.
Longer spellings come first wherever one word contains another (发布时间 before 时间).
"""

from __future__ import annotations

import re

DATE_LABELS = (
    "发布时间", "发布日期", "发表时间", "发表日期", "发稿时间", "发文时间", "发文日期",
    "录入时间", "添加时间", "上传时间", "上线时间", "刊发时间", "出版日期", "印发日期", "成文日期",
    "日期", "时间",
)  # fmt: skip
UPDATED_LABELS = ("最后更新时间", "最后更新", "最后修改", "更新时间", "更新日期", "修改时间")
# Update labels that some CMSes (动易 PowerEasy) print as the only date of an article: then they
# stand for the publication date. 最后更新 and 修改 never do.
UPDATED_AS_DATE_LABELS = ("更新时间", "更新日期")
AUTHOR_LABELS = ("作者", "撰稿人", "撰稿", "撰文", "记者", "文")
SOURCE_LABELS = (
    "稿件来源", "文章来源", "信息来源", "新闻来源", "消息来源", "内容来源", "来源于", "来源",
    "稿源", "出处", "转自", "转载自", "摘自", "来自",
)  # fmt: skip
# Source labels that end in a preposition and may run into their value without a colon.
SOURCE_BARE_LABELS = ("本文来源于", "文章来源于", "本文转载自", "本文转自", "本文摘自")
EDITOR_LABELS = ("责任编辑", "值班编辑", "网络编辑", "本期编辑", "编辑", "责编")
NOISE_LABELS = (
    "点击数", "点击量", "点击率", "点击", "浏览次数", "浏览量", "浏览", "阅读次数", "阅读量",
    "阅读数", "阅读", "访问量", "访问次数", "人气", "热度", "字体", "字号", "分享到", "分享",
    "审核", "校对", "终审", "初审", "复审", "发布者", "发布人", "录入", "责任单位", "发布机构",
    "所属栏目", "栏目", "关键词", "标签", "评论", "索引号", "文号", "发文字号", "主题分类",
)  # fmt: skip

# Values that name nobody: the meta line's author is then taken from a byline in the body.
PLACEHOLDER_AUTHORS = frozenset(
    {"佚名", "未知", "不详", "匿名", "admin", "administrator", "管理员", "系统管理员", "网站管理员"}
)

# Source values that name no publisher (Yahoo China printed 来源：转载文章 above the body and
# the real source below it): the parser then reads the source elsewhere, the normaliser gives None.
PLACEHOLDER_SOURCES = frozenset(
    {
        "网络", "互联网", "网络转载", "来自网络", "网络整理", "网络综合", "网上", "网友投稿",
        "转载", "转载文章", "网络文章", "转帖", "综合", "综合整理", "综合报道", "未知", "不详",
        "佚名", "匿名", "无", "暂无", "其他", "其它", "admin", "管理员", "none", "null", "unknown",
    }
)  # fmt: skip
# A writer's affiliation printed after the name without a space (方敏北京大学经济学院教授):
# it opens with a place or an institution word and ends with a title. The split is decided by
# these words, never by guessing a name's length (names are 2 or 3 characters).
AFFILIATION_OPENERS = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州",
    "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港",
    "澳门", "南京", "武汉", "广州", "深圳", "杭州", "成都", "西安", "厦门", "苏州", "大连",
    "青岛", "长沙", "郑州", "济南", "沈阳", "哈尔滨", "长春", "合肥", "福州", "南昌", "昆明",
    "兰州", "中国", "中央", "中共", "国家", "国务院", "全国", "清华", "复旦", "南开", "同济",
    "中山", "华东", "华南", "华中", "华北", "西北", "东北", "西南", "中南", "对外经济",
)  # fmt: skip
AFFILIATION_TITLES = (
    "教授", "副教授", "研究员", "副研究员", "助理研究员", "主任", "副主任", "院长", "副院长",
    "所长", "副所长", "博士", "博士生导师", "博导", "讲师", "专家", "会长", "副会长", "理事长",
    "秘书长", "首席经济学家", "经济学家", "分析师", "高级工程师", "研究员级高级工程师", "律师",
    "主任医师", "主席", "校长", "党委书记", "书记", "学者",
)  # fmt: skip

BREADCRUMB_LABELS = (
    "当前所在", "当前位置", "您现在的位置", "你现在的位置", "您的位置", "您当前的位置",
    "您所在的位置", "所在位置", "当前栏目", "位置",
)  # fmt: skip
HOME_LABELS = frozenset({"首页", "网站首页", "主页", "本站首页", "返回首页", "首 页", "Home"})
BREADCRUMB_TAIL_LABELS = frozenset(
    {
        "正文",
        "内容",
        "详情",
        "正文内容",
        "文章内容",
        "阅读文章",
        "浏览文章",
        "文章正文",
        "查看内容",
        "浏览信息",
        "信息浏览",
        "内容详情",
        "详细内容",
        "新闻详情",
        "文章详情",
        "阅读全文",
        "查看文章",
    }
)
PREV_LABELS = ("上一篇文章", "上一篇", "上一条", "上篇", "前一篇")
NEXT_LABELS = ("下一篇文章", "下一篇", "下一条", "下篇", "后一篇")
# What a chain block says instead of a link at its end; the whole text, never a prefix (无锡…).
CHAIN_END_WORDS = (
    "没有了", "无", "暂无", "没有", "已经是第一篇", "已是第一篇", "已经是最后一篇", "已是最后一篇",
    "没有上一篇", "没有下一篇", "没有上一篇了", "没有下一篇了", "已经是第一条", "已经是最后一条",
    "这是第一篇", "这是最后一篇", "无上一篇", "无下一篇", "已经没有了", "返回列表", "第一页",
    "最后一页",
)  # fmt: skip
ORIGINAL_LABELS = ("原文链接", "原文地址", "查看原文", "阅读原文", "原文网址")
SELF_LINK_LABELS = ("本文链接", "本文地址", "本文网址", "本页地址")
# Lines that are page furniture inside or around the body, never a paragraph of it.
WIDGET_WORDS = (
    "图集", "纠错", "打印", "打印本页", "打印此文", "关闭", "关闭窗口", "关闭本页", "收藏",
    "加入收藏", "分享", "分享到", "分享至", "扫一扫", "返回顶部", "返回", "顶部", "大", "中", "小",
    "字体", "字号", "默认", "推荐", "评论", "我要纠错", "视力保护色", "微信", "微博", "QQ空间",
    "朋友圈", "保存", "下载", "附件", "【", "】", "放大", "缩小", "复制链接", "Play Video",
    "视频加载中", "点击播放", "展开全文", "分享让更多人看到", "广告", "发送给朋友", "发表评论",
    "打印本文",
)  # fmt: skip
# Roles whose credit names the writer (the author), as bylines print them.
WRITER_ROLES = ("文/图", "图/文", "文图", "图文", "文字", "撰文", "撰稿", "作者", "记者", "文")
# Credit words of a credits line (供稿 摄影/… 编辑/…): never the author.
CREDIT_ROLES = (
    "供稿", "来稿", "摄影", "摄像", "图片", "图", "摄", "视频", "编辑", "责任编辑", "责编", "审核",
    "校对", "初审", "复审", "终审", "编审", "审校", "美编", "制图", "设计", "统筹", "监制", "策划",
    "通讯员", "实习生", "翻译", "编译", "整理",
)  # fmt: skip
# Words that close a paragraph in brackets like a writer's name, and are none: （全文完）.
NOT_NAMES = frozenset(
    {"全文完", "未完待续", "待续", "本报讯", "综合", "整理", "编译", "供图", "摄影", "报道", "完"}
)
CAPTION_OPENERS = (
    "图为", "图片为", "上图", "下图", "左图", "右图", "图：", "图:", "资料图：", "资料图:",
    "资料图片：", "资料图片:", "资料照片：", "资料照片:", "▲", "△", "↑",
)  # fmt: skip
FOOTER_WORDS = ("版权所有", "Copyright", "©", "ICP备", "ICP证")
# Footer words that a sentence of the body may hold too (…主办，…承办): a footer only in a
# short line of its own.
FOOTER_LINE_WORDS = ("主办单位", "承办单位", "技术支持", "主办：", "承办：")


def spaced(*words: str) -> str:
    """An alternation of words that templates pad with spaces (作　者, 来 源)."""
    return "|".join(r"[\s\u3000\xa0]*".join(map(re.escape, word)) for word in words)
