"""Item pipelines: checks first (wording, page, hacked, site), sinks last (store, Elasticsearch)."""
