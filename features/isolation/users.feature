Feature: Each user of an app sees and changes only their own rows
  On prokov every task belongs to the user who created it. Another user's row does not exist for
  you: reading, changing or deleting it answers 404, exactly as for an id nobody has.

  Background:
    Given the app "prokov"
    And "ana" is signed in
    And "ben" is signed in
    And "ana" created the task "Fix the gutter"

  Scenario: Ben cannot read Ana's task
    When "ben" asks for the task "Fix the gutter"
    Then the answer is 404 "NOT_FOUND"

  Scenario: Ben cannot change Ana's task
    When "ben" renames the task "Fix the gutter" to "Hacked"
    Then the answer is 404 "NOT_FOUND"
    And "ana" still sees the task "Fix the gutter"

  Scenario: Ben cannot replace Ana's task
    When "ben" replaces the task "Fix the gutter" with the title "Hacked"
    Then the answer is 404 "NOT_FOUND"
    And "ana" still sees the task "Fix the gutter"

  Scenario: Ben cannot delete Ana's task
    When "ben" deletes the task "Fix the gutter"
    Then the answer is 404 "NOT_FOUND"
    And "ana" still sees the task "Fix the gutter"

  Scenario: Ben's list holds only his tasks
    When "ben" lists the tasks
    Then the list has exactly the tasks "Buy apple trees"

  Scenario: Another user's row answers like a row that does not exist
    When "ben" asks for the task "Fix the gutter"
    And "ben" asks for a task that does not exist
    Then both answers are the same 404 "NOT_FOUND" apart from the id

  Scenario: A task cannot be put in another user's project
    When "ben" creates a task "Sneak in" in the project "Roof"
    Then the answer is 403 "FORBIDDEN"
