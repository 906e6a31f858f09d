"""Admin UI use cases: login and sessions, permissions, apps, config files, cron, logs, services."""
