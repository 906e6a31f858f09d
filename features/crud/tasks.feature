Feature: A user manages their tasks through the REST API
  Every table of schema.yaml gets list, show, create, update and delete routes; the owner of a new
  row is the caller, whatever the body says.

  Background:
    Given the app "prokov"
    And "ana" is signed in

  Scenario: Ana creates a task and finds it in her list
    When "ana" created the task "Fix the gutter"
    Then the answer is 201 with the message "Created"
    When "ana" lists the tasks
    Then the list has exactly the tasks "Fix the gutter, Order tiles, Book the scaffolding, Pick a domain name"

  Scenario: Ana renames a task and keeps the rest of it
    When "ana" renames the task "Order tiles" to "Order slate tiles"
    Then the answer is 200 with the message "Updated"
    When "ana" asks for the task "Order tiles"
    Then the task has the title "Order slate tiles" and the description "Ask three suppliers for a quote"

  Scenario: Ana deletes a task and it is gone
    When "ana" deletes the task "Order tiles"
    Then the answer is 200 with the message "Deleted"
    When "ana" asks for the task "Order tiles"
    Then the answer is 404 "NOT_FOUND"

  Scenario: A page of the list says how many rows there are in all when asked
    When "ana" lists the tasks with "limit=2&count=exact"
    Then the list has exactly the tasks "Order tiles, Book the scaffolding"
    And the list says 3 rows in all, 2 per page, from 0

  Scenario: Ana pages through her tasks with the next cursor
    When "ana" lists the tasks with "limit=2"
    Then the list has exactly the tasks "Order tiles, Book the scaffolding"
    When "ana" lists the tasks after the last one shown, 2 at a time
    Then the list has exactly the tasks "Pick a domain name"
    And no more tasks follow

  Scenario: The list is filtered on a field
    When "ana" lists the tasks with "done=true"
    Then the list has exactly the tasks "Pick a domain name"

  Scenario: A new task belongs to its creator whatever the body says
    When "ana" creates a task "Mine" claiming the owner 2 and the id 99
    Then the answer is 201 with the message "Created"
    And the new task belongs to "ana" and its id is not 99
