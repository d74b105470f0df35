"""CPU milliseconds per page of lxml against selectolax (lexbor), and against walking only the
article region (issue 14), on the replica's article and list pages of every template and CMS
family, all contenders in one run, alternating:

- lxml parse: `document`, the call and options Page.__init__ parses with;
- lxml parse + full walk: iterwalk over <body> as Page._walk runs it (start, end, comment and
  pi events), reading every element's tag, attributes, text and tail;
- Page(response): the parser's own parse and walk (tokens, lines, hidden elements skipped);
- lexbor parse: selectolax's LexborHTMLParser on the same text;
- lexbor parse + traverse: `traverse(include_text=True)` over <body> (C-driven, no end
  events), reading every node's tag and attributes, or a text node's text;
- lexbor parse + start/end walk: first_child / next / parent from Python, which is what a port
  of Page._walk needs (a block's end closes its line);
- lxml parse + region walk: the same iterwalk over the body's container alone (the element the
  parser reads the body from, xzcrawler.parsing.body.container, found by the parser beforehand
  and reached by its child indexes): a lower bound, since the parser finds that region by
  walking the whole page;
- parser as it is: page_kind + parse_article on an article page, page_kind + listed_articles +
  pagination_links on a list page (what a page reader asks), for scale.

Each page is decoded (Scrapy's work) before the clock starts, as in bench_parse.py.
Run: python benchmarks/bench_walk.py [--articles N] [--list-cap C] [--repeat R]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lxml import etree
from scrapy.http import HtmlResponse, Request
from selectolax.lexbor import LexborHTMLParser, LexborNode

from xzcrawler import parsing
from xzcrawler.models import SHANGHAI
from xzcrawler.parsing.article import PageKind
from xzcrawler.parsing.body import container
from xzcrawler.parsing.page import Element, Page, document, page_of
from xzcrawler.replica import Portal

BASE = "http://www.xzspw.org.cn"
FETCHED_AT = datetime(2021, 1, 2, 12, 30, tzinfo=SHANGHAI)
BATCH = 25  # pages timed together
EVENTS = ("start", "end", "comment", "pi")  # Page._walk's


@dataclass(frozen=True, slots=True)
class Sample:
    url: str
    body: bytes
    kind: str  # "article" or "list"
    region: tuple[int, ...] | None  # child indexes from the root to the body's container


def _path(el: Element) -> tuple[int, ...]:
    steps: list[int] = []
    parent = el.getparent()
    while parent is not None:
        steps.append(parent.index(el))
        el, parent = parent, parent.getparent()
    return tuple(reversed(steps))


def _response(url: str, body: bytes) -> HtmlResponse:
    response = HtmlResponse(url, body=body, request=Request(url))
    _ = response.text  # decoded and cached outside the clock
    return response


def samples(articles: int, list_cap: int) -> list[Sample]:
    """Every article page and every list page of a portal with all its CMS families; each
    page's kind checked against the parser's, and an article's container located by it."""
    portal = Portal(articles=articles, seed=1, families=True, list_page_cap=list_cap)
    paths = [("article", truth.path) for truth in portal.articles]
    for section in portal.sections:
        number = 1
        while portal.render(section.list_page_path(number)).status == 200:
            paths.append(("list", section.list_page_path(number)))
            number += 1
    found = []
    for kind, path in paths:
        rendered = portal.render(path)
        if rendered.status == 503:  # the replica's transient fault: served on a second request
            rendered = portal.render(path)
        url = BASE + path
        page = page_of(response := _response(url, rendered.body))
        expected = PageKind.ARTICLE if kind == "article" else PageKind.LIST
        if rendered.status != 200 or parsing.page_kind(response) is not expected:
            print(f"left out: {url} (status {rendered.status}, not read as a {kind} page)")
            continue
        holder = container(page) if kind == "article" else None
        found.append(
            Sample(url, rendered.body, kind, _path(holder) if holder is not None else None)
        )
    return found


# --- the contenders: each parses (and walks) one response --------------------------------


def _prepared(response: HtmlResponse) -> str:
    """The text as `document` prepares it for lxml (stripped, NULs dropped); lexbor takes the
    str and encodes it to UTF-8 itself, as `document` does before lxml parses."""
    return response.text.strip().replace("\x00", "")


def _body(root: Element) -> Element:
    return next(root.iterchildren("body"), root)  # as Page.__init__ finds it


def walk_lxml(root: Element) -> int:
    """Every element under `root` in Page._walk's order and events: tag, attributes, text, and
    each node's tail at its end."""
    seen = 0
    for event, el in etree.iterwalk(root, events=EVENTS):
        if event == "start":
            tag, attributes, text = el.tag, el.items(), el.text
            seen += len(attributes) + (len(text) if text else 0) + (tag is not None)
            continue
        tail = el.tail
        seen += len(tail) if tail else 1
    return seen


