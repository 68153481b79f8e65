"""A result table for the issue 9 benchmarks: metric, value, target, PASS/FAIL, load average.

Every row records the 1-minute load average at the moment its figure was taken: the machine
has two cores shared with other engineers' test runs, so a figure means little without it.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field


def load() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` prints them."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def uptime() -> str:
    """`uptime`'s line (or the load averages if there is no `uptime`)."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True,
                              timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return f"load average: {load()}"


@dataclass
class Row:
    metric: str
    value: str
    target: str = ""
    ok: bool | None = None  # None: for information, no target
    load: str = field(default_factory=load)

    @property
    def verdict(self) -> str:
        return "" if self.ok is None else ("PASS" if self.ok else "FAIL")


@dataclass
class Table:
    """Rows added as figures are taken; printed as a Markdown table."""

    title: str
    rows: list[Row] = field(default_factory=list)

    def add(self, metric: str, value: str, target: str = "", ok: bool | None = None,
            at_load: str | None = None) -> Row:
        """A figure; `at_load`: the load average when it was taken (default: now)."""
        row = Row(metric, value, target, ok, at_load or load())
        self.rows.append(row)
        print(f"  {metric}: {value}" + (f"  (target {target}: {row.verdict})" if target else "")
              + f"  [load {row.load}]", flush=True)
        return row

    @property
    def failed(self) -> list[Row]:
        return [row for row in self.rows if row.ok is False]

    def print(self) -> None:
        print(f"\n### {self.title}\n\n{uptime()}\n")
        print("| metric | value | target | result | load avg (1, 5, 15 min) |")
        print("|---|---:|---|:-:|---|")
        for row in self.rows:
            verdict = f"**{row.verdict}**" if row.ok is False else row.verdict
            print(f"| {row.metric} | {row.value} | {row.target} | {verdict} | {row.load} |")
        print(f"\n{len(self.rows) - len(self.failed)} of {len(self.rows)} rows pass or are "
              f"informational; {len(self.failed)} fail.", flush=True)
