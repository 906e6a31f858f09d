// SOGOMS admin: the only script besides htmx (no inline scripts: the CSP forbids them).
(function () {
  "use strict";
  // Forms marked data-confirm ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // The create-app form shows the fields of the chosen database only.
  function showDatabaseFields() {
    var chosen = document.querySelector("input[name=db_kind]:checked");
    document.querySelectorAll("fieldset[data-db]").forEach(function (fs) {
      fs.hidden = chosen !== null && fs.getAttribute("data-db") !== chosen.value;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "db_kind") {
      showDatabaseFields();
    }
  });
  document.addEventListener("DOMContentLoaded", showDatabaseFields);
})();
