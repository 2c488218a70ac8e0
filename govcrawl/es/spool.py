"""The on-disk spool: bulk actions Elasticsearch did not take (yet).

Nothing is lost when the cluster is down or refuses documents:
- `seg-*.ndjson`: actions that failed for a reason that passes (down, 429,
  5xx); replayed on the next start, when the cluster comes back, or by
  `govcrawl es-replay`.  Each file is written whole to a temporary name and
  renamed, so a reader never sees half a segment.
- `rejected-*.jsonl`: actions the cluster refused (mapping errors...), with
  its error, one JSON object per line; `es-replay --rejected` retries them
  after the cause is fixed.

A replaying process claims a segment by renaming it (`.claimed-<pid>`), so
two processes sharing the directory never send the same segment twice; a
claim left by a dead process is released on the next start.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from pathlib import Path
from typing import Any, Iterator

from govcrawl.es.docs import decode_actions


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Spool:
    def __init__(self, directory: str | Path):
        self.dir = Path(directory)
        self._lock = threading.Lock()
        self._seq = itertools.count()
        self._ready = False

    def _ensure(self) -> None:
        if not self._ready:
            self.dir.mkdir(parents=True, exist_ok=True)
            self._ready = True

    def _name(self, kind: str, ext: str) -> Path:
        return self.dir / f"{kind}-{time.time_ns():020d}-{os.getpid()}-{next(self._seq):06d}.{ext}"

    def _write(self, final: Path, data: bytes) -> None:
        tmp = final.with_name("." + final.name + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)

    # -- writing -----------------------------------------------------------
    def append(self, actions: list[bytes]) -> Path | None:
        """Keep these actions for a later attempt (one segment file)."""
        if not actions:
            return None
        with self._lock:
            self._ensure()
            path = self._name("seg", "ndjson")
            self._write(path, b"".join(actions))
            return path

    def reject(self, rejected: list[tuple[bytes, Any]]) -> Path | None:
        """Keep actions the cluster refused, each with its error."""
        if not rejected:
            return None
        lines = [json.dumps({"error": err, "action": action.decode("utf-8")}, ensure_ascii=False)
                 + "\n" for action, err in rejected]
        with self._lock:
            self._ensure()
            path = self._name("rejected", "jsonl")
            self._write(path, "".join(lines).encode("utf-8"))
            return path

    # -- reading -----------------------------------------------------------
    def release_stale_claims(self) -> int:
        """Give back segments claimed by processes that died mid-replay."""
        if not self.dir.is_dir():
            return 0
        n = 0
        for p in self.dir.glob("*.claimed-*"):
            try:
                pid = int(p.name.rsplit("-", 1)[1])
            except ValueError:
                continue
            if pid != os.getpid() and not _pid_alive(pid):
                try:
                    os.replace(p, p.with_name(p.name.split(".claimed-")[0]))
                    n += 1
                except FileNotFoundError:
                    pass
        return n

    def pending(self, rejected: bool = False) -> list[Path]:
        if not self.dir.is_dir():
            return []
        pattern = "rejected-*.jsonl" if rejected else "seg-*.ndjson"
        return sorted(self.dir.glob(pattern))

    def has_pending(self) -> bool:
        return bool(self.pending())

    def claim(self, path: Path) -> Path | None:
        claimed = path.with_name(f"{path.name}.claimed-{os.getpid()}")
        try:
            os.replace(path, claimed)
        except FileNotFoundError:
            return None  # another process took it
        return claimed

    @staticmethod
    def read_actions(claimed: Path) -> list[bytes]:
        name = claimed.name.split(".claimed-")[0]
        data = claimed.read_bytes()
        if name.startswith("rejected-"):
            return [json.loads(line)["action"].encode("utf-8")
                    for line in data.decode("utf-8").splitlines() if line.strip()]
        return list(decode_actions(data))

    @staticmethod
    def done(claimed: Path) -> None:
        claimed.unlink(missing_ok=True)

    def counts(self) -> dict[str, int]:
        """Actions waiting (segments) and refused (rejected files)."""
        seg = sum(len(list(decode_actions(p.read_bytes()))) for p in self.pending())
        rej = sum(sum(1 for line in p.read_text("utf-8").splitlines() if line.strip())
                  for p in self.pending(rejected=True))
        return {"pending": seg, "rejected": rej}

    def iter_claimed(self, rejected: bool = False) -> Iterator[Path]:
        for p in self.pending(rejected=rejected):
            c = self.claim(p)
            if c is not None:
                yield c
