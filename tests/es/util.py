"""Helpers shared by the Elasticsearch tests."""

from __future__ import annotations

from pathlib import Path

from govcrawl.es.config import EsConfig
from govcrawl.items import Finding

def make_cfg(url: str, tmp_path: Path, **kw) -> EsConfig:
    base = {
        "ELASTICSEARCH_URL": url,
        "ELASTICSEARCH_SPOOL_DIR": str(tmp_path / "spool"),
        "ELASTICSEARCH_RETRY_BACKOFF": 0.01,
        "ELASTICSEARCH_FLUSH_INTERVAL": 0.05,
        "ELASTICSEARCH_MAX_RETRIES": 3,
        "ELASTICSEARCH_TIMEOUT": 5,
        "ELASTICSEARCH_CLOSE_TIMEOUT": 30,
    }
    base.update(kw)
    return EsConfig.load(base, env={})


def finding(n: int, site: str = "6105000001", rule: str = "content.typo", **kw) -> Finding:
    base = dict(rule=rule, severity="deduct", site_id=site, url=f"http://127.0.0.1:1/p{n}.html",
                text=f"再接再励{n}", suggestion="再接再厉", start=n, end=n + 4, where="text",
                category="错别字", evidence={"context": f"我们要再接再励{n}，继续前进"})
    base.update(kw)
    return Finding(**base)
