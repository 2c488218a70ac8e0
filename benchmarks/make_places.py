"""Write lexicons/places.txt: names of China's administrative divisions (facts).

    .venv/bin/python benchmarks/make_places.py [--mirror /work/.mirror] [--out lexicons/places.txt]

Source: the National Bureau of Statistics' 统计用区划代码和城乡划分代码 (2023 edition, as of
2023-06-30), as collected in the public repository modood/Administrative-divisions-of-China
(WTFPL), files dist/provinces.csv, cities.csv, areas.csv, streets.csv: province, prefecture,
county and township level (乡/镇/街道).  Only the names are kept (place names are facts), one
a line, sorted; the placeholder rows (市辖区, 县, 省直辖县级行政区划) are dropped.
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPO = "modood+Administrative-divisions-of-China"
SKIP = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
HEADER = """\
# Administrative division names of China (province, prefecture, county, township: 乡/镇/街道).
# Facts: the National Bureau of Statistics' 统计用区划代码和城乡划分代码, 2023 edition (as of
# 2023-06-30), as collected by github.com/modood/Administrative-divisions-of-China (WTFPL);
# written by benchmarks/make_places.py.  Names only, one a line.  Used by govcrawl/text/names.py:
# a typo candidate inside a place name is never reported.
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mirror", default="/work/.mirror")
    ap.add_argument("--out", default=str(ROOT / "lexicons" / "places.txt"))
    a = ap.parse_args()
    git_dir = Path(a.mirror) / REPO / "repo"
    if not git_dir.exists():
        print(f"no mirror of {REPO} under {a.mirror}", file=sys.stderr)
        return 1
    names: set[str] = set()
    for f in ("provinces", "cities", "areas", "streets"):
        data = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"HEAD:dist/{f}.csv"],
                              check=True, capture_output=True).stdout.decode("utf-8-sig")
        for row in csv.DictReader(io.StringIO(data)):
            n = (row.get("name") or "").strip()
            if n and n not in SKIP and len(n) >= 2:
                names.add(n)
    Path(a.out).write_text(HEADER + "".join(n + "\n" for n in sorted(names)), "utf-8")
    print(f"{len(names)} names → {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
