"""Scrapy settings for GovCrawl.

Layered as Scrapy users expect: these defaults, then `-s NAME=VALUE`, then
environment variables `GOVCRAWL_<NAME>` for deployment (applied in
govcrawl.config.apply_env).  Thresholds carry the national values of
国办秘函〔2019〕19号 as defaults; provinces that are stricter override them.
"""

from __future__ import annotations

import os

BOT_NAME = "govcrawl"
SPIDER_MODULES = ["govcrawl.spiders"]
COMMANDS_MODULE = "govcrawl.commands"
NEWSPIDER_MODULE = "govcrawl.spiders"

# -- politeness ----------------------------------------------------------------
USER_AGENT = "GovCrawl/0.1 (+government website inspection; contact your platform team)"
ROBOTSTXT_OBEY = False  # inspection of one's own government sites is mandated; see README
CONCURRENT_REQUESTS = 64  # across all sites: many sites in parallel
CONCURRENT_REQUESTS_PER_DOMAIN = 2  # per download slot; GovCrawl uses one slot per site
# items a response yields are processed this many at a time (Scrapy starts one task per
# slot for every response: its default of 100 cost ~10% of an incremental night's CPU)
CONCURRENT_ITEMS = 16
GOVCRAWL_SITE_CONCURRENCY = 2  # per registered site (overridable per site in the registry)
# Seconds between requests to one site.  Never 0: Scrapy 2.19's downloader starts every
# queued request of a slot at once when the slot's delay is 0, before any counts against
# the slot's concurrency (docs/benchmarks.md) — a small delay keeps the per-site limit true.
GOVCRAWL_SITE_DELAY = 0.05
GOVCRAWL_EXTERNAL_CONCURRENCY = 1  # per outside host, for link checks
GOVCRAWL_EXTERNAL_DELAY = 0.25
DOWNLOAD_DELAY = 0.05  # AutoThrottle's floor: it never lowers a slot's delay below this
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.05
AUTOTHROTTLE_MAX_DELAY = 10.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 30.0
# Scrapy re-reads and re-parses a callback's source on every response to warn about
# `return value` in generators (its cache never hits for bound methods): ~3-7 ms a page
WARN_ON_GENERATOR_RETURN_VALUE = False

# -- safety caps ---------------------------------------------------------------
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # a page or decompressed body larger than this is cut off
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
GOVCRAWL_ATTACHMENT_MAXSIZE = 512 * 1024  # attachments: only status and size are kept
DEPTH_LIMIT = 60
DEPTH_STATS_VERBOSE = False
GOVCRAWL_PATTERN_CAP = 400  # URLs per trap-prone pattern (query keys / date-like path) per site
GOVCRAWL_MAX_PAGES_PER_SITE = 200_000

# -- the sweep -------------------------------------------------------------------
GOVCRAWL_LINK_CHECK = True  # check outside links, images and attachments once per sweep
GOVCRAWL_CHECKS = True  # False: crawl and store only (benchmarks compare on vs off)
GOVCRAWL_PROGRESS_INTERVAL = 30.0  # seconds between progress lines
GOVCRAWL_BROWSER = True  # scrapy-playwright fallback for script-built pages
GOVCRAWL_TYPO = True  # the dictionary typo detector of the wording checks (docs/text-checks.md)
GOVCRAWL_STORE_BATCH = 200  # rows per SQLite write transaction
# the store unwritable (full disk, read-only file, PostgreSQL restarting): rows wait in memory
GOVCRAWL_STORE_RETRY_INTERVAL = 5.0  # seconds between attempts
GOVCRAWL_STORE_RETRY_TIMEOUT = 600.0  # then the sweep stops and the inspection is 'failed'
GOVCRAWL_STORE_MAX_UNWRITTEN = 2000  # rows waiting before the crawl pauses until the store is back
GOVCRAWL_LEXICONS = os.environ.get("GOVCRAWL_LEXICONS", "")  # default: the repo's lexicons/

DOWNLOADER_MIDDLEWARES = {
    "govcrawl.middlewares.ScopeMiddleware": 50,
    "govcrawl.middlewares.SiteSlotMiddleware": 60,
    "govcrawl.middlewares.ConditionalRequestMiddleware": 70,
}
SPIDER_MIDDLEWARES = {"govcrawl.middlewares.SiteSlotSpiderMiddleware": 950}
# Hand out requests of the sites with the fewest downloads in progress first: one slow
# site cannot fill the downloader while the other sites wait.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"

ITEM_PIPELINES = {
    "govcrawl.pipelines.incremental.IncrementalPipeline": 150,  # GOVCRAWL_INCREMENTAL only
    "govcrawl.pipelines.wording.WordingPipeline": 200,
    "govcrawl.pipelines.pagechecks.PageChecksPipeline": 300,
    "govcrawl.pipelines.hacked.HackedPagePipeline": 400,
    "govcrawl.pipelines.sitechecks.SiteChecksPipeline": 500,
    "govcrawl.pipelines.evidence.EvidencePipeline": 600,  # screenshots once a site is done
    "govcrawl.pipelines.store.StorePipeline": 800,
    "govcrawl.pipelines.elasticsearch.ElasticsearchPipeline": 900,
}

EXTENSIONS = {
    "govcrawl.extensions.Progress": 500,
    # JOBDIR: a resumed sweep's state is the store's frontier (govcrawl.frontier); spider.state
    # is not used, and writing it at the end fails with a traceback on a full disk
    "scrapy.extensions.spiderstate.SpiderState": None,
}

