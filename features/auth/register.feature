Feature: A visitor creates an account and is signed in at once
  Registering on an app creates the user (its password hashed, never shown again) and hands back
  the same session a sign-in would: an access token, a refresh token and the user.

  Background:
    Given the app "prokov"

  Scenario: Zoé registers and her token opens her account
    When "zoe@prokov.test" registers with the name "Zoé" and the password "a long password"
    Then the answer is 201 with the message "Registered"
    And the answer carries a bearer token, a refresh token and the user "zoe@prokov.test"
    And the user in the answer shows no password
    And the token of the answer opens "auth/me" as "zoe@prokov.test" with the role "user"

  Scenario: A new account signs in with the password it chose
    Given "zoe@prokov.test" has registered with the password "a long password"
    When "zoe@prokov.test" signs in with the password "a long password"
    Then the answer is 200 with the message "Logged in"
    And the answer carries a bearer token, a refresh token and the user "zoe@prokov.test"

  Scenario: A new account starts with no data of anyone else
    Given "zoe@prokov.test" has registered with the password "a long password"
    When "zoe@prokov.test" lists the tasks
    Then the list is empty

  Scenario: A registration without a password names the missing field
    When "zoe@prokov.test" registers with the name "Zoé" and no password
    Then the answer is 422 "VALIDATION_ERROR" naming the field "password"

  Scenario: An email can hold only one account
    When "ana@prokov.test" registers with the name "Other Ana" and the password "a long password"
    Then the answer is 409 "CONFLICT"
    And "ana@prokov.test" still signs in with the password "demo1234"
