"""The inline CSS and JavaScript of view.html (no network: nothing is fetched from a CDN).

Colours: against is red, favor is blue, neutral grey (a red/blue scale reads for the common forms of colour
blindness, unlike red/green); each label also has its own underline (solid, double, dotted), so the labels
stay apart in print and in greyscale. The script only sorts and filters tables; all content is in the HTML.
"""

CSS = """
:root { --against: #b2182b; --against-bg: #f9d9d3; --neutral: #6b6b6b; --neutral-bg: #e9e9e9;
        --favor: #2166ac; --favor-bg: #d3e4f5; --line: #d0d0d0; --muted: #5f5f5f; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #1d1d1d; background: #fafafa; }
main { max-width: 1280px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 4px 0 2px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 0; overflow-wrap: anywhere; }
.meta, .note { color: var(--muted); margin: 2px 0; }
.note { background: #fff6d6; border: 1px solid #ecd98a; padding: 4px 8px; color: #5a4a00; }
nav { position: sticky; top: 0; z-index: 5; background: #fafafa; border-bottom: 1px solid var(--line);
      padding: 6px 0; margin-bottom: 4px; }
nav a { margin-right: 16px; }
a { color: #1a4f8b; }
.legend span { margin-right: 10px; }
table { border-collapse: collapse; background: #fff; font-size: 14px; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; position: sticky; top: 37px; cursor: pointer; user-select: none; white-space: nowrap; }
th[data-dir="asc"]::after { content: " \\25B2"; font-size: 10px; }
th[data-dir="desc"]::after { content: " \\25BC"; font-size: 10px; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.scroll { max-height: 460px; overflow: auto; border: 1px solid var(--line); }
.scroll th { top: 0; }
input[type=search] { font: inherit; padding: 3px 8px; width: 280px; margin: 4px 0 6px; }
.lab { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 13px; white-space: nowrap; }
.lab.against { background: var(--against-bg); color: var(--against); }
.lab.neutral { background: var(--neutral-bg); color: #444; }
.lab.favor { background: var(--favor-bg); color: var(--favor); }
.bar { display: inline-block; position: relative; width: 70px; height: 9px; background: #eee;
       vertical-align: middle; margin-left: 6px; }
.bar::before { content: ""; position: absolute; left: 50%; top: -2px; bottom: -2px; border-left: 1px solid #999; }
.bar i { position: absolute; top: 0; bottom: 0; }
.bar i.against { background: var(--against); } .bar i.favor { background: var(--favor); }
.bar i.neutral { background: #9a9a9a; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 12px; }
.plot { background: #fff; border: 1px solid var(--line); padding: 6px 8px; }
.plot svg { width: 100%; height: auto; display: block; }
.plot text { font-size: 10px; fill: #555; }
article.doc { background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 12px 16px;
              margin: 14px 0; scroll-margin-top: 44px; }
.doc-body { display: flex; gap: 20px; align-items: flex-start; }
.claims { flex: 3; min-width: 0; }
.doc-actors { flex: 2; min-width: 260px; }
.doc-actors table { width: 100%; }
@media (max-width: 900px) { .doc-body { flex-direction: column; } .doc-actors { min-width: 0; } }
.claim { display: grid; grid-template-columns: 30px 38px 1fr; gap: 6px; padding: 3px 0;
         border-bottom: 1px dotted #e2e2e2; }
.claim.nosent { grid-template-columns: 30px 1fr; }
.claim .cid { color: #888; font-size: 12px; text-align: right; padding-top: 2px; }
.claim .ctext { white-space: pre-wrap; overflow-wrap: anywhere; }
.claim.gap .ctext { color: #777; font-style: italic; }
.sent { font-size: 11px; text-align: center; border-radius: 3px; height: 18px; margin-top: 2px; cursor: help; }
.sent.negative { background: var(--against-bg); color: var(--against); }
.sent.neutral { background: var(--neutral-bg); color: #444; }
.sent.positive { background: var(--favor-bg); color: var(--favor); }
mark { position: relative; color: inherit; padding: 0 1px; border-radius: 2px; cursor: help; }
mark.against { background: var(--against-bg); border-bottom: 2px solid var(--against); }
mark.favor { background: var(--favor-bg); border-bottom: 3px double var(--favor); }
mark.neutral { background: var(--neutral-bg); border-bottom: 2px dotted var(--neutral); }
[data-tip]:hover::after { content: attr(data-tip); position: absolute; left: 0; top: 100%; z-index: 10;
  white-space: pre; background: #222; color: #fff; font-size: 12px; line-height: 1.4; padding: 5px 8px;
  border-radius: 4px; font-style: normal; font-weight: normal; pointer-events: none; }
.sent[data-tip] { position: relative; }
.more { color: var(--muted); font-size: 13px; }
"""

JS = """
(function () {
  function key(row, i) {
    var cell = row.cells[i];
    if (!cell) return '';
    return cell.dataset.v !== undefined ? parseFloat(cell.dataset.v) : cell.textContent.trim().toLowerCase();
  }
  document.querySelectorAll('table.sortable th').forEach(function (th) {
    th.addEventListener('click', function () {
      var table = th.closest('table'), body = table.tBodies[0], i = th.cellIndex;
      var dir = th.dataset.dir === 'desc' ? 'asc' : 'desc';
      table.querySelectorAll('th').forEach(function (h) { delete h.dataset.dir; });
      th.dataset.dir = dir;
      var sign = dir === 'asc' ? 1 : -1;
      var rows = Array.prototype.slice.call(body.rows).sort(function (a, b) {
        var x = key(a, i), y = key(b, i);
        return (x < y ? -1 : x > y ? 1 : 0) * sign;
      });
      var fragment = document.createDocumentFragment();
      rows.forEach(function (row) { fragment.appendChild(row); });
      body.appendChild(fragment);
    });
  });
  function filter(input) {
    var q = input.value.trim().toLowerCase(), table = document.getElementById(input.dataset.filter);
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var text = (row.textContent + ' ' + (row.dataset.actors || '')).toLowerCase();
      row.hidden = q !== '' && text.indexOf(q) < 0;
    });
  }
  document.querySelectorAll('input[data-filter]').forEach(function (input) {
    input.addEventListener('input', function () { filter(input); });
  });
  document.querySelectorAll('a[data-actor]').forEach(function (link) {
    link.addEventListener('click', function () {
      var input = document.querySelector('input[data-filter="index-table"]');
      if (input) { input.value = link.dataset.actor; filter(input); }
    });
  });
})();
"""