# -- distributed sweeps (govcrawl.dist; off unless GOVCRAWL_REDIS_URL is set) -------
GOVCRAWL_REDIS_URL = os.environ.get("GOVCRAWL_REDIS_URL", "")
GOVCRAWL_DIST_REDIS_TIMEOUT = 600.0  # seconds Redis may stay unreachable before a worker stops (exit 1)
ADDONS = {"govcrawl.dist.components.DistributedAddon": 0}

# -- browser (scrapy-playwright, Debian's chromium) -----------------------------
# Handlers are installed by the sweep spider only when a page needs the browser,
# so a sweep that never renders never starts Chromium.
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": os.environ.get("GOVCRAWL_CHROMIUM", "/usr/bin/chromium"),
    "headless": True,
    "args": [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
}
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 20_000
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_ABORT_REQUEST = "govcrawl.browser.abort_request"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# -- evidence screenshots (govcrawl.evidence; taken once a site's crawl is done) ------
GOVCRAWL_EVIDENCE = True  # screenshot each page finding's spot, outlined (needs GOVCRAWL_BROWSER)
GOVCRAWL_EVIDENCE_MAX_PER_SITE = 20  # screenshots per site and inspection (vetoes first; the rest: a notice)
GOVCRAWL_EVIDENCE_DIR = ""  # where they go; "" = beside an SQLite store (<store>.evidence/)
GOVCRAWL_EVIDENCE_TIMEOUT = 15.0  # seconds for a page to render before it gets a notice instead
GOVCRAWL_EVIDENCE_CONCURRENCY = 2  # pages rendered at once, all sites together
# `govcrawl serve` on an address other than loopback needs the access token from the
# environment variable GOVCRAWL_SERVE_TOKEN (never a setting: it stays out of the store)

# -- thresholds (国办秘函〔2019〕19号 national values) ---------------------------
GOVCRAWL_NEWS_STALE_DAYS = 14
GOVCRAWL_NOTICE_STALE_DAYS = 183  # 6 months
GOVCRAWL_HOMEPAGE_STALE_DAYS = 14
GOVCRAWL_INTERACTION_UNANSWERED_DAYS = 90  # 3 months
GOVCRAWL_INTERACTION_REPLY_WORKDAYS = 5
GOVCRAWL_INTERACTION_STATS_STALE_DAYS = 61  # 2 months
GOVCRAWL_UNREACHABLE_SHARE = 0.05
GOVCRAWL_PROBE_TIMEOUT = 15

# -- 政务新媒体 (scrapy crawl media; docs/media.md) ----------------------------------
# rules (national values; provinces override)
GOVCRAWL_MEDIA_STALE_DAYS = 14  # media.not_updated: no post for this many days (some provinces: 7)
GOVCRAWL_MEDIA_ORIGINAL_MONTHS = 3  # media.no_original: window for an original post
GOVCRAWL_MEDIA_REPLY_HOURS = 24  # media.slow_reply: a question answered later than this
GOVCRAWL_MEDIA_REPLY_WINDOW_DAYS = 90  # media.slow_reply: questions asked within this window
GOVCRAWL_MEDIA_ADS_LEXICON = ""  # media.ads markers and selling calls; "": govcrawl/media/ads.txt
GOVCRAWL_MEDIA_WORDING = True  # content.* on posts through the wording checker
GOVCRAWL_MEDIA_BRIDGE_LAG_HOURS = 24.0  # a bridge's copy synced this long before the end of as_of still counts
# reading
GOVCRAWL_MEDIA_MAX_PAGES = 5  # post list pages per account (until the no-original window is read)
GOVCRAWL_MEDIA_COMMENT_POSTS = 5  # newest posts with comments whose comments are read
GOVCRAWL_MEDIA_LONGTEXT_POSTS = 20  # Weibo long posts (isLongText) per account whose full text is read
GOVCRAWL_MEDIA_WEIBO_API = ""  # Weibo API base; "": m.weibo.cn (or the registry url's origin)
GOVCRAWL_MEDIA_WECHAT_BRIDGE = ""  # WeChat feed URL template, e.g. http://rss.local/feeds/{biz}.atom
# politeness: one download slot per platform
GOVCRAWL_MEDIA_CONCURRENCY = 1  # concurrent requests per platform
GOVCRAWL_MEDIA_DELAY = 2.0  # seconds between requests to one platform
GOVCRAWL_MEDIA_SLOTS = {}  # per platform overrides, e.g. {"weibo": {"delay": 5}}
# back-off: only the account that was limited waits; the platform's other accounts go on
GOVCRAWL_MEDIA_BACKOFF = 60.0  # seconds to wait after a limit answer not named below
GOVCRAWL_MEDIA_BACKOFF_KINDS = {"418": 60, "403": 30, "432": 120, "429": 30, "ok:-100": 180,
                                "busy": 60, "result:2": 30}  # first wait per answer; doubles per repeat
GOVCRAWL_MEDIA_BACKOFF_MAX = 300.0  # longest single wait (Retry-After is capped by it too)
GOVCRAWL_MEDIA_BACKOFF_BUDGET = 900.0  # most seconds one account may spend waiting in a run
GOVCRAWL_MEDIA_RATE_RETRIES = 2  # retries of one request after limit answers, then a notice

# -- Elasticsearch (off unless ELASTICSEARCH_URL is set) -------------------------
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")

FEED_EXPORT_ENCODING = "utf-8"
