"""Stores articles: batched upserts on a writer thread, a spool file for what cannot be written.

Batches keep commits few (a commit per item costs 10x, docs/field-notes.md) and the writer
thread keeps the reactor free while SQLite or PostgreSQL works. Every article handed to this
pipeline ends in exactly one of four places, and the run record says which:

- the database;
- the spool: a batch the database did not take (gone, locked past its retries, its SQLite file
  deleted) goes to a JSON-lines file under STORAGE_SPOOL_DIR that the next run writes first;
- quarantine: a row the database refuses even on its own while it takes others (a poison row)
  goes to the `quarantined_articles` table (or, if that fails too, `quarantine-*.jsonl` beside
  the spool), and its URL and reason to the run record's failed_pages; so does a spool line
  that cannot be read back (a truncated write). A failing batch is written again row by row, so
  one poison row never takes its batch, the spool or later runs with it;
- lost: the spool itself could not be written (disk full, unwritable folder): counted under
  STORAGE_LOST, each URL in failed_pages, and the run fails (exit 1) naming the count.

When the database cannot take a write at the end of a crawl, the run record goes to the spool too
(`*.runs.jsonl`); the next run writes it into crawl_runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol, Self

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector
from sqlalchemy import create_engine, func, insert, select, update

from pipelines.writer import WriterProcess, describe, lost_database, row_error
from xzcrawler.models import SHANGHAI, Article, Base, CrawlRun
from xzcrawler.stats_keys import (
    PROBLEM_PAGES,
    PROBLEM_PAGES_KEPT,
    STORAGE_LOST,
    STORAGE_QUARANTINED,
    STORAGE_RECEIVED,
    STORAGE_SPOOLED,
    STORAGE_WAITED,
)
from xzcrawler.storage import (
    ArticleStore,
    WriteCounts,
    database_digest,
    engine_for,
    ensure_schema,
    mask_url,
)

logger = logging.getLogger(__name__)

_DATETIME_FIELDS = ("published_at", "fetched_at", "updated_at")
_DATE_FIELDS = ("dateline_date",)
_RUN_DATETIME_FIELDS = ("started_at", "finished_at")
_URL_IN_LINE = re.compile(r'"url":\s*"((?:[^"\\]|\\.)*)"')


def article_row(item: Any) -> dict[str, Any]:
    """The item as a storage row: Article columns plus 'authors' and 'author_roles'.

    A shallow copy: the writer adds keys and never changes the item's lists (asdict's deep
    copy cost ~0.08 ms an item). Without the page reader's notes: counted, not stored."""
    row = dict(ItemAdapter(item).items())
    row.pop("notes", None)
    return row


def spool_path(spool_dir: Path, database_url: str) -> Path:
    """The database's spool: named by the database (storage.database_key), never the password."""
    return spool_dir / f"spool-{database_digest(database_url)}.jsonl"


def _legacy_spool_path(spool_dir: Path, database_url: str) -> Path:
    """Where versions before 0006 spooled: sha256 of the URL as given, password included."""
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return spool_dir / f"spool-{digest}.jsonl"


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else str(value)


def _dump_line(value: Any) -> str:
    """One line of a spool or quarantine file, in ASCII: a text's line separators (U+2028,
    U+2029, U+0085) and lone surrogates come back from it as they went in."""
    return json.dumps(value, default=_jsonable)


def _lines(path: Path) -> list[str]:
    """A spool file's lines, split at newlines only: spools written before the lines were
    ASCII may hold a text's own line separators."""
    return path.read_text(encoding="utf-8", errors="replace").split("\n")


