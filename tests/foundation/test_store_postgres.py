"""The store on PostgreSQL (govcrawl.db): the shared store of workers on several machines.

A private server is started for the session (tests/pgserver.py); each test gets an empty
database.  What is checked: the SQLite-dialect statements translate to upserts on the
right keys, rows read like sqlite3.Row, several processes writing at once lose nothing
and duplicate nothing, a bad URL is one line without the password.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import subprocess
import sys
from pathlib import Path

import pytest

from govcrawl import db
from govcrawl.items import DEDUCT, NOTICE, Finding
from govcrawl.store import Store, StoreError

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


def test_translate_insert_or_replace_is_an_upsert_on_the_primary_key() -> None:
    q = db.translate("INSERT OR REPLACE INTO link_status (inspection_id, site_id, target, status) VALUES (?,?,?,?)")
    assert q == ("INSERT INTO link_status (inspection_id, site_id, target, status) VALUES (%s,%s,%s,%s)"
                 " ON CONFLICT (inspection_id, target) DO UPDATE SET site_id=EXCLUDED.site_id,"
                 " status=EXCLUDED.status, error=DEFAULT, elapsed=DEFAULT, content_type=DEFAULT,"
                 " size=DEFAULT, final_url=DEFAULT")
    # no column list: the table's own columns, in order
    q = db.translate("INSERT OR REPLACE INTO incremental_runs VALUES (?,?,?)")
    assert q.startswith("INSERT INTO incremental_runs (inspection_id, lexicons, previous_id) VALUES")
    assert q.endswith("ON CONFLICT (inspection_id) DO UPDATE SET lexicons=EXCLUDED.lexicons,"
                      " previous_id=EXCLUDED.previous_id")
    assert db.translate("INSERT OR IGNORE INTO reviews (key, state) VALUES (?, ?)").endswith("ON CONFLICT DO NOTHING")
    # parameters outside literals only; a literal % is escaped for psycopg
    assert db.translate("SELECT 1 FROM pages WHERE url LIKE '%?x%' AND site_id=?") == \
        "SELECT 1 FROM pages WHERE url LIKE '%%?x%%' AND site_id=%s"
    assert db.translate("BEGIN IMMEDIATE") == "BEGIN"
    # reserved column names stay quoted in the generated SET list
    q = db.translate('INSERT OR REPLACE INTO findings (inspection_id, key, rule, "end") VALUES (?,?,?,?)')
    assert '"end"=EXCLUDED."end"' in q


def test_display_hides_the_password() -> None:
    assert db.display("postgresql://gc:s3cret@db.example:5433/gov") == "postgresql://gc:***@db.example:5433/gov"
    assert db.display("/srv/govcrawl.db") == "/srv/govcrawl.db"


def _finding(i: int, site: str = "s1") -> Finding:
    return Finding(rule="content.typo", severity=NOTICE, site_id=site, url=f"http://x/{i}", text=f"t{i}",
                   suggestion="s", start=i, end=i + 1, evidence={"n": i})


def test_store_api_on_postgresql(pg_url: str) -> None:
    s = Store(pg_url)
    a = s.create_inspection(as_of="2024-06-20", registry={"sites": []}, period="2024Q2")
    b = s.create_inspection(as_of="2024-06-21")
    assert (a, b) == (1, 2)
    assert s.inspection()["id"] == 2 and s.inspection(1)["period"] == "2024Q2"
    with pytest.raises(StoreError, match="no inspection 9"):
        s.inspection(9)
    assert s.add_findings(a, [_finding(1), _finding(2)]) == 2
    # idempotent on the finding key: a second write refreshes, never duplicates
    f = _finding(1)
    f.severity = DEDUCT
    s.add_findings(a, [f])
    got = s.findings(a)
    assert [x.text for x in got] == ["t1", "t2"] and got[0].severity == DEDUCT and got[0].evidence == {"n": 1}
    row = s.conn.execute("SELECT key, rule, \"end\" FROM findings WHERE inspection_id=? ORDER BY start",
                         (a,)).fetchone()
    assert row["rule"] == row[1] == "content.typo" and row["end"] == 2 and set(dict(row)) == {"key", "rule", "end"}
    # a literal % with and without parameters
    assert s.conn.execute("SELECT '100%'").fetchone()[0] == "100%"
    assert s.conn.execute("SELECT '100%' || ?", ("!",)).fetchone()[0] == "100%!"
    like = "SELECT COUNT(*) FROM findings WHERE url LIKE 'http://x/%'"
    assert s.conn.execute(like + " AND site_id=?", ("s1",)).fetchone()[0] == 2
    # aggregates come back as Python numbers (PostgreSQL's NUMERIC would be Decimal)
    total = s.conn.execute("SELECT COALESCE(SUM(count), 0), AVG(start) FROM findings").fetchone()
    assert total[0] == 2 and isinstance(total[0], int) and total[1] == 1.5
    # booleans land in the INTEGER columns as 0/1, as in SQLite
    with s.tx() as c:
        c.execute("INSERT OR REPLACE INTO links (inspection_id, site_id, page_url, target, kind, hidden, external)"
                  " VALUES (?,?,?,?,?,?,?)", (a, "s1", "http://x/", "http://y/", "a", True, False))
    assert tuple(s.conn.execute("SELECT hidden, external FROM links").fetchone()) == (1, 0)
    # REPLACE semantics: a column the statement leaves out is reset, as SQLite's REPLACE does
    with s.tx() as c:
        c.execute("INSERT OR REPLACE INTO link_status (inspection_id, site_id, target, status, error)"
                  " VALUES (?,?,?,?,?)", (a, "s1", "http://y/", 0, "timeout"))
        c.execute("INSERT OR REPLACE INTO link_status (inspection_id, site_id, target, status)"
                  " VALUES (?,?,?,?)", (a, "s1", "http://y/", 200))
    assert tuple(s.conn.execute("SELECT status, error FROM link_status").fetchone()) == (200, None)
    s.delete_findings(a, ["content.typo"], site_id="s1")
    assert s.findings(a) == []
    # a failed write transaction is rolled back and the connection stays usable
    with pytest.raises(db.Error):
        with s.tx() as c:
            c.execute("INSERT INTO notices (inspection_id, kind, message) VALUES (?,?,?)", (a, "k", "m"))
            c.execute("INSERT INTO nosuchtable VALUES (1)")
    assert s.conn.execute("SELECT COUNT(*) FROM notices").fetchone()[0] == 0
    s.finish_inspection(a, stats={"pages": 3})
    assert json.loads(s.inspection(1)["stats_json"]) == {"pages": 3}
    s.close()
    # read-only access refuses writes
    ro = Store(pg_url, readonly=True)
    with pytest.raises(db.Error):
        ro.conn.execute("DELETE FROM findings")
    ro.close()


def _writer(url: str, worker: int, n: int) -> None:
    s = Store(url)  # every process creates the schema if missing: they take turns
    for start in range(0, n, 50):
        batch = [_finding(i, site=f"s{i % 3}") for i in range(start, start + 50)]
        with s.tx() as c:
            c.executemany("INSERT OR REPLACE INTO pages (inspection_id, site_id, url, status, text)"
                          " VALUES (?,?,?,?,?)", [(1, f.site_id, f.url, 200, f"w{worker}") for f in batch])
            s.add_findings(1, batch, conn=c)
    s.close()


def test_several_processes_write_at_once_nothing_lost_nothing_duplicated(pg_url: str) -> None:
    ctx = mp.get_context("spawn")
    # four workers, overlapping rows (the same pages and findings): the keys decide
    procs = [ctx.Process(target=_writer, args=(pg_url, w, 400)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    s = Store(pg_url, readonly=True)
    assert s.conn.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM pages").fetchone() == (400, 400)
    assert s.conn.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM findings").fetchone() == (400, 400)
    s.close()


def test_unreachable_server_is_one_line_without_the_password(tmp_path: Path) -> None:
    url = "postgresql://gc:s3cret@127.0.0.1:9/gov"
    with pytest.raises(StoreError) as e:
        Store(url)
    msg = str(e.value)
    assert "\n" not in msg and "s3cret" not in msg and "127.0.0.1:9" in msg
    reg = tmp_path / "sites.yaml"
    reg.write_text("sites:\n  - {id: '9901000001', name: 示范市人民政府, url: 'http://127.0.0.1:9/'}\n",
                   encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "sweep", "-a", f"registry={reg}",
                        "-a", f"store={url}"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 2, r.stderr[-2000:]
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot connect" in lines[0] and "s3cret" not in r.stderr, r.stderr


def test_store_copy_moves_the_history_from_sqlite_to_postgresql_and_back(tmp_path: Path, pg_url: str) -> None:
    lite = tmp_path / "old.db"
    s = Store(lite)
    for day in ("2024-03-20", "2024-06-20"):
        iid = s.create_inspection(as_of=day, registry={"sites": [{"id": "s1"}]})
        s.add_findings(iid, [_finding(i) for i in range(3)])
        with s.tx() as c:
            c.executemany("INSERT INTO pages (inspection_id, site_id, url, status, text) VALUES (?,?,?,?,?)",
                          [(iid, "s1", f"http://x/{i}", 200, "正文") for i in range(5)])
        s.finish_inspection(iid)
    s.close()

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "govcrawl", "store-copy", *args],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)

    r = run("--from", str(lite), "--to", pg_url)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "inspections=2" in r.stdout and "findings=6" in r.stdout and "pages=10" in r.stdout
    pg = Store(pg_url)
    assert [i["as_of"] for i in pg.inspections()] == ["2024-03-20", "2024-06-20"]
    assert [f.text for f in pg.findings(2)] == ["t0", "t1", "t2"]
    assert pg.create_inspection(as_of="2024-09-20") == 3  # ids go on after the copied ones
    pg.close()
    # into a store that is not empty: refused, one line
    r = run("--from", str(lite), "--to", pg_url)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "empty store" in r.stderr
    # and back: PostgreSQL -> a new SQLite file
    back = tmp_path / "back.db"
    r = run("--from", pg_url, "--to", str(back))
    assert r.returncode == 0, r.stderr[-2000:]
    assert "inspections=3" in r.stdout and "findings=6" in r.stdout
