/*<![CDATA[*/
// atlasgov-lint audit report: filter and sort the findings; open every <details> to print.
// Reads only the page itself; writes only attributes and text (never HTML).
(function () {
  "use strict";
  var each = function (selector, f) { [].forEach.call(document.querySelectorAll(selector), f); };
  var controls = document.getElementById("filter-controls");
  var text = document.getElementById("filter-text");
  var severity = document.getElementById("filter-severity");
  var status = document.getElementById("filter-status");
  var items = [].slice.call(document.querySelectorAll("[data-finding]"));
  var rows = items.filter(function (el) { return el.tagName === "TR"; });

  function apply() {
    var q = text.value.trim().toLowerCase();
    var s = severity.value;
    var shown = 0;
    items.forEach(function (el) {
      var match = (s === "" || el.getAttribute("data-severity") === s) &&
        (q === "" || el.getAttribute("data-search").indexOf(q) !== -1);
      el.hidden = !match;
      if (match && el.tagName === "TR") { shown += 1; }
    });
    each("section.rule", function (section) {
      section.hidden = section.querySelector("[data-finding]:not([hidden])") === null;
    });
    status.textContent = shown + " of " + rows.length + " findings shown";
  }

  function sortBy(th, descending) {
    var body = th.closest("table").tBodies[0];
    var col = [].indexOf.call(th.parentNode.children, th);
    var ascending = descending === undefined ? th.getAttribute("aria-sort") !== "ascending" : !descending;
    [].forEach.call(th.parentNode.children, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var key = function (tr) {
      var cell = tr.cells[col];
      return cell ? (cell.getAttribute("data-sort") || cell.textContent) : "";
    };
    [].slice.call(body.rows)
      .sort(function (a, b) {
        var n = key(a).localeCompare(key(b), undefined, { numeric: true });
        return ascending ? n : -n;
      })
      .forEach(function (tr) { body.appendChild(tr); });
  }

  each("table.sortable thead th", function (th) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () { sortBy(th); });
  });

  if (controls) {
    text.addEventListener("input", apply);
    severity.addEventListener("change", apply);
    // A link to the report can carry a filter and a sort: report.html#q=GOV002&sort=2-desc
    var q = /[#&]q=([^&]*)/.exec(location.hash);
    if (q) {
      try { text.value = decodeURIComponent(q[1]); } catch (e) { text.value = q[1]; }
    }
    var sort = /[#&]sort=(\d+)(-desc)?/.exec(location.hash);
    var th = sort ? document.querySelectorAll("#findings-table thead th")[Number(sort[1])] : null;
    if (th) { sortBy(th, sort[2] === "-desc"); }
    controls.hidden = false;
    apply();
  }
  window.addEventListener("beforeprint", function () {
    each("details", function (d) { d.open = true; });
  });
  document.documentElement.setAttribute("data-script", "ran");
})();
/*]]>*/
