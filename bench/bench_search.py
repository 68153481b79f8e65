"""Benchmark crm_store.contacts.search.rank over 100k synthetic contacts (a script, not a test).

Usage: python -m bench.bench_search [--n 100000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from rapidfuzz import fuzz, process

from crm_store.contacts.search import SearchIndex, SearchKey, name_keys, phone_digits, rank

SEED = 20240601
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严赖覃洪武莫孔单解区仇朴查欧阳"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志东晓永天良镛树薇文斌"
FIRST = (
    "john jane james mary robert patricia michael linda william elizabeth david barbara "
    "richard susan joseph jessica thomas sarah charles karen daniel nancy matthew lisa"
).split()
LAST = (
    "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez "
    "lopez gonzalez wilson anderson thomas taylor moore jackson martin lee thompson white"
).split()
COMPANIES = ["Acme Ltd", "Globex", "Initech", "华东机械", "上海贸易", "Northwind Traders", ""]


def synthetic_keys(n: int, seed: int = SEED) -> list[SearchKey]:
    """Build n keys: ~70% Chinese names with real pinyin keys, ~30% latin names."""
    rng = random.Random(seed)
    keys: list[SearchKey] = []
    for contact_id in range(1, n + 1):
        if rng.random() < 0.7:
            surname = "欧阳" if rng.random() < 0.01 else rng.choice(SURNAMES[:-2])
            name = surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        else:
            name = f"{rng.choice(FIRST).title()} {rng.choice(LAST).title()}"
        full, initials = name_keys(name)
        phone = phone_digits(f"+86 1{rng.randrange(30, 99)} {rng.randrange(10**8):08d}")
        email = f"{full}{contact_id}@example.com" if rng.random() < 0.5 else ""
        company = rng.choice(COMPANIES)
        keys.append(SearchKey(contact_id, name, company, full, initials, phone, email))
    return keys


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of fn() in milliseconds after one warm-up call."""
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def bare_fuzzy(names: list[str]) -> tuple[str, Callable[[str], object]]:
    """The bare rapidfuzz baseline: cdist if numpy is available, else process.extract."""
    try:
        import numpy  # noqa: F401
    except ImportError:
        label = "process.extract(ratio, limit=None, cutoff=70)  [numpy missing: no cdist]"

        def run(query: str) -> object:
            return process.extract(
                query, names, scorer=fuzz.ratio, processor=None, limit=None, score_cutoff=70
            )

        return label, run

    def run_cdist(query: str) -> object:
        return process.cdist([query], names, scorer=fuzz.ratio, processor=None)

    return "process.cdist(ratio)", run_cdist


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    started = time.perf_counter()
    keys = synthetic_keys(args.n)
    print(f"built {len(keys):,} keys in {time.perf_counter() - started:.2f}s (seed {SEED})")

    started = time.perf_counter()
    SearchIndex(keys)
    print(
        f"SearchIndex build (first rank() on a new directory): "
        f"{(time.perf_counter() - started) * 1000:.1f} ms"
    )
    rank(keys, "warm-up")  # populate rank()'s index cache for this list

    index = SearchIndex(keys)
    names = [k.name.casefold() for k in keys]
    label, bare = bare_fuzzy(names)
    sample_phone = keys[12_345 % len(keys)].phone[-11:]  # any stored phone will do
    queries = [
        "张伟",
        "张为",
        "zhangwei",
        "zhangwie",
        "zw",
        "zhang",
        "john smith",
        "jhon smith",
        sample_phone,
        "8000",
        "a",
    ]
    print(f"\n{'query':<14}{'rank(list)':>11}{'rank(idx)':>11}{'bare':>8}{'ratio':>7}  hits")
    for query in queries:
        list_ms = median_ms(lambda q=query: rank(keys, q), args.repeat)
        index_ms = median_ms(lambda q=query: rank(index, q), args.repeat)
        bare_ms = median_ms(lambda q=query: bare(q), args.repeat)
        hits = len(rank(keys, query))
        print(
            f"{query:<14}{list_ms:>11.2f}{index_ms:>11.2f}{bare_ms:>8.2f}"
            f"{list_ms / bare_ms:>7.2f}  {hits}"
        )
    print("\n(ms, medians; ratio = rank(list) / bare)")
    print(f"\nbare baseline = {label} over {len(names):,} casefolded names")


if __name__ == "__main__":
    main()
