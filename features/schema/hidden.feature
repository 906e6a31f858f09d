Feature: Hidden fields never leave the database
  The projects' `description` is marked `hidden: true` in prokov's schema.yaml.

  Background:
    Given the app "prokov" where "description" of "projects" is hidden

  Scenario: A hidden field is in no answer
    When "ana" asks for "projects"
    Then the answer is 200
    And the names are "Roof, Website"
    And no returned row has "description"
    When "ana" asks for "projects/1"
    Then the answer is 200
    And no returned row has "description"
    When "ana" asks for "tasks/1?include=project"
    Then the answer is 200
    And no returned row has "description" inside "project"
    When "ana" sends POST "projects" with {"name": "Shed", "description": "secret"}
    Then the answer is 201
    And no returned row has "description"

  Scenario Outline: A hidden field cannot be asked for, sorted on or filtered on
    When "ana" asks for "projects?<query>"
    Then the answer is 400 "BAD_REQUEST"

    Examples:
      | query                     |
      | fields=name,description   |
      | sort=description          |
      | sort=-description         |
      | description=x             |
      | description[like]=x%25    |
      | description[null]=true    |
