"""Plumbing shared by every API v1 endpoint: paging, conditional requests, errors, CSV, schema."""
