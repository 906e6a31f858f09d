Feature: Operators see and change only what their role allows
  A super admin manages every app; an app admin only the apps listed for them, with the permissions
  they were given. The server checks it on every page and every action, whatever the browser sends.

  Background:
    Given the admin UI with the apps "prokov" and "koprogo"
    And the app admin "ann" on "prokov" with "schema:read, queries:read, logs:read"

  Scenario: An app admin sees only their apps
    When "ann" signs in
    Then the dashboard lists "prokov"
    And the dashboard does not list "koprogo"

  Scenario: An app admin cannot open another app
    When "ann" signs in
    And "ann" opens "/apps/koprogo"
    Then the answer is 403 saying "lacks the 'schema:read' permission on app 'koprogo'"

  Scenario: Reading a query file does not allow changing it
    When "ann" signs in
    And "ann" saves "queries/tasks" of "prokov" with a valid query
    Then the answer is 403 saying "lacks the 'queries:write' permission"
    And the file "queries/tasks.yaml" of "prokov" is unchanged

  Scenario: A query with an error is refused and the running file stays
    When "boss" signs in
    And "boss" saves "queries/tasks" of "prokov" with the unknown key "lsit"
    Then the answer is 422 saying "unknown key `lsit`"
    And the file "queries/tasks.yaml" of "prokov" is unchanged

  Scenario: A session cookie is dead once its owner signed out
    When "boss" signs in
    And "boss" signs out
    And the old session cookie of "boss" is sent again
    Then the visitor is sent to the sign-in page
