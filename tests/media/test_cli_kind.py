"""`govcrawl findings` / `verdicts` on a store holding only media inspections, and on one
whose newest inspection is not the site sweep they show (contract §2, §4)."""

from __future__ import annotations

import json

from govcrawl.cli import main
from govcrawl.items import Finding
from govcrawl.media.checks import check_account
from govcrawl.media.model import OK, Observation, Post
from govcrawl.media.sink import save_account
from govcrawl.media.verdict import compute_account_verdicts
from govcrawl.store import Store

ACCOUNT = {"id": "wb-1", "name": "示范发布", "platform": "weibo", "url": "http://127.0.0.1/u/1"}


def media_inspection(store: Store) -> int:
    iid = store.create_inspection(as_of="2024-06-20", kind="media")
    obs = Observation("wb-1", posts=[Post("1", "2024-05-01T10:00:00", text="旧闻")],
                      posts_complete=True, list_end=True)
    obs.profile.status, obs.profile.name = OK, "示范发布"
    save_account(store, iid, ACCOUNT, obs, check_account(ACCOUNT, obs, "2024-06-20"))
    compute_account_verdicts(store, iid)
    store.finish_inspection(iid)
    return iid


def run(capsys, *args: str) -> tuple[int, list[dict], str]:
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, [json.loads(x) for x in out.splitlines()], err


def test_a_media_only_store_answers_with_its_media_inspection(tmp_path, capsys):
    db = str(tmp_path / "s.db")
    iid = media_inspection(Store(db))
    rc, rows, err = run(capsys, "findings", "--store", db, "--format", "jsonl")
    assert rc == 0, err
    assert [(r["rule"], r["site_id"], r["inspection"]) for r in rows] == [("media.not_updated", "wb-1", iid)]
    rc, rows, err = run(capsys, "verdicts", "--store", db, "--format", "jsonl")
    assert rc == 0, err
    assert [(r["site_id"], r["result"], r["subject"]) for r in rows] == [("wb-1", "不合格", "account")]
    assert err == ""
    # asking for a kind the store does not hold is still one clear line, exit 2
    rc, rows, err = run(capsys, "findings", "--store", db, "--kind", "sites", "--format", "jsonl")
    assert rc == 2 and rows == [] and "no sites inspection in the store" in err
    assert len(err.strip().splitlines()) == 1


def test_the_sweep_stays_the_default_and_a_newer_media_run_is_named(tmp_path, capsys):
    db = str(tmp_path / "s.db")
    store = Store(db)
    sweep = store.create_inspection(as_of="2024-06-20", kind="sites")
    store.add_findings(sweep, [Finding(rule="content.typo", severity="deduct", site_id="6105000001",
                                       url="http://127.0.0.1/a.html", text="再接再励")])
    store.finish_inspection(sweep)
    media = media_inspection(store)
    rc, rows, err = run(capsys, "findings", "--store", db, "--format", "jsonl")
    assert rc == 0 and {r["inspection"] for r in rows} == {sweep}
    assert err.strip() == (f"govcrawl findings: showing site sweep {sweep} (as_of 2024-06-20); the"
                           f" newer media inspection {media} is shown with --kind media (or"
                           f" --inspection {media})")
    rc, rows, err = run(capsys, "findings", "--store", db, "--kind", "media", "--format", "jsonl")
    assert rc == 0 and {r["inspection"] for r in rows} == {media} and err == ""
    rc, rows, err = run(capsys, "findings", "--store", db, "--kind", "any", "--format", "jsonl")
    assert {r["inspection"] for r in rows} == {media}
    rc, rows, err = run(capsys, "verdicts", "--store", db, "--inspection", str(media), "--format", "jsonl")
    assert rc == 0 and [r["site_id"] for r in rows] == ["wb-1"] and err == ""
