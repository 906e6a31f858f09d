Feature: Each role of koprogo works within its organization and its rights
  koprogo scopes rows to the caller's organization; a syndic manages it, an accountant keeps its
  books, an owner sees the buildings where they own a unit, and the superadmin sees everything.

  Background:
    Given the app "koprogo"

  Scenario: A syndic sees only the buildings of its organization
    Given "syndic@jardins.test" is signed in
    When "syndic@jardins.test" lists the buildings
    Then the list has exactly the buildings "Le Parc, Résidence Les Jardins"

  Scenario: A syndic cannot read a building of another organization
    Given "syndic@horizon.test" is signed in
    When "syndic@horizon.test" asks for the building "Le Parc"
    Then the answer is 404 "NOT_FOUND"

  Scenario: A syndic cannot record an expense on another organization's building
    Given "syndic@horizon.test" is signed in
    When "syndic@horizon.test" records an expense "Paint" on the building "Le Parc"
    Then the answer is 403 "FORBIDDEN"

  Scenario: An owner sees only the building where they own a unit
    Given "owner@jardins.test" is signed in
    When "owner@jardins.test" lists the buildings
    Then the list has exactly the buildings "Résidence Les Jardins"

  Scenario: An owner cannot read another co-owner's record
    Given "owner@jardins.test" is signed in
    When "owner@jardins.test" asks for the owner "Petit"
    Then the answer is 404 "NOT_FOUND"

  Scenario: An owner may not create a building
    Given "owner@jardins.test" is signed in
    When "owner@jardins.test" creates a building "Villa Nova"
    Then the answer is 403 "FORBIDDEN"

  Scenario: An accountant records an expense but may not delete one
    Given "accountant@jardins.test" is signed in
    When "accountant@jardins.test" records an expense "Paint" on the building "Le Parc"
    Then the answer is 201 with the message "Created"
    When "accountant@jardins.test" deletes the expense "Roof inspection"
    Then the answer is 403 "FORBIDDEN"

  Scenario: The superadmin sees the buildings of every organization
    Given "admin@koprogo.com" is signed in
    When "admin@koprogo.com" lists the buildings
    Then the list has exactly the buildings "Le Parc, Résidence Les Jardins, Tour Horizon"
