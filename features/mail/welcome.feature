Feature: A new user is welcomed by mail
  Registering on an app that ships an `emails/welcome.yaml` template queues that mail to the new
  user; sogoms-smtp delivers it through the app's SMTP server (here the development mail catcher).

  Background:
    Given the app "prokov" sends its mail to the mail catcher through sogoms-smtp

  Scenario: Zoé registers on prokov and receives the welcome mail with her name
    When "Zoé Martin" registers on "prokov" with the email "zoe@prokov.test"
    Then the registration succeeds
    And "zoe@prokov.test" receives a mail titled "Bienvenue Zoé Martin !"
    And that mail says "Bonjour Zoé Martin,"
