import asyncio
import json
from datetime import date

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from .checks_helpers import Builder, d
from govcrawl.cli import main
from govcrawl.items import PageItem, SiteDone
from govcrawl.pipelines.sitechecks import SiteChecksPipeline

AS_OF = date(2024, 6, 20)


def test_sitechecks_pipeline_attaches_findings_and_fills_columns(tmp_path):
    b = Builder.new(tmp_path, AS_OF)
    b.homepage([d(AS_OF, 20)])
    b.column("gzdt/", "工作动态", [d(AS_OF, 30)])
    b.store.add_findings(b.iid, [])
    with pytest.raises(NotConfigured):
        SiteChecksPipeline.from_crawler(get_crawler(settings_dict={"GOVCRAWL_CHECKS": False}))
    p = SiteChecksPipeline.from_crawler(get_crawler(settings_dict={}))
    page = PageItem(inspection_id=b.iid, site_id=b.site_id, url="http://x/")
    done = SiteDone(inspection_id=b.iid, site_id=b.site_id, as_of=AS_OF.isoformat(),
                    stats={"store": str(b.store.path)})
    # the pipeline's work itself (process_item runs it in a thread)
    out = p.check(done)
    assert sorted(f.rule for f in out.findings) == ["column.stale_news", "interaction.no_channel",
                                                    "site.homepage_not_updated"]
    n = b.store.conn.execute("SELECT count(*) FROM columns WHERE inspection_id=?", (b.iid,)).fetchone()[0]
    assert n == 1
    assert asyncio.run(p.process_item(page)) is page


def test_verdicts_cli_jsonl(tmp_path, capsys):
    b = Builder.new(tmp_path, AS_OF)
    b.homepage([d(AS_OF, 1)])
    b.channel()
    cols = [b.column(f"c{i}/", f"动态{i}", [d(AS_OF, 30)]) for i in range(5)]
    res = SiteChecksPipeline.from_crawler(get_crawler(settings_dict={})).check(
        SiteDone(inspection_id=b.iid, site_id=b.site_id, as_of=AS_OF.isoformat(),
                 stats={"store": str(b.store.path)}))
    b.store.add_findings(b.iid, res.findings)
    assert len(cols) == 5
    # an inspection still open publishes no verdict
    assert main(["verdicts", "--store", str(b.store.path), "--format", "jsonl"]) == 2
    err = capsys.readouterr()
    assert err.out == "" and "is running" in err.err and "no verdicts from an unfinished inspection" in err.err
    b.store.finish_inspection(b.iid)
    # finished, no verdict stored (a store of an older version): judged on the fly, read-only
    assert main(["verdicts", "--store", str(b.store.path), "--format", "jsonl"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    v = json.loads(line)
    assert v["site_id"] == b.site_id and v["result"] == "不合格"
    assert v["vetoes"] == ["column.stale_news"] and v["problems"] == ["多个栏目更新不及时"]
    assert 0 <= v["score"] <= 100
    assert main(["verdicts", "--store", str(b.store.path), "--recompute"]) == 0
    assert json.loads(capsys.readouterr().out)["result"] == "不合格"
    assert main(["verdicts", "--store", str(tmp_path / "nope.sqlite")]) == 2
    assert "store not found" in capsys.readouterr().err


def test_settings_from_the_command_line_and_a_users_column_table(tmp_path):
    from scrapy.settings import Settings

    from .checks_helpers import HOME
    from govcrawl.checks.rules import LexiconError
    from govcrawl.checks.site import run_site_checks

    b = Builder.new(tmp_path, AS_OF)
    b.homepage([d(AS_OF, 1)])
    b.channel()
    b.column("x/", "本站快报", [d(AS_OF, 20)])
    # unknown to the shipped table: not judged
    assert run_site_checks(b.store.conn, b.iid, b.site_id, AS_OF, Settings()).findings == []
    lex = tmp_path / "lex"
    lex.mkdir()
    (lex / "column_types.yaml").write_text("rules:\n  - type: news\n    names: [快报]\n", encoding="utf-8")
    s = Settings({"GOVCRAWL_LEXICONS": str(lex)})
    fs = run_site_checks(b.store.conn, b.iid, b.site_id, AS_OF, s).findings
    assert [(f.rule, f.url) for f in fs] == [("column.stale_news", HOME + "x/")]
    # -s values arrive as strings
    s = Settings({"GOVCRAWL_LEXICONS": str(lex), "GOVCRAWL_NEWS_STALE_DAYS": "30"})
    assert run_site_checks(b.store.conn, b.iid, b.site_id, AS_OF, s).findings == []
    (lex / "column_types.yaml").write_text("rules:\n  - type: newz\n    names: [快报]\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="column_types.yaml:2: type 'newz'"):
        SiteChecksPipeline(settings=Settings({"GOVCRAWL_COLUMN_TYPES": str(lex / "column_types.yaml")}))
