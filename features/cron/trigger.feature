Feature: An admin runs a scheduled job by hand
  An admin can run any job of an app at once, without waiting for its schedule,
  and then finds that run in the job's history.

  Background:
    Given the app "prokov" with its demo data and sogoms-cron running

  Scenario: Running the daily digest by hand mails each user and records the run
    When the admin runs "sogoms cron trigger prokov tasks_today"
    Then the command succeeds and says "success"
    And "ana@prokov.test" is mailed the tasks "Order tiles, Book the scaffolding"
    And "ben@prokov.test" is mailed the tasks "Buy apple trees"
    When the admin runs "sogoms cron status prokov tasks_today"
    Then the history shows that run as "manual" and "success"

  Scenario: Running a job that does not exist says which jobs do
    When the admin runs "sogoms cron trigger prokov nightly"
    Then the command fails and says "App 'prokov' has no job 'nightly' (jobs: tasks_today)"
