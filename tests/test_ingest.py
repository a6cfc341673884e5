"""Ingest: page chrome separated from the body, header fields read, every bad input a precise reject."""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.ingest import (
    _BLANK,
    _BODY,
    _DATE_FORMS,
    _FOOTER,
    _FURNITURE,
    _TAIL,
    DecodeError,
    IngestLimits,
    Reject,
    _date_from_url,
    _date_hit,
    _heading_key,
    _is_crumb_trail,
    _is_menu,
    _is_toolbar,
    _line_kind,
    _megabytes,
    _parse_datetime_line,
    _patterns,
    _search_datetime,
    decode_bytes,
    ingest,
    iter_sources,
    parse_article_text,
    read_articles,
    split_front_matter,
)
from events.schema import Article
from tests.conftest import SEEDS, shared_path

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"

# chrome that must never reach a body, whatever the page
CHROME_MARKERS = [
    "Browse times", "Size:【", "Fonts:", "Service Hotline", "Current location", "Your current location",
    "Traffic:", "Special Reports", "The next article", "[Photo/", ".jpg", "推荐阅读", "热门点击", "新闻推荐",
    "相关推荐", "版权所有", "ICP备", "关于我们", "当前位置", "首页 >", "打印", "关闭", "用户名", "验证码",
    "评论", "责任编辑", "大字", "字体:", "浏览次数",
]


def _one(path: Path, root: Path | None = None) -> Article:
    items = list(read_articles(path, root or path.parent))
    assert len(items) == 1, items
    item = items[0]
    assert isinstance(item, Article), item
    return item


# ---------------------------------------------------------------------------------------------
# page files: title, date, outlet, language, chrome out, event sentence in

