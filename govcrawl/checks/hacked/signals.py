"""Risk signals of an outbound link's host: what makes a domain look like spam.

Strong signals (a gambling- or porn-style name, a name that is itself illegal wording)
mean the link is unsafe.  Weak ones (a shortener, a raw public IP, a random-looking name,
an odd port) are worth an editor's look but prove nothing alone.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_SIGNALS = Path(__file__).with_name("signals.txt")
KINDS = ("trusted", "shortener", "gambling", "porn")

# Second-level suffixes under which the registrable name is one label further left.
_SUFFIX2 = {"com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn", "ac.cn", "com.hk", "com.tw",
            "co.uk", "com.au", "co.jp", "com.sg", "com.mo", "net.au"}


class SignalsError(ValueError):
    """A bad line in a signals file; the message names the file and line."""


@dataclass
class Signals:
    trusted: set[str] = field(default_factory=set)
    shorteners: set[str] = field(default_factory=set)
    patterns: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)  # (kind, regex)
    path: str = ""


def load_signals(path: str | Path | None = None) -> Signals:
    p = Path(path) if path else DEFAULT_SIGNALS
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise SignalsError(f"{p}: signals file not found") from None
    except UnicodeDecodeError:
        raise SignalsError(f"{p}: not UTF-8 text") from None
    sig = Signals(path=str(p))
    for n, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        parts = line.split(None, 1)
        if len(parts) != 2:
            raise SignalsError(f"{p}:{n}: expected '<kind> <value>', got {raw.strip()!r}")
        kind, value = parts[0].lower(), parts[1].strip()
        if kind not in KINDS:
            raise SignalsError(f"{p}:{n}: unknown kind {kind!r} (want one of {', '.join(KINDS)})")
        if kind == "trusted":
            sig.trusted.add(value.lower().strip("."))
        elif kind == "shortener":
            sig.shorteners.add(value.lower())
        else:
            try:
                sig.patterns.append((kind, re.compile(value, re.I)))
            except re.error as e:
                raise SignalsError(f"{p}:{n}: bad regular expression {value!r}: {e}") from None
    return sig


def registrable(host: str) -> str:
    """example.com.cn for www.a.example.com.cn (good enough without a public-suffix list)."""
    labels = host.lower().strip(".").split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in _SUFFIX2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def name_part(host: str) -> str:
    """The host without its public suffix: www.bet365x.com → www.bet365x."""
    reg = registrable(host)
    suffix = reg.split(".", 1)[1] if "." in reg else ""
    return host[: -len(suffix) - 1] if suffix and host.endswith("." + suffix) else host


# -- random-looking names ---------------------------------------------------------------------------
_INITIALS = ["zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q",
             "x", "r", "z", "c", "s", "y", "w", ""]
_FINALS = ["a", "o", "e", "i", "u", "v", "ai", "ei", "ui", "ao", "ou", "iu", "ie", "ue", "ve",
           "er", "an", "en", "in", "un", "vn", "ang", "eng", "ing", "ong", "ia", "iao", "ian",
           "iang", "iong", "ua", "uo", "uai", "uan", "uang"]
_SYLLABLES = {i + f for i in _INITIALS for f in _FINALS}
_EN = {"web", "net", "info", "online", "china", "city", "news", "home", "site", "data", "tech",
       "soft", "cloud", "link", "club", "shop", "travel", "service", "group", "center", "free",
       "best", "top", "my", "the", "and", "of", "bank", "edu", "art", "park", "port", "mall",
       "press", "media", "daily", "times", "post", "star", "world", "trade", "health", "green",
       "smart", "map", "mobile", "school", "sport", "sports", "work", "job", "jobs", "law",
       "library", "system", "portal", "study", "science", "press"}
_VOWELS = set("aeiouv")


@lru_cache(maxsize=65536)
def _coverage(label: str) -> float:
    """Share of letters covered by pinyin syllables or common English words (DP)."""
    n = len(label)
    best = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        best[i] = best[i + 1]
        for L in range(1, 8):
            piece = label[i : i + L]
            if len(piece) == L and (piece in _SYLLABLES or piece in _EN) and (L > 1 or piece in _VOWELS):
                best[i] = max(best[i], L + best[i + L])
    letters = sum(ch.isalpha() for ch in label)
    return best[0] / letters if letters else 0.0


def looks_random(label: str) -> bool:
    """A machine-made label such as `xk7qzpw3b` or `a8c6e2k9`: long, and neither pinyin,
    English nor a readable mix."""
    s = label.lower().replace("-", "")
    if len(s) < 8 or not s.isalnum() or not s.isascii():
        return False
    runs = re.findall(r"[a-z]+|\d+", s)
    if len(runs) >= 5 and sum(ch.isdigit() for ch in s) >= 2:
        return True  # letters and digits shuffled together
    letters = "".join(ch for ch in s if ch.isalpha())
    if len(letters) < 6:
        return False
    vowels = sum(ch in _VOWELS for ch in letters) / len(letters)
    return vowels <= 0.25 and _coverage(letters) < 0.5


# -- host risk ------------------------------------------------------------------------------------
@dataclass
class HostRisk:
    host: str
    trusted: bool = False
    strong: list[str] = field(default_factory=list)  # reasons that prove spam
    weak: list[str] = field(default_factory=list)  # reasons worth a look
    idn: str | None = None  # a Chinese domain name decoded from punycode (judged as text)

    @property
    def risky(self) -> bool:
        return bool(self.strong or self.weak)


class HostJudge:
    def __init__(self, signals: Signals):
        self.signals = signals

    def is_trusted(self, host: str) -> bool:
        h = host.lower().strip(".")
        return any(h == t or h.endswith("." + t) for t in self.signals.trusted)

    @lru_cache(maxsize=65536)
    def assess(self, url: str) -> HostRisk:
        try:
            p = urlsplit(url)
            host = (p.hostname or "").lower()
            port = p.port
        except ValueError:
            return HostRisk(host="", weak=["malformed URL"])
        risk = HostRisk(host=host)
        if not host:
            return risk
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            ip = None
        if ip is not None:
            if ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_unspecified:
                return risk  # an intranet address: not spam (a broken link at worst)
            risk.weak.append("raw IP address")
        elif self.is_trusted(host):
            risk.trusted = True
            return risk
        odd_port = port is not None and port not in (80, 443, 8080)
        if odd_port:
            risk.weak.append(f"unusual port {port}")
        if host in self.signals.shorteners:
            risk.weak.append("URL shortener (the real target is hidden)")
        if ip is None:
            name = name_part(host)
            if "xn--" in name:
                try:
                    risk.idn = host.encode("ascii").decode("idna")
                except UnicodeError:
                    risk.idn = None
            for kind, rx in self.signals.patterns:
                m = rx.search(name)
                if m:
                    label = "gambling" if kind == "gambling" else "pornographic"
                    risk.strong.append(f"{label}-style domain name ({m.group(0).strip('.-')})")
                    break
            for label in name.split("."):
                if label != "www" and looks_random(label):
                    risk.weak.append(f"random-looking domain name ({label})")
                    break
        if odd_port and not risk.strong and any("random" in w for w in risk.weak):
            risk.strong.append("random-looking name on an unusual port")
        return risk
