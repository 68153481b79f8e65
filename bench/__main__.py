"""Benchmark tools: `python -m bench generate|analytics|search`.

  python -m bench generate --customers 100000 --interactions 10 --db sqlite:///bench.sqlite3
  python -m bench analytics [--db sqlite:///bench.sqlite3] [--customers 100000] [--runs 5]
  python -m bench search      (same as python -m bench.bench_search)
  python -m bench latency [--db sqlite:///PATH] [--runs 30] [--iterations 300] [--profile]
  python -m bench roundtrip [--db sqlite:///PATH] [--updates 200] [--users 20] [--rounds 3]
  python -m bench scans [--small sqlite:///10k.sqlite3] [--big sqlite:///100k.sqlite3] [--pg URL]
  python -m bench dispatch [--messages 1000] [--chats 300] [--mode local|http]
  python -m bench rss [--db sqlite:///100k.sqlite3] [--attribute]
"""

from __future__ import annotations

import argparse
import sys

from crm_store.db import make_engine
from crm_store.migrate import upgrade


def _generate(args: argparse.Namespace) -> None:
    from bench.generate import generate_dataset

    engine = make_engine(args.db)
    upgrade(engine)
    info = generate_dataset(
        engine, customers=args.customers, seed=args.seed,
        interactions_per_customer=args.interactions, orders_per_customer=args.orders,
        deals_per_customer=args.deals, complaints_per_customer=args.complaints,
        reps=args.reps, progress=not args.quiet,
    )
    engine.dispose()
    print(f"generated in {info.seconds:.1f}s into {args.db}")
    for key, value in info.counts().items():
        print(f"  {key:<14}{value:>12,}")
    print(f"  admin telegram id {info.admin_telegram_id}, managers {info.manager_telegram_ids}")


def main(argv: list[str] | None = None) -> None:
    """Parse the subcommand and run it."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="fill a database with a synthetic team")
    gen.add_argument("--db", default="sqlite:///bench.sqlite3")
    gen.add_argument("--customers", type=int, default=100_000)
    gen.add_argument("--interactions", type=float, default=10, help="per customer")
    gen.add_argument("--orders", type=float, default=2, help="per customer")
    gen.add_argument("--deals", type=float, default=0.3, help="per customer")
    gen.add_argument("--complaints", type=float, default=0.03, help="per customer")
    gen.add_argument("--reps", type=int, default=20)
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--quiet", action="store_true")
    sub.add_parser("analytics", help="time the analytics commands (bench/bench_analytics.py)",
                   add_help=False)
    sub.add_parser("search", help="time contact search (bench/bench_search.py)", add_help=False)
    sub.add_parser("latency", help="/find, /log and the PTB path against baselines "
                   "(bench/bench_latency.py)", add_help=False)
    sub.add_parser("roundtrip", help="HTTP round trips against an echo bot "
                   "(bench/bench_latency.py)", add_help=False)
    for name, what in (("scans", "the scheduler's nightly scans at 10k/100k (bench_scans.py)"),
                       ("dispatch", "the dispatcher's send rate (bench/bench_dispatch.py)"),
                       ("rss", "peak RSS of crm-bot run, 100k contacts (bench/bench_rss.py)")):
        sub.add_parser(name, help=what, add_help=False)
    args, rest = parser.parse_known_args(argv)
    if args.command == "generate":
        if rest:
            parser.error(f"unrecognized arguments: {' '.join(rest)}")
        _generate(args)
    elif args.command in ("latency", "roundtrip"):
        from bench import bench_latency

        run = bench_latency.latency_main if args.command == "latency" else (
            bench_latency.roundtrip_main)
        run(rest)
    elif args.command in ("scans", "dispatch", "rss"):
        from importlib import import_module

        import_module(f"bench.bench_{args.command}").main(rest)
    elif args.command == "analytics":
        from bench import bench_analytics

        bench_analytics.main(rest)
    else:
        from bench import bench_search

        sys.argv = ["bench.bench_search", *rest]
        bench_search.main()


if __name__ == "__main__":
    main()