PAGES = [
    # (file, title, published_at, source_name, language, first event sentence, chrome in the file)
    (SEEDS / "000_41402a6688905fa1.txt", "A Special Meeting of the Mianyang Municipal Government was Held",
     "2019-07-11T14:29", "Mianyang City People's Government Official Website", "en",
     "On July 1, the Deputy Secretary of the Mianyang Municipal Party Committee and mayor Yuan Fang hosted",
     ["Size:【", "Browse times:", "Official Website", "2019-07-11 14:29"]),
    (SEEDS / "001_e2c380f547992bdb.txt",
     "The City's Industrial Technological Transformation Investment Meeting Held, Yuan Fang Attended and Gave a "
     "Speech", "2020-09-12T09:40", "Mianyang City People's Government Official Website", "en",
     "On September 3, the city's industrial technological transformation investment meeting was held.",
     ["Size:【", "Browse times:"]),
    (SEEDS / "002_220121f0c91277fb.txt", "合作推动电子信息产业高质量协同发展", "2020-10-30T11:18:10",
     "四川新闻网", "zh",
     "10月29日,成渝地区双城经济圈电子信息产业战略合作签约暨深化合作峰会在四川宜宾举行。",
     ["四川新闻|四川经济", "首页 > 经济在线", "hrnewspaper", "推荐阅读", "电影除暴曝新海报", "热门点击",
      "天原集团上半年亏损近四千万", "关于我们", "版权所有", "蜀ICP备"]),
    (SEEDS / "003_1c4934fb60e6f169.txt",
     "Chen Min’er and Tang Liangzhi Met with Leaders from Some Big Data Intelligent Enterprises",
     "2019-07-19T17:30:36", "Chongqing Daily, Chongqing TV Station", "en",
     "Recently, Chen Min’er, Secretary of the CPC Chongqing Municipal Committee, and Tang Liangzhi",
     ["Your current location", "Media Center", "Release:", "Source: Chongqing Daily"]),
    (SEEDS / "004_05513ae559bf6cc4.txt", "Wenzhou city manufacturing quality development conference held",
     "2020-06-05T00:00", None, "en",
     "The city's manufacturing quality development conference was held on May 12.",
     ["Service Hotline", "13038895550", "Company News", "Current location", "Traffic:"]),
    (FIXTURES / "en_banner.txt", "Zigong Holds a Promotion Meeting on the Lantern Industry Cluster",
     "2021-03-18T10:05", "Zigong City People's Government Official Website", "en",
     "On March 16, the Deputy Secretary of the Zigong Municipal Party Committee and mayor He Lianping presided",
     ["Size:【", "Browse times:"]),
    (FIXTURES / "en_front_matter.txt", "Luzhou signs liquor logistics agreement with Chengdu port",
     "2021-07-09T16:30", "Luzhou Daily", "en",
     "On July 8, Luzhou Municipal Government and Chengdu International Railway Port signed",
     ["Updated :", "Fonts:", "url:", "---", "Luzhou signs liquor-logistics deal"]),
    (FIXTURES / "en_wire_dateline.txt", "Nanning hosts ASEAN digital trade forum, 18 projects signed",
     "2022-03-03T00:00", "ACCESSWIRE", "en",
     "A digital trade cooperation forum was held on Wednesday in Nanning",
     ["Related News", "Guangxi launches cross-border", "Nanning airport adds routes"]),
    (FIXTURES / "en_nav_views.txt", "Jiaxing smart manufacturing week opens", "2022-11-02T00:00", None, "en",
     "The Jiaxing smart manufacturing week opened on October 28.",
     ["Service Hotline", "88889999", "Company News", "Current location", "Traffic:"]),
    (FIXTURES / "en_breadcrumb_source.txt",
     "Zhou Jiang and Li Mingyuan Met with Executives of Several Semiconductor Companies", "2022-04-22T08:15:09",
     "Hefei Daily, Hefei TV Station", "en",
     "Recently, Zhou Jiang, Secretary of the CPC Hefei Municipal Committee, met with executives",
     ["Your current location", "Media Center", "Release:", "Source:"]),
    (FIXTURES / "en_updated_caption.txt", "Dutch trade mission explores cooperation in Jinhua", "2021-10-21T00:00",
     "chinadaily.com.cn", "en",
     "A Dutch trade mission, led by consul-general Anna de Vries, visited Jinhua",
     ["Advertorial", "Updated:", "_副本.jpg", "[Photo/", "talks with the Dutch delegation", "Special Reports",
      "Top"]),
    (FIXTURES / "en_markdown.md", "Ningbo port and Maersk sign green shipping memorandum", "2020-06-11T00:00",
     "Ningbo Evening News", "en",
     "On June 10, Ningbo Zhoushan Port Group and Maersk China signed a memorandum on green shipping",
     ["**", "](", "![", "Published:", "Related", "container volume rises", "# "]),
    (FIXTURES / "zh_portal.txt", "岳阳市与中联重科签署智能装备产业合作协议", "2023-05-16T09:12:45", "岳阳日报", "zh",
     "5月15日,岳阳市人民政府与中联重科股份有限公司在长沙签署智能装备产业战略合作协议。",
     ["首页|新闻中心", "当前位置", "发布时间", "作者:", "字体:", "打印本页", "图为签约现场", "张小龙 摄",
      "责任编辑", "推荐阅读", "岳阳港城陵矶", "版权所有", "ICP备"]),
    (FIXTURES / "zh_dateline_trailing_source.txt", None, "2021-05-12T00:00", "宜春日报", "zh",
     "5月11日上午,市委副书记、市长熊雯会见了宁德时代新能源科技股份有限公司副总裁谭立斌一行",
     ["来源:宜春日报", "url:"]),
    (FIXTURES / "zh_outlet_before_date.txt", "东方电气集团董事长俞培根会见德阳市委书记赵迎春", "2022-08-19T16:20:05",
     "东方电气集团", "zh", "8月18日,东方电气集团董事长俞培根在集团总部会见了德阳市委书记赵迎春一行。",
     ["当前位置", "发布时间", "作者:王杰", "评论", "用户名", "密码", "验证码", "最新评论"]),
    (FIXTURES / "zh_traditional.txt", "台中市與鴻海精密簽署電動車產業合作備忘錄", "2022-06-30T15:20",
     "台中市政府新聞局", "zh", "6月29日,台中市長盧秀燕與鴻海精密工業董事長劉揚偉在市政府簽署電動車產業合作備忘錄。",
     ["發布日期", "來源"]),
    (FIXTURES / "zh_page.html", "株洲市与中车株机签署轨道交通装备合作协议", "2022-09-07T10:31", "株洲新闻网", "zh",
     "9月6日,株洲市人民政府与中车株洲电力机车有限公司签署轨道交通装备产业深化合作协议。",
     ["首页 |", "打印", "关闭", "版权所有", "ICP备", "<p>"]),
    (FIXTURES / "en_page.html", "Changsha hosts construction machinery expo", "2023-05-12T09:30", "Hunan Today",
     "en", "The third Changsha International Construction Machinery Exhibition opened on May 12 in Changsha",
     ["Home |", "Copyright", "All rights reserved", "Hunan Today"]),
]


@pytest.mark.parametrize(
    ("path", "title", "published", "source_name", "language", "first_sentence", "chrome"),
    PAGES,
    ids=[case[0].name for case in PAGES],
)
def test_page_fields_and_body(path: Path, title: str | None, published: str | None, source_name: str | None,
                              language: str, first_sentence: str, chrome: list[str]) -> None:
    article = _one(path)
    assert article.article_id == path.stem
    assert article.title == title
    assert article.published_at == (dt.datetime.fromisoformat(published) if published else None)
    assert article.source_name == source_name
    assert article.language == language
    assert first_sentence in article.text
    for line in chrome:
        assert line not in article.text, line
    assert article.text == article.text.strip()
    assert "\n\n\n" not in article.text
    assert len(article.content_hash) == 64


