Feature: Writing rows: validation, partial and full updates

  Background:
    Given the app "prokov"

  Scenario: Invalid values are refused with every bad field listed
    When "ana" sends POST "projects" with {}
    Then the answer is 422 "VALIDATION_ERROR"
    And the error lists the fields "name"
    When "ana" sends POST "projects" with {"name": 5, "position": "first"}
    Then the answer is 422 "VALIDATION_ERROR"
    And the error lists the fields "name, position"
    When "ana" sends POST "tasks" with {"title": "Paint", "done": "maybe", "date_end": "tomorrow", "position": 1.5}
    Then the answer is 422 "VALIDATION_ERROR"
    And the error lists the fields "done, date_end, position"

  Scenario: A valid task is stored as given
    When "ana" sends POST "tasks" with {"title": "Paint", "project_id": 2, "done": true, "date_end": "2025-05-01"}
    Then the answer is 201
    And the answer has "title" "Paint", "done" true and "date_end" "2025-05-01"

  Scenario: PATCH changes only the fields it is given
    When "ana" sends PATCH "projects/1" with {"description": "Slate this time"}
    Then the answer is 200
    And the answer has "name" "Roof" and "description" "Slate this time"

  Scenario: PUT replaces the record, so the required fields must be there
    When "ana" sends PUT "projects/1" with {"description": "Slate this time"}
    Then the answer is 422 "VALIDATION_ERROR"
    And the error lists the fields "name"
    When "ana" sends PUT "projects/1" with {"name": "New roof", "description": "Slate", "position": 5}
    Then the answer is 200
    And the answer has "name" "New roof" and "description" "Slate"
