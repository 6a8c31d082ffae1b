"""The SQL models (staging, marts, tests, seeds) and the small dbt-like runner that builds them.

The .sql, schema.yml and seed files are package data: a wheel installs them beside this file.
"""
