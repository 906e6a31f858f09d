Feature: Every error has a status, a stable code and the same envelope
  Whatever goes wrong, the answer is `{"success": false, "error": {"code", "message"}}` with the
  status the code stands for; a validation error names each field at fault.

  Background:
    Given the app "prokov"
    And "ana" is signed in

  Scenario: A host that no app serves
    When "ana" opens "tasks" on the host "nowhere.localhost"
    Then the answer is 404 "UNKNOWN_APP"

  Scenario: A data route without a token
    When a visitor opens "tasks" without a token
    Then the answer is 401 "UNAUTHORIZED"

  Scenario: A token that is not a token
    When a visitor opens "tasks" with the token "not.a.jwt"
    Then the answer is 401 "UNAUTHORIZED"

  Scenario: A body that is not JSON
    When "ana" posts the body '{"title": "Half' to "tasks"
    Then the answer is 400 "BAD_REQUEST"

  Scenario: A body that is JSON but not an object
    When "ana" posts the body '["Fix the gutter"]' to "tasks"
    Then the answer is 400 "BAD_REQUEST"

  Scenario: A body over the size limit
    When "ana" posts a body of 2 MiB to "tasks"
    Then the answer is 413 "PAYLOAD_TOO_LARGE"

  Scenario: A body over the size limit sent in chunks, without a length
    When "ana" streams a body of 2 MiB to "tasks"
    Then the answer is 413 "PAYLOAD_TOO_LARGE"

  Scenario Outline: A field of the wrong type is named
    When "ana" creates a task with the field "<field>" set to <value>
    Then the answer is 422 "VALIDATION_ERROR" naming the field "<field>"

    Examples:
      | field      | value      |
      | title      | 42         |
      | done       | "yes"      |
      | position   | "first"    |
      | date_end   | "tomorrow" |
      | project_id | "one"      |

  Scenario: A required field that is missing is named
    When "ana" creates a task with the field "description" set to "no title"
    Then the answer is 422 "VALIDATION_ERROR" naming the field "title"

  Scenario: A unique value already taken
    Given "admin@koprogo.com" is signed in on "koprogo"
    When "admin@koprogo.com" creates on "koprogo" an organization with the slug "jardins"
    Then the answer is 409 "CONFLICT"

  Scenario: A resource the app does not have
    When "ana" opens "invoices"
    Then the answer is 404 "NOT_FOUND"

  Scenario: A method the route does not take
    When "ana" sends "DELETE" to "tasks"
    Then the answer is 405 "METHOD_NOT_ALLOWED"
