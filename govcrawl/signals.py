"""GovCrawl's own Scrapy signals.

notice: a site-level fact outside any page (redirect out of scope, URL trap
capped, page cap reached).  Arguments: site_id, kind, url, message, data.
"""

notice = object()
