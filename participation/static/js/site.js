/* Progressive enhancements only: every page works without this file. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary of a failed form so it is read out first
    // (RGAA 11.10); without JavaScript the summary is still the first thing in main.
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
    // Menus folded for phones (<details data-open-wide>) start open on wide screens.
    if (window.matchMedia("(min-width: 48rem)").matches) {
      document.querySelectorAll("details[data-open-wide]").forEach(function (menu) {
        menu.open = true;
      });
    }
  });
})();
