"""`python -m xzcrawler.replica serve --articles N`: the replica in its own process (benchmarks)."""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import time

from xzcrawler.replica import Portal, ReplicaServer
from xzcrawler.replica.server import rendered_site


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m xzcrawler.replica")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve a replica portal until killed")
    serve.add_argument("--articles", type=int, default=60)
    serve.add_argument("--seed", type=int, default=1)
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--list-page-size", type=int, default=5)
    serve.add_argument("--list-page-cap", type=int, default=2)
    serve.add_argument(
        "--prerender",
        action="store_true",
        help="render every linked page before serving, then answer from memory (benchmarks)",
    )
    args = parser.parse_args(argv)

    portal = Portal(
        articles=args.articles,
        seed=args.seed,
        list_page_size=args.list_page_size,
        list_page_cap=args.list_page_cap,
    )
    rendered = {}
    if args.prerender:
        started = time.perf_counter()
        rendered = rendered_site(portal, limit=4 * args.articles + 10_000)
        seconds = time.perf_counter() - started
        print(f"prerendered {len(rendered)} pages in {seconds:.1f} s", file=sys.stderr)
    # A benchmark sends hundreds of thousands of requests: no in-memory request log.
    with ReplicaServer(portal, port=args.port, keep_log=False, rendered=rendered) as server:
        print(f"serving {server.base_url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
