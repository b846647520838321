/// The viewer's page: one HTML document with its script and style inline, so that nothing is loaded from
/// elsewhere (no CDN, no web fonts). It computes nothing itself: curves, fits and parameters come from the server
/// (`/api/tic`, `/api/fit`), which runs the code of `echoflow analyze`.
///
/// Regions are kept in contrast-pane pixels, as in `roi.json`; the page draws them over the contrast pane and,
/// dashed, at the same place over the B-mode pane.
enum ViewerPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>Echoflow viewer</title>
        <style>
        body { font: 14px system-ui, sans-serif; margin: 0; color: #222; background: #f4f4f2; }
        header { padding: 8px 14px; background: #263238; color: #eceff1; }
        header b { font-size: 16px; }
        main { display: flex; gap: 14px; padding: 12px; align-items: flex-start; flex-wrap: wrap; }
        #left { flex: 0 0 auto; }
        #right { flex: 1 1 420px; min-width: 380px; }
        #toolbar button, #player button { font: inherit; padding: 4px 10px; margin-right: 4px; border: 1px solid #999;
          background: #fff; border-radius: 4px; cursor: pointer; }
        #toolbar button.on { background: #ffd54f; border-color: #c79a00; }
        #toolbar .sep { display: inline-block; width: 12px; }
        #view { display: block; margin-top: 8px; background: #000; cursor: crosshair; }
        #player { margin-top: 6px; display: flex; align-items: center; gap: 8px; }
        #slider { flex: 1; }
        #status { margin: 6px 0; min-height: 1.3em; }
        #status.error { color: #b71c1c; font-weight: 600; }
        table { border-collapse: collapse; background: #fff; }
        td, th { border: 1px solid #ccc; padding: 3px 6px; text-align: left; }
        th { background: #eceff1; }
        #regions input[type=text] { width: 9em; font: inherit; }
        #regions tr.selected { background: #fff8e1; }
        .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: middle; }
        #chart { background: #fff; border: 1px solid #ccc; margin-top: 10px; }
        #params td.num { text-align: right; font-variant-numeric: tabular-nums; }
        #warnings li { color: #8d4e00; }
        .hint { color: #555; font-size: 12px; }
        </style>
        </head>
        <body>
        <header><b>Echoflow viewer</b> <span id="clipname"></span></header>
        <main>
        <section id="left">
          <div id="toolbar">
            <button id="tool-select" data-tool="select" title="Select, move and reshape (V)">Select</button>
            <button id="tool-rectangle" data-tool="rectangle" title="Draw a rectangle: drag (R)">Rectangle</button>
            <button id="tool-ellipse" data-tool="ellipse" title="Draw an ellipse: drag its box (E)">Ellipse</button>
            <button id="tool-polygon" data-tool="polygon" title="Draw a polygon: click the corners, double-click or Enter to close (P)">Polygon</button>
            <span class="sep"></span>
            <button id="fit" title="Fit the model to every region (as analyze does)">Fit</button>
            <button id="save" title="Save the regions to the clip's roi.json">Save</button>
          </div>
          <canvas id="view" width="10" height="10"></canvas>
          <div id="player">
            <button id="play" title="Play or pause (space)">Play</button>
            <input id="slider" type="range" min="0" max="0" value="0">
            <span id="framelabel"></span>
          </div>
          <div id="status"></div>
          <div class="hint">Regions are in contrast-pane pixels (yellow frame); they are shown dashed on the B-mode pane.
            Delete removes the selected region.</div>
        </section>
        <section id="right">
          <table id="regions"><thead><tr><th></th><th>region</th><th>kind</th><th>pixels</th><th>reference</th><th></th></tr></thead><tbody></tbody></table>
          <svg id="chart" width="560" height="300" xmlns="http://www.w3.org/2000/svg"></svg>
          <div class="hint">Curves: mean linearized intensity per frame (a.u.); excluded frames as grey crosses; dashed: the fit.</div>
          <table id="params"></table>
          <ul id="warnings"></ul>
        </section>
        </main>
        <script>
        "use strict";
        const palette = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324"];
        const S = { clip: null, scale: 1, frame: 0, image: null, regions: [], reference: null, referenceFrame: null,
          selected: -1, tool: "select", drag: null, draft: null, curves: null, fit: null, playing: null };
        window.echoflowTimings = { frame: [], tic: [], fit: [] };
        window.echoflowState = S;
        // For scripts (Tests/Browser): the state, the timings, and the hook that recomputes the curves.
        window.echoflowChanged = () => changed();
        const $ = (id) => document.getElementById(id);
        const canvas = $("view"), ctx = canvas.getContext("2d");

        function status(text, isError) {
          $("status").textContent = text || "";
          $("status").className = isError ? "error" : "";
        }

        async function getJSON(url, options) {
          const response = await fetch(url, options);
          const body = await response.json().catch(() => ({ error: response.status + " " + response.statusText }));
          if (!response.ok) throw new Error(body.error || (response.status + " " + response.statusText));
          return body;
        }

        // ---- Regions: the roi.json objects themselves, in contrast-pane pixels.
        function bounds(r) {
          if (r.kind === "rectangle") return [r.x, r.y, r.x + r.width, r.y + r.height];
          if (r.kind === "ellipse") {
            const a = -(r.angle || 0) * Math.PI / 180, c = Math.cos(a), s = Math.sin(a);
            const hx = Math.hypot(r.radii[0] * c, r.radii[1] * s), hy = Math.hypot(r.radii[0] * s, r.radii[1] * c);
            return [r.center[0] - hx, r.center[1] - hy, r.center[0] + hx, r.center[1] + hy];
          }
          if (r.kind === "polygon") {
            const xs = r.points.map(p => p[0]), ys = r.points.map(p => p[1]);
            return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
          }
          return null;
        }
        function contains(r, x, y) {
          if (r.kind === "rectangle") return x >= r.x && x <= r.x + r.width && y >= r.y && y <= r.y + r.height;
          if (r.kind === "ellipse") {
            // angle is counter-clockwise on screen, as in roi.json.
            const a = (r.angle || 0) * Math.PI / 180, dx = x - r.center[0], dy = y - r.center[1];
            const u = dx * Math.cos(a) - dy * Math.sin(a), v = dx * Math.sin(a) + dy * Math.cos(a);
            return (u / r.radii[0]) ** 2 + (v / r.radii[1]) ** 2 <= 1;
          }
          if (r.kind === "polygon") {
            let inside = false;
            for (let i = 0, j = r.points.length - 1; i < r.points.length; j = i++) {
              const [xi, yi] = r.points[i], [xj, yj] = r.points[j];
              if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
            }
            return inside;
          }
          return false;
        }
        function handles(r) {
          if (r.kind === "rectangle")
            return [[r.x, r.y], [r.x + r.width, r.y], [r.x + r.width, r.y + r.height], [r.x, r.y + r.height]];
          if (r.kind === "ellipse") {
            const a = -(r.angle || 0) * Math.PI / 180, c = Math.cos(a), s = Math.sin(a), [cx, cy] = r.center;
            const [rx, ry] = r.radii;
            return [[cx + rx * c, cy + rx * s], [cx - rx * c, cy - rx * s], [cx - ry * s, cy + ry * c], [cx + ry * s, cy - ry * c]];
          }
          if (r.kind === "polygon") return r.points.map(p => p.slice());
          return [];
        }
        function translate(r, dx, dy) {
          if (r.kind === "rectangle") { r.x += dx; r.y += dy; }
          else if (r.kind === "ellipse") { r.center = [r.center[0] + dx, r.center[1] + dy]; }
          else if (r.kind === "polygon") { r.points = r.points.map(p => [p[0] + dx, p[1] + dy]); }
        }
        function reshape(r, k, x, y, start) {
          if (r.kind === "rectangle") {
            const h = handles(start), o = h[(k + 2) % 4];
            r.x = Math.min(o[0], x); r.y = Math.min(o[1], y);
            r.width = Math.max(1, Math.abs(x - o[0])); r.height = Math.max(1, Math.abs(y - o[1]));
          } else if (r.kind === "ellipse") {
            const a = -(r.angle || 0) * Math.PI / 180, dx = x - r.center[0], dy = y - r.center[1];
            const along = Math.abs(dx * Math.cos(a) + dy * Math.sin(a)), across = Math.abs(-dx * Math.sin(a) + dy * Math.cos(a));
            if (k < 2) r.radii = [Math.max(0.5, along), r.radii[1]]; else r.radii = [r.radii[0], Math.max(0.5, across)];
          } else if (r.kind === "polygon") {
            r.points[k] = [x, y];
          }
        }
        function round(r) {
          const q = v => Math.round(v * 10) / 10;
          if (r.kind === "rectangle") { r.x = q(r.x); r.y = q(r.y); r.width = q(r.width); r.height = q(r.height); }
          else if (r.kind === "ellipse") { r.center = r.center.map(q); r.radii = r.radii.map(q); }
          else if (r.kind === "polygon") { r.points = r.points.map(p => p.map(q)); }
        }
        function clampMove(r, dx, dy) {
          const b = bounds(r), pane = S.clip.contrastPane;
          if (!b) return [0, 0];
          dx = Math.min(Math.max(dx, -b[0]), pane.width - b[2]);
          dy = Math.min(Math.max(dy, -b[1]), pane.height - b[3]);
          return [dx, dy];
        }
        function clampPoint(x, y) {
          const pane = S.clip.contrastPane;
          return [Math.min(Math.max(x, 0), pane.width), Math.min(Math.max(y, 0), pane.height)];
        }
        function newName() {
          for (let k = S.regions.length + 1; ; k++) {
            const name = "region " + k;
            if (!S.regions.some(r => r.name === name)) return name;
          }
        }
        function roiDocument() {
          const doc = { rois: S.regions.map(r => { const c = Object.assign({}, r); delete c.color; return c; }) };
          if (S.reference && S.regions.some(r => r.name === S.reference)) doc.reference = S.reference;
          if (S.referenceFrame !== null && S.referenceFrame !== undefined) doc.referenceFrame = S.referenceFrame;
          return JSON.stringify(doc);
        }
        function colorOf(i) { return palette[i % palette.length]; }

        // ---- Drawing the frame and the regions.
        function outline(r, ox, oy) {
          const s = S.scale;
          ctx.beginPath();
          if (r.kind === "rectangle") ctx.rect((ox + r.x) * s, (oy + r.y) * s, r.width * s, r.height * s);
          else if (r.kind === "ellipse")
            ctx.ellipse((ox + r.center[0]) * s, (oy + r.center[1]) * s, r.radii[0] * s, r.radii[1] * s,
              -(r.angle || 0) * Math.PI / 180, 0, 2 * Math.PI);
          else if (r.kind === "polygon") {
            r.points.forEach((p, i) => i ? ctx.lineTo((ox + p[0]) * s, (oy + p[1]) * s) : ctx.moveTo((ox + p[0]) * s, (oy + p[1]) * s));
            ctx.closePath();
          }
        }
        function draw() {
          const c = S.clip; if (!c) return;
          const s = S.scale;
          ctx.imageSmoothingEnabled = false;
          ctx.clearRect(0, 0, canvas.width, canvas.height);
          if (S.image) ctx.drawImage(S.image, 0, 0, c.width * s, c.height * s);
          const cp = c.contrastPane, bp = c.bmodePane;
          ctx.setLineDash([]); ctx.lineWidth = 1; ctx.strokeStyle = "#ffd54f";
          ctx.strokeRect(cp.x * s + 0.5, cp.y * s + 0.5, cp.width * s - 1, cp.height * s - 1);
          if (bp) { ctx.strokeStyle = "#90a4ae"; ctx.strokeRect(bp.x * s + 0.5, bp.y * s + 0.5, bp.width * s - 1, bp.height * s - 1); }
          S.regions.forEach((r, i) => {
            if (r.kind === "mask") return;
            const color = colorOf(i), ref = r.name === S.reference;
            ctx.strokeStyle = color; ctx.lineWidth = i === S.selected ? 3 : 2;
            ctx.setLineDash(ref ? [6, 3] : []);
            outline(r, cp.x, cp.y); ctx.stroke();
            if (bp) { ctx.lineWidth = 1; ctx.setLineDash([3, 3]); outline(r, bp.x, bp.y); ctx.stroke(); }
            const b = bounds(r);
            ctx.setLineDash([]); ctx.fillStyle = color; ctx.font = "12px system-ui, sans-serif";
            // The name above the region, or below it when the region touches the top.
            const above = (cp.y + b[1]) * s - 6;
            const label = r.name + (ref ? " (ref)" : ""), lx = (cp.x + b[0]) * s, ly = above >= 12 ? above : (cp.y + b[3]) * s + 14;
            ctx.fillStyle = "rgba(0, 0, 0, 0.6)"; ctx.fillRect(lx - 2, ly - 11, ctx.measureText(label).width + 4, 14);
            ctx.fillStyle = color; ctx.fillText(label, lx, ly);
            if (i === S.selected && S.tool === "select") {
              ctx.fillStyle = "#fff";
              handles(r).forEach(h => ctx.fillRect((cp.x + h[0]) * s - 4, (cp.y + h[1]) * s - 4, 8, 8));
            }
          });
          if (S.draft) {
            ctx.strokeStyle = "#fff"; ctx.lineWidth = 1; ctx.setLineDash([4, 2]);
            outline(S.draft, cp.x, cp.y); ctx.stroke(); ctx.setLineDash([]);
          }
        }

        // ---- Frames: only the newest wanted frame is fetched once the one in flight arrives.
        let loading = false, wanted = 0, wantedAt = 0;
        function showFrame(n) {
          wanted = n; wantedAt = performance.now();
          $("slider").value = n;
          const t = S.clip.times_s[n];
          $("framelabel").textContent = "frame " + n + " / " + (S.clip.frames - 1) + " · " + (t === null ? "?" : t.toFixed(2)) + " s";
          if (!loading) loadFrame();
        }
        function loadFrame() {
          loading = true;
          const n = wanted, started = wantedAt, image = new Image();
          image.onload = () => {
            S.image = image; S.frame = n; draw(); drawChart();
            window.echoflowTimings.frame.push(performance.now() - started);
            loading = false;
            if (wanted !== n) loadFrame();
          };
          image.onerror = () => { loading = false; status("frame " + n + " could not be loaded", true); };
          image.src = "/api/frame/" + n + ".png";
        }

        // ---- Curves and fits, from the server.
        let ticTimer = null, ticSerial = 0;
        function changed() {
          S.fit = null; renderParams();
          renderRegions(); draw();
          clearTimeout(ticTimer);
          const started = performance.now();
          ticTimer = setTimeout(() => requestCurves(started), 60);
        }
        async function requestCurves(started) {
          const serial = ++ticSerial;
          if (!S.regions.length) { S.curves = null; drawChart(); return; }
          try {
            const body = await getJSON("/api/tic", { method: "POST", body: roiDocument() });
            if (serial !== ticSerial) return;
            S.curves = body.regions; status(""); updatePixels(); drawChart();
            window.echoflowTimings.tic.push(performance.now() - started);
          } catch (e) {
            if (serial !== ticSerial) return;
            S.curves = null; drawChart(); status(e.message, true);
          }
        }
        async function requestFit() {
          if (!S.regions.length) { status("draw a region first", true); return; }
          status("fitting…");
          const started = performance.now();
          try {
            const body = await getJSON("/api/fit", { method: "POST", body: roiDocument() });
            S.fit = body; status(""); renderParams(); drawChart();
            window.echoflowTimings.fit.push(performance.now() - started);
          } catch (e) { S.fit = null; renderParams(); status(e.message, true); }
        }
        async function save() {
          try {
            const body = await getJSON("/api/roi", { method: "PUT", body: roiDocument() });
            status("saved " + body.saved);
          } catch (e) { status("not saved: " + e.message, true); }
        }

        function svg(tag, attributes, text) {
          const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
          for (const k in attributes) e.setAttribute(k, attributes[k]);
          if (text !== undefined) e.textContent = text;
          return e;
        }
        function drawChart() {
          const chart = $("chart"); chart.replaceChildren();
          const W = 560, H = 300, L = 60, R = 12, T = 12, B = 36;
          const times = S.clip ? S.clip.times_s : [];
          const t0 = times.length ? times[0] : 0, t1 = times.length ? times[times.length - 1] : 1;
          let ymax = 0;
          (S.curves || []).forEach(c => c.intensity_au.forEach(v => { if (v !== null && v > ymax) ymax = v; }));
          if (S.fit) S.fit.regions.forEach(r => r.fitted_au.forEach(v => { if (v !== null && v > ymax) ymax = v; }));
          if (!(ymax > 0)) ymax = 1;
          ymax *= 1.05;
          const X = t => L + (t - t0) / Math.max(t1 - t0, 1e-9) * (W - L - R), Y = v => H - B - v / ymax * (H - T - B);
          chart.append(svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#444" }));
          chart.append(svg("line", { x1: L, y1: T, x2: L, y2: H - B, stroke: "#444" }));
          for (let k = 0; k <= 4; k++) {
            const v = ymax * k / 4, t = t0 + (t1 - t0) * k / 4;
            chart.append(svg("text", { x: L - 6, y: Y(v) + 4, "text-anchor": "end", "font-size": 11 }, v.toPrecision(2)));
            chart.append(svg("text", { x: X(t), y: H - B + 16, "text-anchor": "middle", "font-size": 11 }, t.toFixed(0)));
          }
          chart.append(svg("text", { x: (L + W) / 2, y: H - 4, "text-anchor": "middle", "font-size": 12 }, "time (s)"));
          chart.append(svg("text", { x: 14, y: (T + H - B) / 2, "text-anchor": "middle", "font-size": 12,
            transform: "rotate(-90 14 " + (T + H - B) / 2 + ")" }, "intensity (a.u.)"));
          if (S.clip && times[S.frame] !== null)
            chart.append(svg("line", { x1: X(times[S.frame]), y1: T, x2: X(times[S.frame]), y2: H - B, stroke: "#bbb" }));
          (S.curves || []).forEach(c => {
            const i = S.regions.findIndex(r => r.name === c.name), color = colorOf(i);
            let d = "";
            c.times_s.forEach((t, k) => {
              const v = c.intensity_au[k];
              if (v === null || t === null) return;
              if (c.excluded[k]) {
                const x = X(t), y = Y(v);
                chart.append(svg("path", { d: `M${x - 3},${y - 3}L${x + 3},${y + 3}M${x - 3},${y + 3}L${x + 3},${y - 3}`,
                  stroke: "#999", class: "excluded" }));
              } else d += (d ? "L" : "M") + X(t).toFixed(1) + "," + Y(v).toFixed(1);
            });
            chart.append(svg("path", { d, fill: "none", stroke: color, "stroke-width": 1.5, class: "tic", "data-region": c.name }));
          });
          if (S.fit) S.fit.regions.forEach(r => {
            const i = S.regions.findIndex(x => x.name === r.name);
            let d = "";
            r.fitted_au.forEach((v, k) => { if (v !== null && times[k] !== null) d += (d ? "L" : "M") + X(times[k]).toFixed(1) + "," + Y(v).toFixed(1); });
            if (d) chart.append(svg("path", { d, fill: "none", stroke: colorOf(i), "stroke-width": 2, "stroke-dasharray": "6 3", class: "fitted" }));
          });
        }

        function renderRegions() {
          const body = $("regions").tBodies[0]; body.replaceChildren();
          S.regions.forEach((r, i) => {
            const row = document.createElement("tr");
            if (i === S.selected) row.className = "selected";
            const curve = (S.curves || []).find(c => c.name === r.name);
            row.innerHTML = `<td><span class="swatch" style="background:${colorOf(i)}"></span></td><td></td><td>${r.kind}</td>` +
              `<td class="num">${curve ? curve.pixels : ""}</td><td><input type="checkbox" title="reference region"></td>` +
              `<td><button title="delete">delete</button></td>`;
            const name = document.createElement("input");
            name.type = "text"; name.value = r.name; name.setAttribute("aria-label", "region name");
            name.addEventListener("change", () => {
              const value = name.value.trim();
              if (!value || S.regions.some((x, k) => k !== i && x.name === value)) {
                status("a region needs a name of its own", true); name.value = r.name; return;
              }
              if (S.reference === r.name) S.reference = value;
              r.name = value; changed();
            });
            row.children[1].append(name);
            const ref = row.querySelector("input[type=checkbox]");
            ref.checked = r.name === S.reference;
            ref.addEventListener("change", () => { S.reference = ref.checked ? r.name : null; changed(); });
            row.querySelector("button").addEventListener("click", () => remove(i));
            row.addEventListener("click", e => { if (e.target.tagName !== "INPUT" && e.target.tagName !== "BUTTON") { S.selected = i; renderRegions(); draw(); } });
            body.append(row);
          });
        }
        // The pixel counts change with the curves; the rows stay (a name being typed is not lost).
        function updatePixels() {
          Array.from($("regions").tBodies[0].rows).forEach((row, i) => {
            const r = S.regions[i], curve = r && (S.curves || []).find(c => c.name === r.name);
            row.children[3].textContent = curve ? curve.pixels : "";
          });
        }
        function remove(i) {
          if (S.regions[i].name === S.reference) S.reference = null;
          S.regions.splice(i, 1); S.selected = -1; changed();
        }
        const shown = [["status", "status"], ["model", "model"], ["pe_au", "PE (a.u.)"], ["ttp_s", "TTP (s)"],
          ["wiauc_au_s", "WiAUC (a.u.·s)"], ["rt_s", "RT (s)"], ["mtti_s", "mTTI (s)"], ["mtt_s", "mTT (s)"],
          ["auc_au_s", "AUC (a.u.·s)"], ["qof_pct", "QOF (%)"], ["bound_parameters", "on a bound"], ["flags", "flags"]];
        function format(v) { return Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 0.01) ? v.toExponential(3) : v.toFixed(3); }
        function renderParams() {
          const table = $("params"); table.replaceChildren(); $("warnings").replaceChildren();
          if (!S.fit) return;
          // One column per region, one row per parameter (the panel is narrow).
          const head = document.createElement("tr");
          head.innerHTML = "<th>parameter</th>";
          S.fit.regions.forEach(r => { const th = document.createElement("th"); th.textContent = r.name; head.append(th); });
          table.append(head);
          shown.forEach(([key, label]) => {
            const row = document.createElement("tr"), th = document.createElement("th");
            th.textContent = label; row.append(th);
            S.fit.regions.forEach(r => {
              const v = key === "status" ? r.status : r.parameters[key], se = r.parameters[key + "_se"];
              const td = document.createElement("td");
              td.dataset.key = key;
              if (v !== null && v !== undefined) {
                td.textContent = typeof v === "number" ? format(v) + (typeof se === "number" ? " ± " + format(se) : "") : String(v);
              }
              if (typeof v === "number") td.className = "num";
              row.append(td);
            });
            table.append(row);
          });
          (S.fit.warnings || []).forEach(w => { const li = document.createElement("li"); li.textContent = w; $("warnings").append(li); });
        }

        // ---- Pointer input.
        function panePoint(event) {
          const box = canvas.getBoundingClientRect(), cp = S.clip.contrastPane;
          return [(event.clientX - box.left) / S.scale - cp.x, (event.clientY - box.top) / S.scale - cp.y];
        }
        function setTool(tool) {
          S.tool = tool; S.draft = null; S.drag = null;
          document.querySelectorAll("#toolbar [data-tool]").forEach(b => b.classList.toggle("on", b.dataset.tool === tool));
          draw();
        }
        function finishDraft() {
          const d = S.draft; S.draft = null;
          if (!d) return;
          const b = bounds(d);
          if (!b || b[2] - b[0] < 1 || b[3] - b[1] < 1) { draw(); return; }
          d.name = newName(); round(d);
          S.regions.push(d); S.selected = S.regions.length - 1;
          setTool("select"); changed();
        }
        canvas.addEventListener("mousedown", event => {
          if (!S.clip) return;
          const [x0, y0] = panePoint(event), [x, y] = clampPoint(x0, y0);
          if (S.tool === "rectangle" || S.tool === "ellipse") { S.drag = { mode: "draw", x, y }; return; }
          if (S.tool === "polygon") {
            if (!S.draft) S.draft = { kind: "polygon", points: [[x, y]] };
            else S.draft.points.push([x, y]);
            draw(); return;
          }
          const grab = 6 / S.scale;
          if (S.selected >= 0) {
            const r = S.regions[S.selected], k = handles(r).findIndex(h => Math.hypot(h[0] - x0, h[1] - y0) <= grab);
            if (k >= 0) { S.drag = { mode: "reshape", k, start: JSON.parse(JSON.stringify(r)), moved: false }; return; }
          }
          for (let i = S.regions.length - 1; i >= 0; i--) {
            if (contains(S.regions[i], x0, y0)) {
              S.selected = i; S.drag = { mode: "move", x: x0, y: y0, moved: false };
              renderRegions(); draw(); return;
            }
          }
          S.selected = -1; renderRegions(); draw();
        });
        window.addEventListener("mousemove", event => {
          if (!S.drag || !S.clip) return;
          const [x0, y0] = panePoint(event), [x, y] = clampPoint(x0, y0), d = S.drag;
          if (d.mode === "draw") {
            const left = Math.min(d.x, x), top = Math.min(d.y, y), w = Math.abs(x - d.x), h = Math.abs(y - d.y);
            S.draft = S.tool === "rectangle" ? { kind: "rectangle", x: left, y: top, width: w, height: h }
              : { kind: "ellipse", center: [left + w / 2, top + h / 2], radii: [w / 2, h / 2], angle: 0 };
          } else if (d.mode === "move") {
            const r = S.regions[S.selected], [dx, dy] = clampMove(r, x0 - d.x, y0 - d.y);
            translate(r, dx, dy); d.x += dx; d.y += dy; d.moved = d.moved || dx !== 0 || dy !== 0;
          } else if (d.mode === "reshape") {
            reshape(S.regions[S.selected], d.k, x, y, d.start); d.moved = true;
          }
          draw();
        });
        window.addEventListener("mouseup", () => {
          const d = S.drag; S.drag = null;
          if (!d) return;
          if (d.mode === "draw") finishDraft();
          else if (d.moved) { round(S.regions[S.selected]); changed(); }
        });
        canvas.addEventListener("dblclick", () => {
          if (S.tool === "polygon" && S.draft) {
            // The double click added its point twice: drop the repeat.
            const p = S.draft.points;
            while (p.length > 1 && Math.hypot(p[p.length - 1][0] - p[p.length - 2][0], p[p.length - 1][1] - p[p.length - 2][1]) < 1e-6) p.pop();
            if (p.length >= 3) finishDraft(); else status("a polygon needs three corners", true);
          }
        });
        window.addEventListener("keydown", event => {
          if (event.target.tagName === "INPUT" && event.target.type === "text") return;
          const key = event.key;
          if ((key === "Delete" || key === "Backspace") && S.selected >= 0) { remove(S.selected); event.preventDefault(); }
          else if (key === "Enter" && S.tool === "polygon" && S.draft && S.draft.points.length >= 3) finishDraft();
          else if (key === "Escape") { S.draft = null; setTool("select"); }
          else if (key === " ") { togglePlay(); event.preventDefault(); }
          else if (key === "ArrowRight") showFrame(Math.min(S.clip.frames - 1, S.frame + 1));
          else if (key === "ArrowLeft") showFrame(Math.max(0, S.frame - 1));
          else if (key === "v") setTool("select");
          else if (key === "r") setTool("rectangle");
          else if (key === "e") setTool("ellipse");
          else if (key === "p") setTool("polygon");
        });
        function togglePlay() {
          if (S.playing) { clearInterval(S.playing); S.playing = null; $("play").textContent = "Play"; return; }
          const t = S.clip.times_s, step = t.length > 1 && t[1] !== null && t[0] !== null ? (t[t.length - 1] - t[0]) / (t.length - 1) : 0.1;
          S.playing = setInterval(() => { if (!loading) showFrame((S.frame + 1) % S.clip.frames); }, Math.max(40, step * 1000));
          $("play").textContent = "Pause";
        }

        async function start() {
          try {
            S.clip = await getJSON("/api/clip");
            const roi = await getJSON("/api/roi");
            S.regions = roi.rois || []; S.reference = roi.reference || null;
            S.referenceFrame = roi.referenceFrame === undefined ? null : roi.referenceFrame;
          } catch (e) { status(e.message, true); return; }
          $("clipname").textContent = S.clip.clip + " · " + S.clip.frames + " frames · " + S.clip.width + "×" + S.clip.height +
            " px · saves to " + S.clip.roiFile;
          // As large as fits beside the curves (about 600 px), up to 12 screen pixels per clip pixel.
          const room = Math.max(320, Math.min(900, window.innerWidth - 640));
          S.scale = Math.max(0.25, Math.min(12, room / S.clip.width, 700 / S.clip.height));
          if (S.scale >= 1) S.scale = Math.floor(S.scale);  // whole screen pixels per clip pixel: crisp, exact
          canvas.width = Math.round(S.clip.width * S.scale); canvas.height = Math.round(S.clip.height * S.scale);
          $("slider").max = S.clip.frames - 1;
          $("slider").addEventListener("input", () => showFrame(parseInt($("slider").value, 10)));
          $("play").addEventListener("click", togglePlay);
          $("fit").addEventListener("click", requestFit);
          $("save").addEventListener("click", save);
          document.querySelectorAll("#toolbar [data-tool]").forEach(b => b.addEventListener("click", () => setTool(b.dataset.tool)));
          setTool("select"); renderRegions(); showFrame(0);
          if (S.regions.length) requestCurves(performance.now()); else drawChart();
          document.body.dataset.ready = "1";
        }
        start();
        </script>
        </body>
        </html>
        """#
}
