"""Reproducible stratified samples of the registry (抽查).

Bulletins report sample checks ("从全区正在运行的546个政府网站中抽查294个"); an office
must be able to show which sites were drawn and draw the same ones again.  The sample is
stratified by (region, kind) so every region and both portals and department sites are
represented in proportion, and it depends only on the set of site ids, the size and the
seed — not on the registry's row order.  The seed is recorded in the inspection
(`inspections.sample_seed`).
"""

from __future__ import annotations

import hashlib
import math
import random
from typing import Any, Iterable, Sequence, TypeVar

S = TypeVar("S")


class SampleError(ValueError):
    """A sample request that cannot be met (bad size or ratio); one line."""


def _attr(site: Any, name: str) -> str:
    if isinstance(site, dict):
        return str(site.get(name) or "")
    return str(getattr(site, name, "") or "")


def parse_sample_arg(value: str | int | float | None) -> tuple[int | None, float | None]:
    """`-a sample=30` → (30, None); `-a sample=0.5` or `50%` → (None, 0.5)."""
    if value is None or value == "":
        return None, None
    text = str(value).strip()
    try:
        if text.endswith("%"):
            ratio = float(text[:-1]) / 100.0
        elif "." in text:
            ratio = float(text)
        else:
            n = int(text)
            if n <= 0:
                raise SampleError(f"sample size must be positive, got {text!r}")
            return n, None
    except ValueError:
        raise SampleError(f"bad sample {text!r} (want a count such as 30 or a ratio such as 0.5)") from None
    if not 0 < ratio <= 1:
        raise SampleError(f"sample ratio must be in (0, 1], got {text!r}")
    return None, ratio


def _allocate(sizes: dict[tuple[str, str], int], n: int) -> dict[tuple[str, str], int]:
    """Proportional allocation by largest remainder; when n allows, every stratum gets one."""
    total = sum(sizes.values())
    keys = sorted(sizes)
    if n >= total:
        return dict(sizes)
    alloc = {k: 0 for k in keys}
    remaining = n
    if n >= len(keys):  # one per stratum first, so small regions are never left out
        for k in keys:
            alloc[k] = 1
        remaining -= len(keys)
    capacity = {k: sizes[k] - alloc[k] for k in keys}
    cap_total = sum(capacity.values())
    if remaining and cap_total:
        quotas = {k: remaining * capacity[k] / cap_total for k in keys}
        for k in keys:
            alloc[k] += math.floor(quotas[k])
        left = n - sum(alloc.values())
        # Largest remainder, ties broken by stratum name so the result is stable.
        order = sorted(keys, key=lambda k: (-(quotas[k] - math.floor(quotas[k])), k))
        for k in order:
            if left <= 0:
                break
            if alloc[k] < sizes[k]:
                alloc[k] += 1
                left -= 1
    return alloc


def draw_sample(sites: Iterable[S], n: int | None = None, ratio: float | None = None,
                seed: int = 0) -> list[S]:
    """Draw `n` sites (or `ratio` of them), stratified by region and kind, reproducibly.

    Returns the drawn sites in their original order.  The same ids, size and seed always
    give the same sample, whatever order the registry lists them in.
    """
    pool: Sequence[S] = list(sites)
    if (n is None) == (ratio is None):
        raise SampleError("give exactly one of n (a count) or ratio (0 < ratio <= 1)")
    if ratio is not None:
        if not 0 < ratio <= 1:
            raise SampleError(f"sample ratio must be in (0, 1], got {ratio}")
        n = max(1, round(len(pool) * ratio)) if pool else 0
    assert n is not None
    if n <= 0:
        raise SampleError(f"sample size must be positive, got {n}")
    strata: dict[tuple[str, str], list[S]] = {}
    for s in pool:
        strata.setdefault((_attr(s, "region"), _attr(s, "kind")), []).append(s)
    alloc = _allocate({k: len(v) for k, v in strata.items()}, n)
    chosen: set[str] = set()
    for key in sorted(strata):
        members = sorted(strata[key], key=lambda s: _attr(s, "id"))
        # A per-stratum generator: adding a site to one region does not reshuffle the others.
        digest = hashlib.sha256(f"{seed}\x1f{key[0]}\x1f{key[1]}".encode("utf-8")).digest()
        rng = random.Random(int.from_bytes(digest[:8], "big"))
        for s in rng.sample(members, alloc[key]):
            chosen.add(_attr(s, "id"))
    return [s for s in pool if _attr(s, "id") in chosen]


def sample_summary(population: Iterable[Any], sample: Iterable[Any]) -> list[dict[str, Any]]:
    """Per (region, kind) counts of population and sample, for the bulletin and logs."""
    pop: dict[tuple[str, str], int] = {}
    got: dict[tuple[str, str], int] = {}
    for s in population:
        k = (_attr(s, "region"), _attr(s, "kind"))
        pop[k] = pop.get(k, 0) + 1
    for s in sample:
        k = (_attr(s, "region"), _attr(s, "kind"))
        got[k] = got.get(k, 0) + 1
    return [{"region": k[0], "kind": k[1], "population": pop[k], "sampled": got.get(k, 0)}
            for k in sorted(pop)]
