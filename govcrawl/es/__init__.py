"""Elasticsearch and Kibana: findings, page records and verdicts, searchable.

- `config`: ELASTICSEARCH_* settings / environment (credentials never logged)
- `client`: the official client, speaking the cluster's version (compatibility headers)
- `docs`: documents and bulk actions (ECS names, deterministic ids, the upsert script)
- `templates`: index templates installed by `govcrawl es-setup`
- `indexer`: queue + worker thread + `_bulk` with retries; `spool`: what waits on disk
- `sync`: site details and whole inspections from the store (`govcrawl es-sync`)
- `kibana`: saved objects and their import; `fakeserver`: a local stand-in for tests

The Scrapy side is `govcrawl.pipelines.elasticsearch.ElasticsearchPipeline`.
"""
