(function () {
  "use strict";
  // Sentence alignment: a sentence and its counterpart share data-s within one article.
  // One delegated listener serves every article, however many there are.
  var lit = [];
  function clear() {
    for (var i = 0; i < lit.length; i++) lit[i].classList.remove("hl");
    lit = [];
  }
  function light(ev) {
    var seg = ev.target && ev.target.closest ? ev.target.closest(".seg") : null;
    if (!seg) return;
    var article = seg.closest("article");
    if (!article) return;
    clear();
    var n = seg.getAttribute("data-s");
    lit = Array.prototype.slice.call(article.querySelectorAll('.seg[data-s="' + n + '"]'));
    for (var i = 0; i < lit.length; i++) lit[i].classList.add("hl");
  }
  function unlight(ev) {
    if (ev.target && ev.target.closest && ev.target.closest(".seg")) clear();
  }
  document.addEventListener("mouseover", light);
  document.addEventListener("focusin", light);
  document.addEventListener("mouseout", unlight);
  document.addEventListener("focusout", unlight);

  // Index filter: every word typed must occur in an article's title, id, outlet, date,
  // status or flag kinds; the articles themselves are hidden along with their index rows.
  // The flag select keeps articles with a flag of that kind ("*": any flag).
  var input = document.getElementById("filter");
  var kind = document.getElementById("kind");
  var shown = document.getElementById("shown");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#index > li"));
  var timer = null;
  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var want = kind ? kind.value : "";
    var count = 0;
    for (var i = 0; i < rows.length; i++) {
      var q = rows[i].getAttribute("data-q");
      var kinds = (rows[i].getAttribute("data-kinds") || "").split(" ").filter(Boolean);
      var match = words.every(function (w) { return q.indexOf(w) !== -1; }) &&
        (!want || (want === "*" ? kinds.length > 0 : kinds.indexOf(want) !== -1));
      rows[i].hidden = !match;
      var article = document.getElementById(rows[i].getAttribute("data-target"));
      if (article) article.hidden = !match;
      if (match) count++;
    }
    shown.textContent = count + " of " + rows.length;
  }
  // Group by story: the index rows of one story follow its first article (data-story), then
  // return to input order (data-n). Only the index moves; the articles stay in input order.
  var bystory = document.getElementById("bystory");
  var list = document.getElementById("index");
  function regroup() {
    var key = bystory.checked ? "data-story" : "data-n";
    var sorted = rows.slice().sort(function (a, b) {
      return (+a.getAttribute(key) - +b.getAttribute(key)) ||
             (+a.getAttribute("data-n") - +b.getAttribute("data-n"));
    });
    for (var i = 0; i < sorted.length; i++) list.appendChild(sorted[i]);
  }
  if (bystory && list) {
    bystory.addEventListener("change", regroup);
    if (bystory.checked) regroup();
  }
  if (input) {
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(apply, rows.length > 2000 ? 150 : 30);
    });
    if (input.value) apply();  // a value kept by the browser on reload
  }
  if (kind) {
    kind.addEventListener("change", apply);
    if (kind.value) apply();
  }
})();