TEXTS = [
    # (name, page text, title, published_at, source_name, body must start with, must not be in the body)
    ("subtitle_and_editor",
     "市政府召开第12次常务会议\n——研究部署安全生产和招商引资工作\n2023-03-02 10:00 来源:市政府办公室\n"
     "【字号 大 中 小】 【打印】 【关闭】\n3月1日,市长王建国主持召开市政府第12次常务会议,研究部署安全生产工作。\n"
     "会议指出,要压实企业主体责任。\n责任编辑:李华\n上一篇:市领导调研重点项目\n下一篇:全市招商引资大会召开",
     "市政府召开第12次常务会议", "2023-03-02T10:00", "市政府办公室", "3月1日,市长王建国主持召开",
     ["研究部署安全生产和招商引资工作", "字号", "责任编辑", "上一篇", "下一篇", "招商引资大会"]),
    ("byline_outlet_date",
     "Home > News > Business\nSichuan firms sign deals at Chengdu expo\n"
     "By Wang Xiaoyu | China Daily | Updated: 2023-03-02 07:24\n"
     "Companies from Sichuan signed 56 deals worth 12 billion yuan at the Chengdu expo on Wednesday.\n"
     "Chengdu mayor Wang Fengchao attended the signing.\nEditor: Li Hua\nRelated Stories\nChengdu expo opens",
     "Sichuan firms sign deals at Chengdu expo", "2023-03-02T07:24", "China Daily", "Companies from Sichuan",
     ["Home >", "Wang Xiaoyu", "Editor:", "Related Stories", "Chengdu expo opens"]),
    ("wire_dateline_without_year",
     "BEIJING, March 2 (Xinhua) -- China's Ministry of Industry and Information Technology held a meeting on "
     "Thursday on the semiconductor industry.\nMinister Jin Zhuanglong attended the meeting.",
     None, None, "Xinhua", "BEIJING, March 2 (Xinhua) --", []),
    ("zh_agency_dateline",
     "新华社北京3月2日电(记者张三)工业和信息化部2日召开集成电路产业发展座谈会。部长金壮龙出席会议并讲话。",
     None, None, "新华社", "新华社北京3月2日电", []),
    ("date_line_before_headline",
     "2023年03月02日 08:15 来源:人民网-四川频道\n字号\n四川省与华为签署战略合作协议\n"
     "3月1日,四川省人民政府与华为技术有限公司在成都签署战略合作协议。省长黄强出席签约仪式。",
     "四川省与华为签署战略合作协议", "2023-03-02T08:15", "人民网-四川频道", "3月1日,四川省人民政府", ["字号"]),
    ("three_word_headline", "Xi meets Biden\nThe two presidents held talks in Bali on Monday.",
     "Xi meets Biden", None, None, "The two presidents held talks", []),
    ("zh_portal_banner",
     "德阳市人民政府门户网站\n德阳市召开重大装备制造业发展大会\n"
     "发布时间:2022年05月10日  信息来源:市经信局  浏览次数:1234\n"
     "5月9日,德阳市召开重大装备制造业发展大会。市委书记赵迎春出席并讲话。\n【打印】【关闭】",
     "德阳市召开重大装备制造业发展大会", "2022-05-10T00:00", "市经信局", "5月9日,德阳市召开",
     ["门户网站", "浏览次数", "打印"]),
    ("date_line_with_empty_fields",
     "The municipal government holds its executive meeting\nPublished: 2017-09-29  |  source:  |  Views:\n"
     "On September 28, the mayor presided over the meeting.\nThe next article",
     "The municipal government holds its executive meeting", "2017-09-29T00:00", None, "On September 28,",
     ["Views", "The next article"]),
    ("headline_list_above_article",
     "热门点击\n1. 某地举办美食节\n2. 某县道路改造完工\n\n泸州市与五粮液集团签署合作协议\n"
     "日期:2021-04-02\n4月1日,泸州市人民政府与四川省宜宾五粮液集团有限公司签署战略合作协议。",
     "泸州市与五粮液集团签署合作协议", "2021-04-02T00:00", None, "4月1日,泸州市人民政府", ["热门点击", "美食节"]),
]


@pytest.mark.parametrize(
    ("name", "text", "title", "published", "source_name", "starts", "absent"), TEXTS, ids=[t[0] for t in TEXTS]
)
def test_page_text_cases(name: str, text: str, title: str | None, published: str | None,
                         source_name: str | None, starts: str, absent: list[str]) -> None:
    article = parse_article_text(text, article_id=name, source_path=f"{name}.txt")
    assert isinstance(article, Article), article
    assert article.title == title
    assert article.published_at == (dt.datetime.fromisoformat(published) if published else None)
    assert article.source_name == source_name
    assert article.text.startswith(starts)
    for piece in absent:
        assert piece not in article.text, piece


def test_first_event_sentence_opens_the_body() -> None:
    article = _one(FIXTURES / "zh_portal.txt")
    assert article.text.startswith("5月15日,岳阳市人民政府")
    article = _one(SEEDS / "000_41402a6688905fa1.txt")
    assert article.text.startswith("On July 1,")


# ---------------------------------------------------------------------------------------------
# date lines and URLs


