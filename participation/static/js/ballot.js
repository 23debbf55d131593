/* Ballot page: a running total of the voter's own choices (cost, points, count)
   against the rules. Progressive enhancement only: the page works without it and
   the server checks everything again. Never shows anyone else's votes. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("ballot-form");
    var out = document.getElementById("ballot-total");
    if (!form || !out) {
      return;
    }
    var lang = document.documentElement.lang || "fr";
    var euros = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR" });
    var type = form.dataset.type;
    var budget = parseFloat(form.dataset.budget);
    var min = parseInt(form.dataset.min || "0", 10);
    var max = form.dataset.max ? parseInt(form.dataset.max, 10) : null;
    var points = form.dataset.points ? parseInt(form.dataset.points, 10) : null;
    var msg = out.dataset;

    function update() {
      var count = 0;
      var cost = 0;
      var given = 0;
      form.querySelectorAll(".ballot-check").forEach(function (box) {
        if (box.checked) {
          count += 1;
          cost += parseFloat(box.dataset.cost);
        }
      });
      form.querySelectorAll(".ballot-points").forEach(function (field) {
        var value = parseInt(field.value || "0", 10);
        if (value > 0) {
          count += 1;
          given += value;
          cost += parseFloat(field.dataset.cost);
        }
      });
      var parts = [];
      var problem = false;
      if (type === "cumulative") {
        parts.push(fill(msg.points, { given: given, total: points }));
        problem = points !== null && given > points;
      } else {
        parts.push(fill(msg.count, { count: count }));
        if (type === "knapsack") {
          parts.push(fill(msg.cost, { cost: euros.format(cost), budget: euros.format(budget) }));
          problem = cost > budget;
        }
        if (max !== null && count > max) {
          problem = true;
          parts.push(fill(msg.tooMany, { max: max }));
        }
      }
      if (count < min) {
        parts.push(fill(msg.tooFew, { min: min }));
      }
      if (problem) {
        parts.push(msg.over);
      }
      out.textContent = parts.join(" ");
      out.classList.toggle("ballot-total-problem", problem);
      out.hidden = false;
    }

    function fill(text, values) {
      return (text || "").replace(/\{(\w+)\}/g, function (_, key) {
        return values[key] === undefined ? "" : String(values[key]);
      });
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  });
})();
