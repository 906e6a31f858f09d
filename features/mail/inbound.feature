Feature: A mail sent to an app becomes a row
  prokov reads the mailbox tasks@prokov.localhost (a real Dovecot here) through sogoms-imap, and sogoms-mailproc
  applies config/apps/prokov/mailrules.yaml: a mail from a proven account becomes a task in that account's first
  project, created through the same use case as the API, and the sender gets a reply. The receiving mail server's
  Authentication-Results header says whether the From address is genuine; a From header alone proves nothing.

  Background:
    Given prokov reads its tasks mailbox and answers through sogoms-smtp

  Scenario: Ana mails a task to prokov
    When "ana@prokov.test" mails "Fix the gutter" with the text "Before the rain on Friday", vouched for by the mail server
    Then "ana@prokov.test" has the task "Fix the gutter" in her first project
    And "ana@prokov.test" receives a reply titled "Task created: Fix the gutter"

  Scenario: A stranger gets a polite refusal and no task
    When "someone@elsewhere.test" mails "Buy my product" with the text "Cheap", vouched for by the mail server
    Then nobody has the task "Buy my product"
    And "someone@elsewhere.test" receives a reply saying "could not create anything"

  Scenario: Someone writing Ben's address in From does not act as Ben
    When someone mails "Delete everything" as "ben@prokov.test" but the mail server vouches for "attacker.test"
    Then nobody has the task "Delete everything"

  Scenario: The same message delivered twice makes one task
    When "ana@prokov.test" mails "Call the plumber" twice with the same Message-ID, vouched for by the mail server
    Then "ana@prokov.test" has exactly one task "Call the plumber"