@pytest.mark.parametrize(
    ("line", "expected", "written"),
    [
        ("2019-07-11 14:29", "2019-07-11T14:29", "2019-07-11 14:29"),
        ("Time:2020-06-05  Traffic:", "2020-06-05T00:00", "2020-06-05"),
        ("http://www.x.com/ 】 【2020-10-30 11:18:10】 【来源:四川新闻网】", "2020-10-30T11:18:10",
         "2020-10-30 11:18:10"),
        ("Release:Chongqing Daily, Chongqing TV Station Time:2019-07-19 17:30:36", "2019-07-19T17:30:36",
         "2019-07-19 17:30:36"),
        ("Updated : 2018-12-06Source : 市外(侨)办外语网站", "2018-12-06T00:00", "2018-12-06"),
        ("发布时间:2024-06-06 14:44:20", "2024-06-06T14:44:20", "2024-06-06 14:44:20"),
        ("发布日期:2024-09-20 09:38信息来源:云上沙洋", "2024-09-20T09:38", "2024-09-20 09:38"),
        ("成都日报 2019-11-22 02:14 大字", "2019-11-22T02:14", "2019-11-22 02:14"),
        ("14 Nov 2023, 07:01 GMT+10", "2023-11-14T07:01", "14 Nov 2023, 07:01 GMT+10"),
        (" date 2023-09-19 ", "2023-09-19T00:00", "2023-09-19"),
        ("来源:中国新闻网 发布时间:2023-09-20 10:19:16", "2023-09-20T10:19:16", "2023-09-20 10:19:16"),
        ("chinadaily.com.cn | Updated: Sep 18, 2020", "2020-09-18T00:00", "Sep 18, 2020"),
        ("2021年3月5日 08:30", "2021-03-05T08:30", "2021年3月5日 08:30"),
        ("Posted on March 3, 2022 at 5:45 pm", "2022-03-03T17:45", "March 3, 2022 at 5:45 pm"),
        ("索引号: 113706000042603877/2019-27636", None, None),
        ("2019-13-45 10:00", None, None),
        ("No date here", None, None),
    ],
)
def test_parse_datetime_line(line: str, expected: str | None, written: str | None) -> None:
    found = _parse_datetime_line(line)
    if expected is None:
        assert found is None
    else:
        assert found == (dt.datetime.fromisoformat(expected), written)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://en.changchun.example.cn/xw/ccxw1/201812/t20181206_1757744.html", "2018-12-06"),
        ("http://zjjnews.example.cn/shiz_mail/huodong/2019-11-22/154992.html", "2019-11-22"),
        ("https://gobysa.example.com/zjqy/scmb/20240606/249121.html", "2024-06-06"),
        ("https://www.shayang.example.cn/art/2024/9/20/art_15461_1113009.html", "2024-09-20"),
        ("https://chinaservicesinfo.example.com/s/202004/27/WS5ea6cedc498edee8e6aad733/x.html", "2020-04-27"),
        ("http://tech.3news.example.cn/kjrd/2023/0920/1047817.html", "2023-09-20"),
        ("http://regional.example.com.cn/huzhou/2020-09/18/c_538121.htm", "2020-09-18"),
        ("http://www.shine.example.cn/news/metro/1908280968/", "2019-08-28"),  # yymmdd + counter
        ("http://www.example.cn/news/2107150012.html", "2021-07-15"),
        ("http://www.example.cn/news/2613459999/", None),  # month 13
        ("http://www.example.cn/news/2912011234/", None),  # 2029: after the reference year
        ("http://www.example.cn/news/19082809681/", None),  # eleven digits: a plain counter
        ("http://www.example.cn/news/x1908280968/", None),
        ("http://epaper.example.com/jjrb/202111/01/con95812.html", "2021-11-01"),
        ("http://www.example.gov.cn/zwgk/1790651105481949185.html", None),  # a snowflake id
        ("https://example.com/a/20231345/1.html", None),  # not a calendar date
        ("http://example.com/19891231/", None),  # before 1990
        ("http://www.20190101.com/a.html", None),  # the host is not the path
        ("https://cxz.example.cn/info/1025/41597.htm", None),
        ("https://m.example.net/chengdu/news/201911/9905581.html", None),
        ("https://example.org/2023/02/30/bad-date", None),
    ],
)
def test_date_from_url(url: str, expected: str | None) -> None:
    assert _date_from_url(url) == (dt.date.fromisoformat(expected) if expected else None)


def test_url_date_used_when_page_has_none() -> None:
    article = parse_article_text("正文第一段,市长会见客人。", article_id="a", source_path="a.txt",
                                 url="https://example.cn/xw/202303/t20230308_1.html")
    assert isinstance(article, Article)
    assert article.published_at == dt.datetime(2023, 3, 8)
    assert article.published_text == "t20230308"


