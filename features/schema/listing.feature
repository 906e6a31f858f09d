Feature: Listing a table: filters, sorting and paging from the query string
  Ana lists her workflow statuses (To do at 1, Doing at 2, Done at 3, and Idea at 7 without a color).

  Background:
    Given the app "prokov"
    And "ana" created the status "Idea" at position 7

  Scenario Outline: Ana filters with an operator
    When "ana" asks for "statuses?<query>"
    Then the answer is 200
    And the names are "<names>"

    Examples:
      | query                                  | names                |
      | position=3                             | Done                 |
      | position[eq]=3                         | Done                 |
      | position[ne]=2                         | To do, Done, Idea    |
      | position[lt]=2                         | To do                |
      | position[lte]=2                        | To do, Doing         |
      | position[gt]=2                         | Done, Idea           |
      | position[gte]=2&position[lt]=4         | Doing, Done          |
      | name[like]=Do%25                       | Doing, Done          |
      | name[in]=To%20do,Idea                  | To do, Idea          |
      | position[in]=1,3,9                     | To do, Done          |
      | color[null]=true                       | Idea                 |
      | color[null]=false                      | To do, Doing, Done   |

  Scenario: Ana sorts on several fields
    Given "ana" created the status "Alpha" at position 7
    When "ana" asks for "statuses?sort=-position,name"
    Then the names are "Alpha, Idea, Done, Doing, To do"
    When "ana" asks for "statuses?sort=-position,-name"
    Then the names are "Idea, Alpha, Done, Doing, To do"
    When "ana" asks for "statuses?sort=name"
    Then the names are "Alpha, Doing, Done, Idea, To do"

  Scenario: Ana pages through her statuses
    When "ana" asks for "statuses?limit=2&offset=1"
    Then the names are "Doing, Done"
    And meta says total 4, limit 2, offset 1
    When "ana" asks for "statuses?limit=2&offset=10"
    Then no rows are returned
    And meta says total 4, limit 2, offset 10
    When "ana" asks for "statuses"
    Then meta says total 4, limit 50, offset 0

  Scenario Outline: A malformed or unknown name in the query string is refused
    When "ana" asks for "statuses?<query>"
    Then the answer is 400 "BAD_REQUEST"

    Examples:
      | query                |
      | nope=1               |
      | nope[gt]=1           |
      | position[approx]=1   |
      | position=abc         |
      | sort=nope            |
      | sort=-nope           |
      | fields=id,nope       |
      | include=nope         |
      | limit=0              |
      | limit=501            |
      | offset=-1            |
      | position[like]=1     |
      | limit=1&limit=2      |