def walk_lexbor(root: LexborNode) -> int:
    """Every node under `root` in document order: an element's tag and attributes, a text
    node's text (lexbor has no tail: text is its own node)."""
    seen = 0
    for node in root.traverse(include_text=True):
        if node.is_text_node:
            text = node.text_content
            seen += len(text) if text else 1
        else:
            tag, attributes = node.tag, node.attributes
            seen += len(attributes) + (tag is not None)
    return seen


def walk_lexbor_events(root: LexborNode) -> int:
    """The same reads with a start and an end for every element, as Page._walk needs them:
    lexbor's tree walked from Python, one node object per step."""
    seen = 0
    node: LexborNode | None = root
    while node is not None:
        if node.is_text_node:  # start
            text = node.text_content
            seen += len(text) if text else 1
        else:
            tag, attributes = node.tag, node.attributes
            seen += len(attributes) + (tag is not None)
            child = node.first_child
            if child is not None:
                node = child
                continue
        while True:  # node ends; on to its next sibling, or end its parent
            seen += 1
            if node.mem_id == root.mem_id:
                return seen
            following = node.next
            if following is not None:
                node = following
                break
            node = node.parent
            if node is None:
                return seen
    return seen


def sizes(sample: Sample) -> tuple[int, int, int, int]:
    """Elements and text characters under <body> in lxml's tree and in lexbor's: the two
    walks read the same page only as far as the two parsers build the same tree."""
    response = _response(sample.url, sample.body)
    body = _body(document(response))
    elements = sum(1 for el in body.iter() if isinstance(el.tag, str))
    chars = sum(  # a comment's text is no text node in lexbor's tree
        (len(el.text or "") if isinstance(el.tag, str) else 0) + len(el.tail or "")
        for el in body.iter()
    ) - len(body.tail or "")
    lexbor = _lexbor_body(response)
    nodes = [node for node in lexbor.traverse(include_text=True)]
    lexbor_elements = sum(1 for node in nodes if node.is_element_node)
    lexbor_chars = sum(len(node.text_content or "") for node in nodes if node.is_text_node)
    return elements, chars, lexbor_elements, lexbor_chars


def lxml_parse(sample: Sample, response: HtmlResponse) -> object:
    return document(response)


def lxml_walk(sample: Sample, response: HtmlResponse) -> object:
    return walk_lxml(_body(document(response)))


def lxml_page(sample: Sample, response: HtmlResponse) -> object:
    return Page(response)


def lexbor_parse(sample: Sample, response: HtmlResponse) -> object:
    return LexborHTMLParser(_prepared(response))


def _lexbor_body(response: HtmlResponse) -> LexborNode:
    tree = LexborHTMLParser(_prepared(response))
    body = tree.body or tree.root
    assert body is not None
    return body


def lexbor_traverse(sample: Sample, response: HtmlResponse) -> object:
    return walk_lexbor(_lexbor_body(response))


def lexbor_events(sample: Sample, response: HtmlResponse) -> object:
    return walk_lexbor_events(_lexbor_body(response))


def lxml_region(sample: Sample, response: HtmlResponse) -> object:
    el = document(response)
    for index in sample.region or ():
        el = el[index]
    return walk_lxml(el)


def parser_as_is(sample: Sample, response: HtmlResponse) -> object:
    kind = parsing.page_kind(response)
    if sample.kind == "article":
        return kind, parsing.parse_article(response, fetched_at=FETCHED_AT)
    return kind, parsing.listed_articles(response), parsing.pagination_links(response)


Contender = Callable[[Sample, HtmlResponse], object]
CONTENDERS: dict[str, Contender] = {
    "lxml parse": lxml_parse,
    "lxml parse + full walk": lxml_walk,
    "Page(response): parse + real _walk": lxml_page,
    "lexbor parse": lexbor_parse,
    "lexbor parse + traverse": lexbor_traverse,
    "lexbor parse + start/end walk": lexbor_events,
    "lxml parse + region walk": lxml_region,
    "parser as it is (kind + fields)": parser_as_is,
}
ARTICLES_ONLY = frozenset({"lxml parse + region walk"})


# --- timing ---------------------------------------------------------------------------------


def cpu_ms(contender: Contender, batch: list[Sample]) -> float:
    """CPU milliseconds (this process's: the machine is shared) for `batch`, one fresh response
    at a time, dropped after its turn (the parser caches its walk per response)."""
    gc.collect()  # no contender pays for another's garbage
    spent = 0.0
    for sample in batch:
        response = _response(sample.url, sample.body)
        started = time.process_time()
        contender(sample, response)
        spent += time.process_time() - started
    return spent * 1000


