Feature: Apps are sealed from each other
  One gateway serves every app, chosen by the Host header. A token, an account or a resource of
  one app means nothing to another.

  Scenario: The app is chosen by the host name, whatever its case and port
    Given "ana" is signed in on "prokov"
    When "ana" opens "auth/me" on the host "PROKOV.localhost:8080"
    Then the answer is 200 with the message "OK"
    And the answer shows the user "ana@prokov.test" with the role "user"

  Scenario: A prokov token is refused by koprogo
    Given "ana" is signed in on "prokov"
    When "ana" opens "auth/me" on "koprogo"
    Then the answer is 401 "UNAUTHORIZED"

  Scenario: A prokov token reads no koprogo data
    Given "ana" is signed in on "prokov"
    When "ana" opens "buildings" on "koprogo"
    Then the answer is 401 "UNAUTHORIZED"

  Scenario: A prokov account does not exist on koprogo
    Given the app "koprogo"
    When "ana@prokov.test" signs in with the password "demo1234"
    Then the answer is 401 "UNAUTHORIZED"

  Scenario: A koprogo user cannot reach prokov's resources
    Given "admin@koprogo.com" is signed in on "koprogo"
    When "admin@koprogo.com" opens "tasks" on "koprogo"
    Then the answer is 404 "NOT_FOUND"
