"""Scheduled jobs: the scheduler, runs claimed in the database, retries, history, and the job runners."""
