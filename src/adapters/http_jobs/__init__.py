"""Outgoing HTTP for `http` cron jobs (httpx), refusing internal addresses unless a job allows them."""
