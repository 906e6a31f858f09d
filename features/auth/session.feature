Feature: A user signs in, keeps the session alive, and signs out
  Signing in returns an access token, a refresh token, the user and the resources the app lists in
  `login_include`, each holding only what that user may see. A refresh token buys a new pair once;
  signing out really ends the session.

  Background:
    Given the app "prokov"

  Scenario: Ana signs in and receives her own starting data
    When "ana" signs in
    Then the answer is 200 with the message "Logged in"
    And the answer carries a bearer token, a refresh token and the user "ana@prokov.test"
    And the user in the answer shows no password
    And the answer includes the projects "Roof, Website"
    And the answer includes the tasks "Order tiles, Book the scaffolding, Pick a domain name"
    And the answer includes the tags "urgent, client"
    And the answer includes the statuses "To do, Doing, Done"
    And the user's "created_at" is written like every date-time of the API

  Scenario: Ben's starting data holds only his rows
    When "ben" signs in
    Then the answer includes the projects "Garden"
    And the answer includes the tasks "Buy apple trees"

  Scenario: A koprogo syndic starts with the buildings of its organization
    Given the app "koprogo"
    When "syndic@jardins.test" signs in
    Then the answer includes the buildings "Le Parc, Résidence Les Jardins"

  Scenario: A koprogo owner starts with only the building where they own a unit
    Given the app "koprogo"
    When "owner@jardins.test" signs in
    Then the answer includes the buildings "Résidence Les Jardins"

  Scenario: A wrong password is refused
    When "ana" signs in with the password "not her password"
    Then the answer is 401 "UNAUTHORIZED"

  Scenario: The current user is shown to the holder of the token
    Given "ana" is signed in
    When "ana" opens "auth/me"
    Then the answer is 200 with the message "OK"
    And the answer shows the user "ana@prokov.test" with the role "user"
    And the user's "created_at" is written like every date-time of the API

  Scenario: Nobody is shown without a token
    When a visitor opens "auth/me" without a token
    Then the answer is 401 "UNAUTHORIZED"

  Scenario: A refresh token buys a new working session
    Given "ana" is signed in
    When "ana" refreshes her session
    Then the answer is 200 with the message "Token refreshed"
    And the answer carries a bearer token, a refresh token and the user "ana@prokov.test"
    And the token of the answer opens "auth/me" as "ana@prokov.test" with the role "user"
    And the refresh token of the answer is a new one

  Scenario: A refresh token works only once
    Given "ana" is signed in
    And "ana" has refreshed her session
    When "ana" refreshes with her first refresh token again
    Then the answer is 401 "UNAUTHORIZED"

  Scenario: After signing out the token opens nothing
    Given "ana" is signed in
    When "ana" signs out
    Then the answer is 200 with the message "Logged out"
    When "ana" opens "auth/me"
    Then the answer is 401 "UNAUTHORIZED"

  Scenario: After signing out the refresh token is dead too
    Given "ana" is signed in
    And "ana" has signed out
    When "ana" refreshes her session
    Then the answer is 401 "UNAUTHORIZED"