def timings(
    pages: list[Sample], repeat: int
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """ms per page for each contender and kind of page, and its spread: per batch of BATCH
    pages of one kind, the least of `repeat` passes, the contenders taking turns to go first;
    the spread is the median pass's excess over the least, summed the same way."""
    kinds = sorted({sample.kind for sample in pages})
    spent = {name: dict.fromkeys(kinds, 0.0) for name in CONTENDERS}
    median = dict.fromkeys(CONTENDERS, 0.0)
    least_total = dict.fromkeys(CONTENDERS, 0.0)
    counts = {kind: sum(1 for s in pages if s.kind == kind) for kind in kinds}
    order = list(CONTENDERS)
    for kind in kinds:
        same = [s for s in pages if s.kind == kind]
        names = [n for n in CONTENDERS if kind == "article" or n not in ARTICLES_ONLY]
        for first in range(0, len(same), BATCH):
            batch = same[first : first + BATCH]
            passes: dict[str, list[float]] = {name: [] for name in names}
            for _ in range(repeat):
                for name in [n for n in order if n in passes]:
                    passes[name].append(cpu_ms(CONTENDERS[name], batch))
                order = order[1:] + order[:1]  # rotate: each contender goes first in turn
            for name, times in passes.items():
                spent[name][kind] += min(times)
                least_total[name] += min(times)
                median[name] += statistics.median(times)
    per_page = {
        name: {kind: spent[name][kind] / counts[kind] for kind in kinds} for name in CONTENDERS
    }
    spread = {
        name: (median[name] / least_total[name] - 1) if least_total[name] else 0.0
        for name in CONTENDERS
    }
    return per_page, spread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=540)
    parser.add_argument("--list-cap", type=int, default=2, help="list pages per section, at most")
    parser.add_argument("--repeat", type=int, default=7, help="passes per batch of pages")
    args = parser.parse_args()
    pages = samples(args.articles, args.list_cap)
    articles = [s for s in pages if s.kind == "article"]
    lists = len(pages) - len(articles)
    located = sum(1 for s in articles if s.region)
    region_share = statistics.median(
        len(list(_region_root(s).iter()))
        / len(list(_body(document(_response(s.url, s.body))).iter()))
        for s in articles
    )
    print(
        f"{len(pages)} pages ({len(articles)} article, {lists} list) of Portal(articles="
        f"{args.articles}, seed=1, families=True); lxml {'.'.join(map(str, etree.LXML_VERSION))}"
        f" (libxml2 {'.'.join(map(str, etree.LIBXML_VERSION))}), selectolax {_selectolax()}"
    )
    print(
        f"region: the parser's own body container (body.container), found on {located} of "
        f"{len(articles)} article pages; median {region_share:.0%} of <body>'s elements"
    )
    counted = [sizes(s) for s in pages]
    lxml_elements, lxml_chars, lexbor_elements, lexbor_chars = (
        sum(c[i] for c in counted) for i in range(4)
    )
    print(
        f"trees under <body>: lxml {lxml_elements} elements, {lxml_chars} text chars; lexbor "
        f"{lexbor_elements} elements (+{lexbor_elements / lxml_elements - 1:.1%}: HTML5 adds "
        f"<tbody>), {lexbor_chars} text chars ({lexbor_chars / lxml_chars - 1:+.2%})"
    )
    per_page, spread = timings(pages, args.repeat)
    total = len(pages)
    print(f"\nms/page, CPU (process_time), least of {args.repeat} passes per batch of {BATCH}")
    print(f"{'contender':<36} {'article':>8} {'list':>8} {'all':>8} {'median+':>8}")
    for name, kinds in per_page.items():
        article_ms, list_ms = kinds.get("article", 0.0), kinds.get("list")
        if name in ARTICLES_ONLY:
            all_ms = "—"
            list_cell = "—"
        else:
            list_ms = list_ms or 0.0
            all_ms = f"{(article_ms * len(articles) + list_ms * lists) / total:.3f}"
            list_cell = f"{list_ms:.3f}"
        print(f"{name:<36} {article_ms:>8.3f} {list_cell:>8} {all_ms:>8} {spread[name]:>+8.0%}")
    print()
    print(verdict(per_page))


def _region_root(sample: Sample) -> Element:
    el = document(_response(sample.url, sample.body))
    for index in sample.region or ():
        el = el[index]
    return el


def _selectolax() -> str:
    from importlib.metadata import version

    return version("selectolax")


def verdict(per_page: dict[str, dict[str, float]]) -> str:
    """One line, on article pages: what lexbor and the region walk would take off the parse and
    the walk, against what the parser costs as it is."""

    def ms(name: str) -> float:
        return per_page[name]["article"]

    lxml_both, lexbor_both = ms("lxml parse + full walk"), ms("lexbor parse + start/end walk")
    saved = lxml_both - lexbor_both
    region_saved = lxml_both - ms("lxml parse + region walk")
    whole = ms("parser as it is (kind + fields)")
    return (
        f"verdict: lexbor parses {ms('lxml parse') / ms('lexbor parse'):.1f}x and parses + walks "
        f"{lxml_both / lexbor_both:.1f}x as fast as lxml, {saved:.3f} ms/article page "
        f"({saved / whole:.0%} of the parser's {whole:.3f}); walking the region alone saves "
        f"{region_saved:.3f} ms ({region_saved / whole:.0%}), if it could be found without a walk"
    )


if __name__ == "__main__":
    main()
