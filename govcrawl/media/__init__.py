"""政务新媒体 inspection: accounts on WeChat, Weibo, Douyin, Toutiao, Kuaishou, feeds, apps.

- `adapters/`: one module per platform behind one interface; they read, never fetch
- `importer`: a platform's own export (CSV / XLSX / JSON) as the same observation
- `checks`: the media.* rules (and content.* on posts through govcrawl.text)
- `verdict`: 合格 / 不合格 per account and the phrases a bulletin prints
- `sink`, `pipelines`: what `scrapy crawl media` (govcrawl/spiders/media.py) stores
- `fake`, `demo`: local stand-ins for the platforms (tests, benchmark, `govcrawl demo`)

See docs/media.md.
"""
