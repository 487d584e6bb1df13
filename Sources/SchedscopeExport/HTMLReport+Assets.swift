// The page's stylesheet and script, inline so that the report is one file that works
// offline. The script only sorts tables and shows tooltips; it writes trace strings with
// `textContent`, never as markup.
extension HTMLReport {
    static let style = """
        :root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--bg:#ffffff;--panel:#f6f8fa;--accent:#0969da}
        *{box-sizing:border-box}
        body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
        header{padding:20px 32px 12px;border-bottom:1px solid var(--line);background:var(--panel)}
        h1{margin:0;font-size:22px}
        .sub{margin:4px 0 0;color:var(--muted);overflow-wrap:anywhere}
        main{padding:8px 32px 40px;max-width:1280px}
        section{margin-top:24px}
        h2{font-size:17px;margin:0 0 4px;padding-bottom:4px;border-bottom:1px solid var(--line)}
        h3{font-size:14px;margin:14px 0 6px}
        .note{color:var(--muted);margin:2px 0 10px;overflow-wrap:anywhere}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px}
        .card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;background:var(--panel)}
        .card h3{margin:0;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
        .card .value{margin:4px 0 2px;font-size:20px;font-weight:600}
        .card .detail{margin:0;color:var(--muted);font-size:12px}
        svg.chart{width:100%;height:auto;display:block;background:#fff}
        svg text{font-size:11px;fill:var(--muted)}
        svg text.row{text-anchor:end;font-weight:600;fill:var(--fg)}
        svg text.tick{text-anchor:middle}
        svg text.note{font-size:12px;fill:#bc4c00;font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px}
        svg line.axis{stroke:#8c959f;stroke-width:1}
        svg rect.worst{fill:none;stroke:#bc4c00;stroke-width:2;stroke-dasharray:6 3}
        svg rect.bar{fill:#4e79a7}
        svg rect.bar:hover{fill:#0969da}
        svg line.marker{stroke:#bc4c00;stroke-width:1.5;stroke-dasharray:4 3}
        svg text.marker{fill:#bc4c00;font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
        .legend{list-style:none;padding:0;margin:8px 0 0;display:flex;flex-wrap:wrap;gap:6px 16px;color:var(--fg);font-size:12px}
        .legend li{overflow-wrap:anywhere;max-width:420px}
        .legend.heat{gap:0;align-items:center}
        .swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;vertical-align:-2px;border:1px solid rgba(0,0,0,.08)}
        .legend.heat .swatch{margin:0;border-radius:0;width:18px}
        .swatch.gc{background:rgba(214,39,40,.45)}
        .swatch.steal{background:#1f2328;height:4px;vertical-align:3px}
        .muted{color:var(--muted)}
        table{border-collapse:collapse;margin:4px 0 8px;font-size:13px;max-width:100%}
        th,td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
        th{background:var(--panel);cursor:pointer;user-select:none;white-space:nowrap}
        th[aria-sort=ascending]::after{content:" ▲";font-size:10px}
        th[aria-sort=descending]::after{content:" ▼";font-size:10px}
        .n{text-align:right;font-variant-numeric:tabular-nums}
        .empty{color:var(--muted);font-style:italic}
        #tip{position:fixed;pointer-events:none;display:none;background:#1f2328;color:#fff;padding:6px 9px;border-radius:6px;font-size:12px;line-height:1.4;max-width:360px;white-space:pre-line;overflow-wrap:anywhere;z-index:10}
        code{font-size:12px;background:var(--panel);padding:1px 4px;border-radius:4px}
        """

    static let script = """
        (function () {
          "use strict";
          var data = JSON.parse(document.getElementById("data").textContent);
          function duration(ns) {
            var units = [["s", 1e9], ["ms", 1e6], ["µs", 1e3]];
            for (var i = 0; i < units.length; i++) {
              if (ns >= units[i][1] * 0.9995) {
                var v = ns / units[i][1];
                return v.toFixed(v >= 99.95 ? 0 : v >= 9.995 ? 1 : 2) + " " + units[i][0];
              }
            }
            return Math.round(ns) + " ns";
          }
          function range(a, b) {
            var x = duration(a), y = duration(b);
            if (x !== y) return x + " – " + y;
            var digits = Math.min(9, Math.max(0, Math.ceil(-Math.log10((b - a) / 1e9)) + 1));
            return (a / 1e9).toFixed(digits) + " s – " + (b / 1e9).toFixed(digits) + " s";
          }
          var tip = document.getElementById("tip");
          function hover(svg) {
            if (!svg) return;
            svg.addEventListener("mousemove", function (event) {
              var matrix = svg.getScreenCTM();
              if (!matrix) return;
              var point = svg.createSVGPoint();
              point.x = event.clientX; point.y = event.clientY;
              var p = point.matrixTransform(matrix.inverse());
              var column = Math.floor((p.x - data.left) / (data.plot / data.columns));
              var row = Math.floor((p.y - data.top) / (data.rowHeight + 2));
              if (column < 0 || column >= data.columns || row < 0 || row >= data.busy.length) { tip.style.display = "none"; return; }
              var start = column * data.columnNs;
              var lines = ["P" + row + " · " + range(start, start + data.columnNs),
                           "busy " + data.busy[row][column] + " %"];
              var label = data.label[row][column];
              if (label >= 0) lines.push("mostly " + data.labels[label]);
              if (data.steals[row][column] > 0) lines.push("steals " + data.steals[row][column]);
              if (data.pause[column] > 0) lines.push("GC pause " + data.pause[column] + " % of the column");
              tip.textContent = lines.join("\\n");
              tip.style.display = "block";
              var x = event.clientX + 14, y = event.clientY + 14;
              if (x + tip.offsetWidth > window.innerWidth) x = event.clientX - tip.offsetWidth - 10;
              if (y + tip.offsetHeight > window.innerHeight) y = event.clientY - tip.offsetHeight - 10;
              tip.style.left = x + "px"; tip.style.top = y + "px";
            });
            svg.addEventListener("mouseleave", function () { tip.style.display = "none"; });
          }
          hover(document.getElementById("timeline"));
          hover(document.getElementById("heatmap"));
          Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
            var headers = table.tHead.rows[0].cells;
            Array.prototype.forEach.call(headers, function (th, index) {
              th.addEventListener("click", function () {
                var numeric = th.getAttribute("data-type") === "number";
                var ascending = th.getAttribute("aria-sort") !== "ascending";
                Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
                th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
                var body = table.tBodies[0];
                var rows = Array.prototype.slice.call(body.rows);
                function key(row) {
                  var cell = row.cells[index];
                  if (!cell) return numeric ? 0 : "";
                  return numeric ? parseFloat(cell.getAttribute("data-v") || cell.textContent) : cell.textContent;
                }
                rows.sort(function (a, b) {
                  var x = key(a), y = key(b);
                  var order = numeric ? x - y : String(x).localeCompare(String(y));
                  return ascending ? order : -order;
                });
                rows.forEach(function (row) { body.appendChild(row); });
              });
            });
          });
        })();
        """
}