def test_dateline_month_day_with_year_from_url() -> None:
    text = "南平新闻网5月11日讯(记者 林青)5月10日,市长会见了客商一行。\n双方进行了座谈。"
    article = parse_article_text(text, article_id="a", source_path="a.txt",
                                 url="https://example.cn/news/202105/998877.html")
    assert isinstance(article, Article)
    assert article.published_at == dt.datetime(2021, 5, 11)
    assert article.published_text == "5月11日"
    assert article.source_name == "南平新闻网"
    # no year anywhere: a month-day dateline is not a publication date
    article = parse_article_text(text, article_id="a", source_path="a.txt")
    assert isinstance(article, Article)
    assert article.published_at is None


def test_date_line_below_header_region_is_ignored() -> None:
    filler = "\n".join(f"Paragraph {i} of the article says something about the city." for i in range(14))
    text = f"Harbin expands ice festival\n\n{filler}\nTime: 2020-01-05 10:00"
    article = parse_article_text(text, article_id="a", source_path="a.txt")
    assert isinstance(article, Article)
    assert article.published_at is None


def test_title_with_date_inside_is_not_a_date_line() -> None:
    text = ("Governor Li’s working visit to Chile from 19-21 September 2015\n"
            "Governor Li led a delegation to visit Chile from 19-21 September 2015. He met the minister.")
    article = parse_article_text(text, article_id="a", source_path="a.txt")
    assert isinstance(article, Article)
    assert article.title == "Governor Li’s working visit to Chile from 19-21 September 2015"
    assert article.published_at is None


# ---------------------------------------------------------------------------------------------
# front matter


def test_front_matter_values_win_over_the_page() -> None:
    article = _one(FIXTURES / "en_front_matter.txt")
    assert article.source_url == "http://en.example-luzhou.gov.cn/news/202107/t20210709_123456.html"
    assert article.title == "Luzhou signs liquor logistics agreement with Chengdu port"  # not the page's headline
    assert article.published_at == dt.datetime(2021, 7, 9, 16, 30)  # not the page's 2021-07-10
    assert article.source_name == "Luzhou Daily"  # not "市政府网站"


def test_front_matter_argument_wins_over_front_matter_in_text() -> None:
    text = "---\ntitle: From the file\nsource_name: File Outlet\n---\nA headline from the page itself\n\nBody text."
    article = parse_article_text(text, article_id="a", source_path="a.txt", front_matter={"title": "Given"})
    assert isinstance(article, Article)
    assert article.title == "Given"
    assert article.source_name == "File Outlet"


@pytest.mark.parametrize(
    ("text", "front", "rest"),
    [
        ("---\nurl: http://x.cn/a\n---\nBody", {"url": "http://x.cn/a"}, "Body"),
        ("---\ntitle: 标题: 带冒号\npublished: 2020-01-02\n---\nBody",
         {"title": "标题: 带冒号", "published": "2020-01-02"}, "Body"),
        ("---\n---\nBody", {}, "Body"),
        ("No front matter\n---\nx", {}, "No front matter\n---\nx"),
        ("---\nnot closed\nBody", {}, "---\nnot closed\nBody"),
    ],
)
def test_split_front_matter(text: str, front: dict[str, str], rest: str) -> None:
    got_front, got_rest = split_front_matter(text)
    assert {k: str(v) for k, v in got_front.items()} == front
    assert got_rest == rest


# ---------------------------------------------------------------------------------------------
# encodings and bad bytes


@pytest.mark.parametrize(
    ("fixture", "encoding", "expected_encoding"),
    [
        ("zh_portal.txt", "gbk", "gb18030"),
        ("zh_portal.txt", "gb2312", "gb18030"),
        ("zh_portal.txt", "gb18030", "gb18030"),
        ("zh_traditional.txt", "big5", "big5"),
        ("zh_portal.txt", "utf-16", "utf-16"),
        ("en_banner.txt", "utf-16", "utf-16"),
        ("zh_portal.txt", "utf-8-sig", "utf-8-sig"),
        ("en_banner.txt", "utf-8", "utf-8"),
        ("en_banner.txt", "utf-16-le", "utf-16-le"),  # no BOM, but ASCII leaves NULs on one side
    ],
)
def test_encodings_give_the_same_article(tmp_path: Path, fixture: str, encoding: str,
                                         expected_encoding: str) -> None:
    original = _one(FIXTURES / fixture)
    text = (FIXTURES / fixture).read_text(encoding="utf-8")
    copy = tmp_path / fixture
    copy.write_bytes(text.encode(encoding))
    article = _one(copy)
    assert article.encoding == expected_encoding
    assert article.text == original.text
    assert article.title == original.title
    assert article.published_at == original.published_at
    assert article.content_hash == original.content_hash


