Feature: Related rows come along with `include`

  Background:
    Given the app "prokov"

  Scenario: A task brings its project (to-one)
    When "ana" asks for "tasks/1?include=project,status"
    Then the answer is 200
    And its "project" is named "Roof"
    And its "status" is named "To do"

  Scenario: Projects bring their tasks (to-many)
    When "ana" asks for "projects?include=tasks"
    Then the answer is 200
    And the "tasks" of "Roof" are "Order tiles, Book the scaffolding"
    And the "tasks" of "Website" are "Pick a domain name"

  Scenario: Includes nest up to three levels, no deeper
    When "ana" asks for "statuses?include=tasks.project.tasks"
    Then the answer is 200
    When "ana" asks for "statuses?include=tasks.project.tasks.status"
    Then the answer is 400 "BAD_REQUEST"

  Scenario: Another user's rows never come along
    Given "admin" created the task "Inspect the roof" in project 1
    When "ana" asks for "projects?include=tasks"
    Then the "tasks" of "Roof" are "Order tiles, Book the scaffolding"
    When "ana" asks for "tasks/1?include=project.tasks"
    Then no returned row has the title "Inspect the roof"
