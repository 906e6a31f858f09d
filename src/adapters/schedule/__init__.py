"""Cron schedules (croniter), the cron.yaml loader, and the real clock the scheduler waits on."""