def test_western_legacy_encoding() -> None:
    text = "Café owners’ association meets in Kunming\n\nOn May 3, the “Yunnan coffee” forum opened."
    decoded, encoding = decode_bytes(text.encode("cp1252"))
    assert (decoded, encoding) == (text, "cp1252")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\t\r\n  ", "empty file (whitespace only)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content (PNG image)"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "binary content (JPEG image)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "binary content (PDF document)"),
        (b"PK\x03\x04\x14\x00\x06\x00", "binary content (ZIP archive)"),
        (b"text with a \x00 NUL byte and more text here", "binary content (NUL bytes)"),
        (b"\x01\x02\x03hello\x04\x05\x06 world\x07\x08" * 5, "binary content (42.1% control characters)"),
        (b"\x81\x30\x81\xff\xfe\x80\x81\x8d\x8f\x90\x9d\xff" * 20,
         "undecodable bytes (tried utf-8, utf-16/32 (BOM), gb18030, big5, cp1252)"),
    ],
)
def test_bad_files_are_rejected_with_reason(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    items = list(read_articles(path, tmp_path))
    assert items == [Reject("bad.txt", "bad", reason)]


def test_decode_error_message() -> None:
    with pytest.raises(DecodeError, match=r"binary content \(GIF image\)"):
        decode_bytes(b"GIF89a\x01\x00")


def test_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"Headline of a big page\n\n" + b"x" * 2_477)
    items = list(read_articles(path, tmp_path, IngestLimits(max_file_bytes=2_000)))
    assert items == [Reject("big.txt", "big", "file too large: 2.5 kB > limit 2 kB")]


@pytest.mark.parametrize(
    ("size", "written"), [(60_200_000, "60.2 MB"), (20_000_000, "20 MB"), (2_500, "2.5 kB"), (900, "900 bytes")]
)
def test_sizes_in_reasons(size: int, written: str) -> None:
    assert _megabytes(size) == written


