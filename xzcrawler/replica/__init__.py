"""A deterministic, offline replica of 乡镇时评网 that knows its own ground truth.

Tests, the demo and the benchmarks crawl it on 127.0.0.1 and compare what the crawler stored
with `Portal.articles` / `Portal.expected_records`.
"""

from xzcrawler.replica.faults import TRANSIENT_FAULTS, Fault, FaultPlan
from xzcrawler.replica.portal import (
    ArticleTruth,
    ArticleTruths,
    ListStyle,
    Page,
    Portal,
    SectionTruth,
    Specials,
    UrlForm,
)
from xzcrawler.replica.server import ReplicaServer, RequestRecord
from xzcrawler.replica.templates import Template

__all__ = [
    "TRANSIENT_FAULTS",
    "ArticleTruth",
    "ArticleTruths",
    "Fault",
    "FaultPlan",
    "ListStyle",
    "Page",
    "Portal",
    "ReplicaServer",
    "RequestRecord",
    "SectionTruth",
    "Specials",
    "Template",
    "UrlForm",
]