def _locked(path: Path, *, create: bool) -> int:
    """A descriptor of the file at `path`, locked (flock) against every other writer or taker
    of it: the file still at `path` once the lock is held, not one renamed meanwhile."""
    while True:
        flags = os.O_RDWR | os.O_APPEND | (os.O_CREAT if create else 0)
        fd = os.open(path, flags, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                return fd
        except FileNotFoundError:
            if not create:
                os.close(fd)
                raise
        os.close(fd)


def _load_row(line: str) -> dict[str, Any]:
    row = json.loads(line)
    if not isinstance(row, dict) or not isinstance(row.get("url"), str):
        raise ValueError("not an article row")
    for name in _DATETIME_FIELDS:
        if row.get(name):
            row[name] = datetime.fromisoformat(row[name])
    for name in _DATE_FIELDS:
        if row.get(name):
            row[name] = date.fromisoformat(row[name])
    return row


class Writes(Protocol):
    """What the pipeline asks of the database: an ArticleStore here, or in the writer."""

    def write(
        self, rows: list[dict[str, Any]], written_at: datetime | None = None
    ) -> WriteCounts: ...

    def quarantine(self, url: str | None, reason: str, row: dict[str, Any]) -> None: ...

    def healthy(self) -> bool: ...


class StoragePipeline:
    def __init__(
        self,
        database_url: str,
        batch_size: int,
        retries: int,
        spool_dir: Path,
        stats: StatsCollector,
        settings: BaseSettings | None = None,
        writer_process: bool = False,
        writer_idle: bool = False,
        backlog: int = 0,
    ) -> None:
        self.database_url = database_url
        self.batch_size = batch_size
        self.retries = retries
        self.spool_dir = spool_dir
        self.spool = spool_path(spool_dir, database_url)
        self.run_spool = self.spool.with_suffix(".runs.jsonl")
        self.quarantine_file = spool_dir / f"quarantine-{database_digest(database_url)}.jsonl"
        self.stats = stats
        self.settings = settings
        self.pending: list[dict[str, Any]] = []
        self.writer_process = writer_process
        self.writer_idle = writer_idle
        # Batches handed to the writer and not yet written; an item that finds this many waits
        # (STORAGE_BACKLOG), so a database or a writer that falls behind holds the crawl back
        # instead of filling its memory.
        self.batches_behind = 0
        self.max_batches_behind = max(2, backlog // max(batch_size, 1))
        self.caught_up = asyncio.Condition()
        self.store: ArticleStore | None = None  # this process's: run records, health
        self.writes: Writes | None = None  # the store the batches go to
        self.writer: ThreadPoolExecutor | None = None
        self.run: tuple[int, datetime, str, str] | None = None  # the crawl_runs row opened
        self.stored_before = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        pipeline = cls(
            database_url=settings["DATABASE_URL"],
            batch_size=settings.getint("STORAGE_BATCH_SIZE"),
            retries=settings.getint("STORAGE_RETRIES"),
            spool_dir=Path(settings["STORAGE_SPOOL_DIR"]),
            stats=crawler.stats,
            settings=settings,
            writer_process=settings.getbool("STORAGE_PROCESS"),
            writer_idle=settings.getbool("STORAGE_PROCESS_IDLE"),
            backlog=settings.getint("STORAGE_BACKLOG"),
        )
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        engine = engine_for(self.database_url)
        ensure_schema(engine)
        self.store = ArticleStore(engine)
        self.writes = (
            WriterProcess(self.database_url, idle=self.writer_idle)
            if self.writer_process
            else self.store
        )
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xz-storage")
        self._find_run()
        self._replay_runs()
        self._replay_spool()

    async def process_item(self, item: Any) -> Any:
        self.stats.inc_value(STORAGE_RECEIVED)
        if self.batches_behind >= self.max_batches_behind:
            self.stats.inc_value(STORAGE_WAITED)
            await self._writer_caught_up()
        self.pending.append(article_row(item))
        if len(self.pending) >= self.batch_size:
            await self._flush()
        return item

    async def close_spider(self) -> None:
        await self._flush()
        if self.writer:
            self.writer.shutdown(wait=True)
        if isinstance(self.writes, WriterProcess):
            self.writes.close()
        engine_for(self.database_url).dispose()

    async def _flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        loop = asyncio.get_running_loop()
        self.batches_behind += 1
        try:
            await loop.run_in_executor(self.writer, self._write_or_spool, batch)
        finally:
            self.batches_behind -= 1
            async with self.caught_up:
                self.caught_up.notify_all()

    async def _writer_caught_up(self) -> None:
        async with self.caught_up:
            await self.caught_up.wait_for(lambda: self.batches_behind < self.max_batches_behind)

    # --- writing -----------------------------------------------------------------------------

    def _write_or_spool(self, batch: list[dict[str, Any]]) -> None:
        # One time for every try of the batch: a try whose writer died after committing is
        # then counted by the next as it stored (ArticleStore.write).
        written_at = datetime.now(SHANGHAI)
        try:
            counts = self._write_with_retries(batch, written_at)
        except Exception as exc:  # whatever failed, the batch goes somewhere it is kept
            if row_error(exc):
                self._write_one_by_one(batch, written_at)
            else:
                self._spool(batch, exc)
            return
        self._count(counts)

    def _write_with_retries(self, batch: list[dict[str, Any]], written_at: datetime) -> WriteCounts:
        assert self.writes is not None
        for attempt in range(self.retries + 1):
            try:
                return self.writes.write(batch, written_at)
            except Exception as exc:
                if attempt == self.retries or row_error(exc) or lost_database(exc):
                    raise
                delay = min(2**attempt, 30)
                logger.warning(
                    "storage: write of %d articles failed (%s); retry %d/%d in %ds",
                    len(batch),
                    describe(exc),
                    attempt + 1,
                    self.retries,
                    delay,
                )
                self.stats.inc_value("xz/storage/retries")
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _write_one_by_one(self, batch: list[dict[str, Any]], written_at: datetime) -> None:
        """A batch the database refused for one of its rows: each row alone, the poison ones
        to quarantine. Should the database itself fail meanwhile, the rest is spooled."""
        assert self.writes is not None
        for position, row in enumerate(batch):
            try:
                counts = self.writes.write([row], written_at)
            except Exception as exc:
                if not row_error(exc) or not self.writes.healthy():
                    self._spool(batch[position:], exc)
                    return
                self._quarantine(row, describe(exc))
            else:
                self._count(counts)

    def _quarantine(self, row: dict[str, Any], reason: str, *, line: str | None = None) -> None:
        """Keep what cannot be stored with why; its URL goes to the run record's failed_pages."""
        assert self.writes is not None
        url = row.get("url") if isinstance(row.get("url"), str) else None
        kept = json.loads(_dump_line(row)) if line is None else {"spool_line": line}
        where = "quarantined_articles"
        try:
            self.writes.quarantine(url, reason, kept)
        except Exception as exc:  # the database takes no quarantine row either: a file then
            logger.warning("storage: quarantine table unwritable (%s)", describe(exc))
            where = str(self.quarantine_file)
            record = {"url": url, "reason": reason, "row": kept}
            record["quarantined_at"] = datetime.now().astimezone().isoformat()
            try:
                self._append(self.quarantine_file, [_dump_line(record)])
            except Exception as err:  # any failure to keep it is a counted loss, never silent
                self._lost([row], f"could not be stored ({reason}) nor quarantined ({err})")
                return
        self.stats.inc_value(STORAGE_QUARANTINED)
        self._problem(url or "(unreadable spool line)", f"quarantined: {reason}")
        logger.error("storage: %s quarantined in %s: %s", url, where, reason)

    def _spool(self, batch: list[dict[str, Any]], exc: BaseException) -> None:
        try:
            self._append(self.spool, [_dump_line(row) for row in batch])
        except Exception as err:  # any failure to keep it is a counted loss, never silent
            detail = err.strerror if isinstance(err, OSError) and err.strerror else err
            self._lost(
                batch,
                f"could not be written ({describe(exc)}) nor spooled "
                f"({type(err).__name__}: {detail})",
            )
            return
        self.stats.inc_value(STORAGE_SPOOLED, len(batch))
        logger.error(
            "storage: %d articles could not be written to %s (%s); kept in %s for the next run",
            len(batch),
            mask_url(self.database_url),
            describe(exc),
            self.spool,
        )

    def _lost(self, batch: list[dict[str, Any]], reason: str) -> None:
        self.stats.inc_value(STORAGE_LOST, len(batch))
        for row in batch:
            self._problem(str(row.get("url")), f"lost: {reason}")
        logger.error("storage: %d articles lost: %s", len(batch), reason)

    @staticmethod
    def _append(path: Path, lines: list[str]) -> None:
        """Append whole lines or nothing: a write that fails half way is cut back off, and a
        line an earlier run left cut short (killed mid-write) is ended before ours begin."""
        path.parent.mkdir(parents=True, exist_ok=True)
        data = "".join(line + "\n" for line in lines).encode("utf-8")
        fd = _locked(path, create=True)
        try:
            start = os.lseek(fd, 0, os.SEEK_END)
            if start and os.pread(fd, 1, start - 1) != b"\n":
                data = b"\n" + data
            try:
                written = memoryview(data)
                while written:
                    written = written[os.write(fd, written) :]
            except OSError:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, start)
                raise
        finally:
            os.close(fd)

    def _problem(self, url: str, reason: str) -> None:
        problems = self.stats.get_value(PROBLEM_PAGES, [])
        if len(problems) < PROBLEM_PAGES_KEPT:
            problems.append({"url": url, "status": None, "reason": reason})
        self.stats.set_value(PROBLEM_PAGES, problems)

    def _count(self, counts: WriteCounts) -> None:
        self.stats.inc_value("xz/articles/new", counts.new)
        self.stats.inc_value("xz/articles/updated", counts.updated)
        self.stats.inc_value("xz/articles/unchanged", counts.unchanged)

    # --- the spool of earlier runs -----------------------------------------------------------

    def _take(self, paths: list[Path], stem: str) -> list[Path]:
        """The spool files to replay: those a run killed while replaying left (`stem`
        .replaying-*), then each of `paths`, renamed so. Renamed under its lock: a crawl of this
        database (a distributed worker) appending to it meanwhile waits, then appends to a new
        file at `path`, which the next run replays."""
        taken = sorted(self.spool_dir.glob(f"{stem}.replaying-*"))
        for number, path in enumerate(dict.fromkeys(paths)):
            if not path.exists():
                continue
            try:
                fd = _locked(path, create=False)
            except FileNotFoundError:  # taken by another crawl meanwhile
                continue
            try:
                name = f"{stem}.replaying-{time.time_ns()}-{number}"
                taken.append(path.replace(path.with_name(name)))
            finally:
                os.close(fd)
        return taken

    def _replay_spool(self) -> None:
        """Write what earlier runs could not, before anything new. The spool is renamed first;
        what still cannot be written goes to a new spool, unreadable lines to quarantine."""
        legacy = _legacy_spool_path(self.spool_dir, self.database_url)
        taken = self._take([self.spool, legacy], self.spool.stem)
        rows: list[dict[str, Any]] = []
        for path in taken:
            for number, line in enumerate(_lines(path), 1):
                if not line.strip():
                    continue
                try:
                    rows.append(_load_row(line))
                except (ValueError, TypeError) as exc:
                    found = _URL_IN_LINE.search(line)
                    url = json.loads(f'"{found.group(1)}"') if found else None
                    reason = f"unreadable spool line {number} of {path.name}: {describe(exc)}"
                    self._quarantine({"url": url}, reason, line=line[:100_000])
        lost_before = self.stats.get_value(STORAGE_LOST, 0)
        if rows:
            self.stats.inc_value("xz/storage/replayed", len(rows))
            for start in range(0, len(rows), self.batch_size):  # as a crawl's batches are
                self._write_or_spool(rows[start : start + self.batch_size])
            logger.info("storage: replayed %d spooled articles", len(rows))
        if self.stats.get_value(STORAGE_LOST, 0) > lost_before:
            logger.error("storage: spooled articles lost again; %s kept for the next run", taken)
            return
        for path in taken:
            path.unlink()

    # --- the run record ----------------------------------------------------------------------

    def _find_run(self) -> None:
        """The crawl_runs row the CLI opened for this crawl (we hold its lock): the newest one
        still running. None under plain `scrapy crawl`."""
        assert self.store is not None
        try:
            with self.store.engine.connect() as conn:
                found = conn.execute(
                    select(CrawlRun.id, CrawlRun.started_at, CrawlRun.mode, CrawlRun.portal_url)
                    .where(CrawlRun.status == "running")
                    .order_by(CrawlRun.id.desc())
                    .limit(1)
                ).first()
                self.stored_before = conn.execute(select(func.count(Article.id))).scalar_one()
        except Exception as exc:
            logger.warning("storage: could not read the open run (%s)", describe(exc))
            return
        self.run = (found.id, found.started_at, found.mode, found.portal_url) if found else None

    def spider_closed(self, spider: Any, reason: str) -> None:
        """If the database cannot take a write now, the CLI's run record would be lost with
        it: keep the record in the spool too; the next run writes it into crawl_runs."""
        if self.run is None or self.store is None or self.store.healthy():
            return
        try:
            record = self._run_record()
            self._append(self.run_spool, [_dump_line(record)])
        except Exception as exc:
            logger.error("storage: the run record could not be spooled either (%s)", exc)
            return
        logger.error(
            "storage: %s takes no writes; run %d's record kept in %s for the next run",
            mask_url(self.database_url),
            record["id"],
            self.run_spool,
        )

    def _run_record(self) -> dict[str, Any]:
        """The record runs.close_run writes, made by close_run itself in a scratch database."""
        from xzcrawler import runs
        from xzcrawler.health import RunStatus, Thresholds, assess

        assert self.run is not None and self.settings is not None
        run_id, started_at, mode, portal_url = self.run
        stats = self.stats.get_stats()
        assessment = assess(
            stats,
            thresholds=Thresholds.from_settings(self.settings),
            stored_before=self.stored_before,
            previous_fill=[],
            shared_frontier=bool(self.settings.get("REDIS_URL")),
        )
        scratch = create_engine("sqlite://")
        try:
            Base.metadata.create_all(scratch)
            with scratch.begin() as conn:
                conn.execute(
                    insert(CrawlRun).values(
                        id=run_id, started_at=started_at, mode=mode, portal_url=portal_url,
                        status="running",
                    )
                )  # fmt: skip
            exit_code = 0 if assessment.status is RunStatus.OK else 1
            runs.close_run(scratch, run_id, stats, assessment, exit_code)
            with scratch.connect() as conn:
                row = conn.execute(select(CrawlRun.__table__)).mappings().one()
        finally:
            scratch.dispose()
        record = dict(row)
        record["chain_health"] = {}  # the scratch database holds no article to judge
        return record

    def _replay_runs(self) -> None:
        """Write run records spooled by earlier runs (their spool taken as `_take` says): into
        their own row if it is still open (running, or marked died meanwhile), else as a new
        row. A record the database does not take now (gone again, locked) is spooled again; one
        that cannot be read is dropped, logged."""
        assert self.store is not None
        taken = self._take([self.run_spool], self.run_spool.stem)
        kept: list[str] = []
        for line in (line for path in taken for line in _lines(path) if line.strip()):
            try:
                record = json.loads(line)
                for name in _RUN_DATETIME_FIELDS:
                    if record.get(name):
                        record[name] = datetime.fromisoformat(record[name])
                with self.store.engine.begin() as conn:
                    run_id = record.pop("id")
                    own = conn.execute(
                        update(CrawlRun)
                        .where(
                            CrawlRun.id == run_id,
                            CrawlRun.started_at == record["started_at"],
                            CrawlRun.status.in_(("running", "died")),
                        )
                        .values(**record)
                    ).rowcount
                    exists = conn.execute(
                        select(CrawlRun.id).where(
                            CrawlRun.id == run_id, CrawlRun.started_at == record["started_at"]
                        )
                    ).first()
                    if not own and exists is None:
                        conn.execute(insert(CrawlRun).values(**record))
            except Exception as exc:
                logger.error("storage: a spooled run record could not be written (%s)", exc)
                if not row_error(exc):
                    kept.append(line)
        try:
            if kept:
                self._append(self.run_spool, kept)
        except OSError as exc:  # the files taken stay, for the next run to replay
            logger.error("storage: spooled run records could not be kept again (%s)", exc)
            return
        for path in taken:
            path.unlink()