def test_line_too_long_rejects_text_file(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("Headline\n" + "word " * 100, encoding="utf-8")
    items = list(read_articles(path, tmp_path, IngestLimits(max_line_chars=100)))
    assert items == [Reject("long.txt", "long", "line 2 too long: 500 characters > limit 100")]


def test_long_body_is_cut_at_a_paragraph() -> None:
    paragraphs = "\n".join(f"Paragraph {i}: the mayor attended a meeting in the city." for i in range(100))
    text = f"Headline of a long article here\n\n{paragraphs}"
    from events.ingest import _parse_page

    article = _parse_page(text, article_id="a", source_path="a.txt", given={}, fallback={}, encoding=None,
                          limits=IngestLimits(max_article_chars=500))
    assert isinstance(article, Article)
    assert len(article.text) <= 500
    assert article.text.endswith("in the city.")


def test_page_of_only_chrome_is_rejected() -> None:
    text = "首页|新闻|政务|服务\n当前位置: 首页 > 新闻\n【字体:大 中 小】【打印】\n版权所有 某某网"
    assert parse_article_text(text, article_id="c", source_path="c.txt") == Reject(
        "c.txt", "c", "no text after removing page chrome")


# ---------------------------------------------------------------------------------------------
# JSON Lines and HTML


def test_jsonl_records_and_malformed_lines() -> None:
    items = list(read_articles(FIXTURES / "records.jsonl", FIXTURES))
    summary = [(type(i).__name__, i.article_id) for i in items]
    assert summary == [("Article", "jx-001"), ("Reject", "records-2"), ("Article", "records-3"),
                       ("Reject", "records-4"), ("Reject", "no-body"), ("Article", "records-7")]
    first, malformed, from_html, not_object, no_body, page = items
    assert isinstance(first, Article) and isinstance(from_html, Article) and isinstance(page, Article)
    assert isinstance(malformed, Reject) and isinstance(not_object, Reject) and isinstance(no_body, Reject)
    assert first.title == "赣州市与格力电器签署家电产业合作协议"
    assert first.published_at == dt.datetime(2022, 3, 15, 9, 0)
    assert first.source_name == "赣州日报"
    assert first.source_url == "https://www.example-ganzhou.gov.cn/news/2022/0315/101.html"
    assert first.text.startswith("3月14日,赣州市人民政府")
    assert malformed.reason == "malformed JSON on line 2: Expecting ',' delimiter (column 70)"
    assert from_html.title == "Nanchang signs VR industry deal"
    assert from_html.published_at is not None and from_html.published_at.date() == dt.date(2021, 11, 5)
    assert from_html.text.startswith("On November 4, Nanchang Municipal Government signed")
    assert not_object.reason == "line 4: expected a JSON object, got an array"
    assert no_body.reason == "line 5: record has no non-empty 'text' or 'html' string"
    assert page.title == "Xiamen opens a new cruise terminal"
    assert page.published_at == dt.datetime(2019, 5, 20, 11, 2)
    assert page.source_name == "Xiamen Municipal Government Official Website"
    assert page.text == ("On May 18, Xiamen opened a new international cruise terminal. "
                         "Mayor Zhuang Jiahan attended the opening ceremony.")


def test_jsonl_line_too_long(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    good = json.dumps({"text": "Headline of the record here\n\nThe mayor met guests."})
    path.write_text(good + "\n" + json.dumps({"text": "x" * 300}) + "\n", encoding="utf-8")
    items = list(read_articles(path, tmp_path, IngestLimits(max_line_chars=200)))
    assert isinstance(items[0], Article)
    assert items[1] == Reject("r.jsonl", "r-2", "line 2 too long: 312 characters > limit 200")


def test_malformed_html_does_not_crash() -> None:
    article = _one(FIXTURES / "broken.html")
    assert article.title == "Xiangtan steel mill opens new line"
    assert "On April 2, Xiangtan Iron and Steel Group started a new hydrogen-based production line" in article.text
    assert "var x" not in article.text


def test_html_without_text_is_rejected() -> None:
    assert list(read_articles(FIXTURES / "empty_content.html", FIXTURES)) == [
        Reject("empty_content.html", "empty_content", "no text in HTML")]


def test_gbk_html_with_meta_charset(tmp_path: Path) -> None:
    markup = (FIXTURES / "zh_page.html").read_text(encoding="utf-8").replace('charset="utf-8"', 'charset="gbk"')
    path = tmp_path / "page.htm"
    path.write_bytes(markup.encode("gbk"))
    article = _one(path)
    assert article.encoding == "gb18030"
    assert article.title == "株洲市与中车株机签署轨道交通装备合作协议"


# ---------------------------------------------------------------------------------------------
# walking a tree


def test_iter_sources_sorted_and_hidden_skipped(tmp_path: Path) -> None:
    for name in ["b/2.txt", "a.md", "b/1.html", "c.htm", "d.jsonl", "e.csv", ".hidden.txt", ".git/x.txt",
                 "b/.cache/y.txt", "A.TXT"]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_sources(tmp_path)]
    assert found == ["A.TXT", "a.md", "b/1.html", "b/2.txt", "c.htm", "d.jsonl"]


def test_ingest_over_fixtures_never_raises() -> None:
    items = list(ingest(FIXTURES))
    articles = [i for i in items if isinstance(i, Article)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert len(articles) == 17
    assert sorted(r.reason.split(":")[0] for r in rejects) == [
        "line 4", "line 5", "malformed JSON on line 2", "no text in HTML"]


# ---------------------------------------------------------------------------------------------
# the dev articles (../shared): gold publication dates, no chrome, speed


def _dev_articles() -> list[Article]:
    root = shared_path("dev", "articles")
    items = list(ingest(root))
    assert all(isinstance(i, Article) for i in items), [i for i in items if isinstance(i, Reject)]
    return [i for i in items if isinstance(i, Article)]


def test_dev_articles_match_gold_publication_dates() -> None:
    gold: dict[str, str | None] = {}
    for line in shared_path("gold", "dev.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        gold.setdefault(record["article"], record.get("published"))
    for article in _dev_articles():
        expected = gold.get(article.article_id)
        if expected:
            assert article.published_at is not None, article.article_id
            assert article.published_at.date() == dt.date.fromisoformat(expected[:10]), article.article_id


def test_dev_bodies_have_no_chrome() -> None:
    for article in _dev_articles():
        for marker in CHROME_MARKERS:
            assert marker not in article.text, (article.article_id, marker)
        assert article.title is None or article.title not in article.text.split("\n")[:1], article.article_id


# ---------------------------------------------------------------------------------------------
# never crash

_PAGE_PIECES = st.sampled_from([
    "首页 > 新闻", "发布时间:2023-01-02 03:04", "来源:", "Source: X", "---", "url: http://a/2020/0101/1.html",
    "推荐阅读", "版权所有", "Size:【 Big Middle Small 】 Print", "图为现场。张三 摄", "", " ", "Time:", "【",
    "市长会见客人。", "The mayor met guests.", "# Title", "Headline of four words", "(Xinhua/Li)", "\x00", "\ufeff",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_PAGE_PIECES, st.text(max_size=40)), max_size=30))
def test_parse_article_text_never_raises(pieces: list[str]) -> None:
    result = parse_article_text("\n".join(pieces), article_id="x", source_path="x.txt")
    assert isinstance(result, (Article, Reject))
    if isinstance(result, Article):
        assert result.text.strip()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".txt", ".md", ".html", ".jsonl"]))
