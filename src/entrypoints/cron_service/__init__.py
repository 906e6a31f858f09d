"""`sogoms-cron`: the scheduled-jobs service."""
