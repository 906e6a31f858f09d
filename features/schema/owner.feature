Feature: Each user reaches only their own rows, whatever the operation
  Ana owns the projects Roof (1) and Website (2); Ben owns Garden (3).

  Background:
    Given the app "prokov"

  Scenario: Ben lists and filters only his projects
    When "ben" asks for "projects?count=exact"
    Then the names are "Garden"
    And meta says total 1, limit 50, offset 0
    When "ben" asks for "projects?id=1"
    Then no rows are returned

  Scenario Outline: Ben cannot touch Ana's project
    When "ben" sends <method> "projects/1" with <body>
    Then the answer is 404 "NOT_FOUND"
    And "ana" still sees project 1 named "Roof"

    Examples:
      | method | body                  |
      | GET    | {}                    |
      | PATCH  | {"name": "Mine"}      |
      | PUT    | {"name": "Mine"}      |
      | DELETE | {}                    |

  Scenario: The owner comes from the token, never from the body
    When "ben" sends POST "projects" with {"name": "Pond", "user_id": 1, "position": 9}
    Then the answer is 201
    When "ana" asks for "projects"
    Then the names are "Roof, Website"
    When "ben" asks for "projects"
    Then the names are "Garden, Pond"