def test_read_articles_never_raises_on_random_bytes(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"f{suffix}"
    path.write_bytes(data)
    for item in read_articles(path, tmp_path):
        assert isinstance(item, (Article, Reject))
        if isinstance(item, Reject):
            assert not item.reason.startswith("internal error"), item.reason


# ---- line classification: the one-test shortcut against the categories tried one by one ---------


def _reference_hits(entries: list[Any], line: str) -> bool:
    """What a category of chrome_patterns.yaml means, entry by entry, without the matcher's shortcuts."""
    folded = line.casefold()
    for entry in entries:
        if isinstance(entry, dict) and "contains" in entry:
            if any(str(s).casefold() in folded for s in entry["contains"]):
                return True
        elif isinstance(entry, dict):
            if any(str(s).casefold() in folded for s in entry["requires"]) and re.search(entry["pattern"], line, re.I):
                return True
        elif (entry.startswith("^") and re.match(entry[1:], line, re.I)) or re.search(entry, line, re.I):
            return True
    return False


def _reference_line_kind(line: str) -> int:
    data = yaml.safe_load(resources.files("events").joinpath("data/chrome_patterns.yaml").read_text(encoding="utf-8"))
    p = _patterns()
    if not line:
        return _BLANK
    if len(line) > 200:
        return _BODY
    if _reference_hits(data["tail_prefixes"], line) or (len(line) <= 40 and _heading_key(line) in p.tail_headings):
        return _TAIL
    if _reference_hits(data["footer"], line):
        return _FOOTER
    if any(_reference_hits(data[name], line) for name in ("furniture", "meta_table", "breadcrumb", "captions")) or \
            _is_toolbar(line, p) or _is_menu(line) or _is_crumb_trail(line):
        return _FURNITURE
    return _BODY


@pytest.mark.parametrize(("line", "kind"), [
    ("", _BLANK),
    ("The mayor met investors from Shenzhen on Tuesday.", _BODY),
    ("Related news", _TAIL),
    ("相关新闻", _TAIL),
    ("责任编辑：王小明", _TAIL),
    ("版权所有 © 2021 某某市人民政府", _FOOTER),
    ("Copyright 2020 Ganzhou Daily. All rights reserved.", _FOOTER),
    ("Views: 1,204", _FURNITURE),
    ("首页 > 新闻中心 > 本地新闻", _FURNITURE),
    ("打印 关闭", _FURNITURE),
    ("新闻 | 经济 | 文娱 | 体育", _FURNITURE),
    ("（记者 刘晓梅 摄）", _FURNITURE),
    ("索引号: 11510100/2021-00123", _FURNITURE),
])
def test_line_kinds(line: str, kind: int) -> None:
    assert _line_kind(line, _patterns()) == kind == _reference_line_kind(line)


_LINE_PIECES = st.sampled_from([
    "Related", "相关新闻", "Copyright", "©", "2021", "All rights reserved", "ICP备", "12345678", "Views:", "1,204",
    "首页", ">", "»", "|", "·", "新闻", "打印", "关闭", "图为", "摄", "记者", "王伟", "(", "[Photo/Xinhua]", "Editor:",
    "责任编辑:", "Tel:", "0816-2345678", "photo courtesy", "建议使用", "浏览器", "The mayor met guests", " ", "a.jpg",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE_PIECES, max_size=8).map(" ".join))
def test_line_kind_matches_the_categories_one_by_one(line: str) -> None:
    assert _line_kind(line, _patterns()) == _reference_line_kind(line)


@pytest.mark.parametrize("line", [
    "Updated: 2021-03-04 10:20", "发布时间：2019年11月22日", "Nov. 14, 2023", "14 March 2022 at 9:30 pm",
    "No year here at all", "Room 1920 opened", "20th anniversary",
])
def test_search_datetime_needs_a_year(line: str) -> None:
    hit = _search_datetime(line)
    forms = [m for form in _DATE_FORMS for m in form.finditer(line)]
    assert (hit is None) == (not forms or all(_date_hit(m) is None for m in forms))


@pytest.mark.parametrize(
    ("page", "first_line"),
    [
        ("7月19日上午\n市委书记到开发区调研在建项目\n先后到多家企业项目建设现场，详细了解项目建设施工进度。",
         "7月19日上午"),
        ("June 4\nMayor visits the industrial park\nThe mayor visited three companies and listened to reports.",
         "June 4"),
    ],
)
def test_a_day_line_above_the_headline_stays_with_the_body(page: str, first_line: str) -> None:
    article = parse_article_text(page, article_id="a", source_path="a.txt")
    assert isinstance(article, Article)
    assert article.text.split("\n")[0] == first_line
    assert article.title is not None and article.title not in article.text


@given(url=st.text(alphabet=st.sampled_from(list("0123456789/-_t.?=ab")), max_size=40))
def test_dates_from_urls_are_real_and_plausible(url: str) -> None:
    found = _date_from_url("http://example.com/" + url)
    assert found is None or 1990 <= found.year <= 2100


def test_the_date_line_the_url_agrees_with_wins_and_language_menus_are_chrome() -> None:
    page = (
        "The Official Website of the People's Government of Gansu Province Mobile 中文 Français 한국어 日本語\n\n"
        "15 July 2015\n\nHome>News>Local News\n\nGovernor opens the spring projects\n\n2023-03-02 Download Print\n"
        "Groundbreaking ceremonies for 120 major projects were held across the province on the morning of March 1."
    )
    article = parse_article_text(page, article_id="a", source_path="a.txt",
                                 url="http://eng.gansu.example.cn/news/202303/t20230302_1.html")
    assert isinstance(article, Article)
    assert article.published_at == dt.datetime(2023, 3, 2)
    assert article.title == "Governor opens the spring projects"
