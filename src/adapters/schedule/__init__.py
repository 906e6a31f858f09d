"""Cron schedules (croniter) and the cron.yaml loader."""
