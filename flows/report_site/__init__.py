"""The report site: static HTML pages built from the warehouse marts, readable with no network."""
