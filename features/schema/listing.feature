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

  Scenario: Ana pages through her statuses by offset and asks for the total
    When "ana" asks for "statuses?limit=2&offset=1&count=exact"
    Then the names are "Doing, Done"
    And meta says total 4, limit 2, offset 1
    When "ana" asks for "statuses?limit=2&offset=10&count=exact"
    Then no rows are returned
    And meta says total 4, limit 2, offset 10
    When "ana" asks for "statuses?count=estimated"
    Then meta says total 4, limit 50, offset 0

  Scenario: A list says whether more rows follow without counting them
    When "ana" asks for "statuses?limit=3"
    Then the names are "To do, Doing, Done"
    And meta has no total and more rows follow
    When "ana" asks for "statuses?limit=4"
    Then meta has no total and no more rows follow

  Scenario: Ana walks her statuses page by page with cursors, ties on the sort key included, and back
    Given "ana" created the status "Alpha" at position 7
    And "ana" created the status "Beta" at position 3
    When "ana" asks for "statuses?limit=2&sort=-position"
    Then the names are "Alpha, Idea"
    When "ana" follows the "next" link
    Then the names are "Beta, Done"
    When "ana" follows the "next" link
    Then the names are "Doing, To do"
    And there is no "next" link
    When "ana" follows the "prev" link
    Then the names are "Beta, Done"
    When "ana" follows the "prev" link
    Then the names are "Alpha, Idea"
    And there is no "prev" link

  Scenario: A cursor keeps its place when rows are added before it
    When "ana" asks for "statuses?limit=2"
    Then the names are "To do, Doing"
    Given "ana" created the status "Zero" at position 0
    When "ana" follows the "next" link
    Then the names are "Done, Idea"

  Scenario Outline: A cursor that was altered, or used on another list, is refused
    When "ana" asks for "statuses?limit=2&sort=-position"
    And "ana" reuses the "next" cursor with "<change>"
    Then the answer is 400 "BAD_REQUEST"

    Examples:
      | change               |
      | a flipped character  |
      | sort=position        |
      | name[like]=D%25      |
      | offset=2             |
      | before and after     |

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
      | count=all            |
      | count=exact&count=none |
      | after=               |
      | before=abc           |
