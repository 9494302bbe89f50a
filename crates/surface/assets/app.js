// vigie dashboard script: the network view (a small force layout on a canvas) and the analyst's
// status and notes. Written for this project; no library, no network beyond this server.
// Text from the data is only ever set through textContent, never as HTML.
"use strict";

const COLOURS = { alert: "#888", account: "#0072B2", domain: "#E69F00", item: "#009E73" };

function layoutGraph(g, w, h) {
  const n = g.nodes.length;
  const index = new Map(g.nodes.map((v, i) => [v.id, i]));
  // Deterministic start: nodes on a spiral, so the same graph always looks the same.
  const pos = g.nodes.map((_, i) => {
    const a = i * 2.39996, r = 12 * Math.sqrt(i + 1);
    return { x: w / 2 + r * Math.cos(a), y: h / 2 + r * Math.sin(a), dx: 0, dy: 0 };
  });
  const edges = g.edges.map(e => [index.get(e.source), index.get(e.target)]).filter(e => e[0] !== undefined && e[1] !== undefined);
  const k = Math.sqrt((w * h) / Math.max(n, 1)) * 0.5;
  let t = w / 10;
  for (let it = 0; it < 200; it++) {
    for (const p of pos) { p.dx = 0; p.dy = 0; }
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
      const dx = pos[i].x - pos[j].x, dy = pos[i].y - pos[j].y;
      const d2 = Math.max(dx * dx + dy * dy, 0.01), f = (k * k) / d2;
      pos[i].dx += dx * f; pos[i].dy += dy * f; pos[j].dx -= dx * f; pos[j].dy -= dy * f;
    }
    for (const [a, b] of edges) {
      const dx = pos[a].x - pos[b].x, dy = pos[a].y - pos[b].y;
      const d = Math.max(Math.sqrt(dx * dx + dy * dy), 0.01), f = d / k;
      pos[a].dx -= dx * f; pos[a].dy -= dy * f; pos[b].dx += dx * f; pos[b].dy += dy * f;
    }
    // Gravity towards the centre keeps separate components on the canvas.
    for (const p of pos) { p.dx -= (p.x - w / 2) * 0.6; p.dy -= (p.y - h / 2) * 0.6; }
    for (const p of pos) {
      const d = Math.max(Math.sqrt(p.dx * p.dx + p.dy * p.dy), 0.01), s = Math.min(d, t) / d;
      p.x = Math.min(w - 8, Math.max(8, p.x + p.dx * s));
      p.y = Math.min(h - 8, Math.max(8, p.y + p.dy * s));
    }
    t *= 0.97;
  }
  return { pos, edges };
}

function drawGraph(canvas, info, g) {
  const ctx = canvas.getContext("2d");
  const { pos, edges } = layoutGraph(g, canvas.width, canvas.height);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.strokeStyle = "rgba(80,80,80,0.25)";
  for (const [a, b] of edges) { ctx.beginPath(); ctx.moveTo(pos[a].x, pos[a].y); ctx.lineTo(pos[b].x, pos[b].y); ctx.stroke(); }
  g.nodes.forEach((v, i) => {
    ctx.fillStyle = COLOURS[v.kind] || "#CC79A7";
    ctx.beginPath(); ctx.arc(pos[i].x, pos[i].y, v.kind === "alert" ? 6 : 4, 0, 2 * Math.PI); ctx.fill();
  });
  info.textContent = g.nodes.length + " nodes, " + g.edges.length + " edges — click a node for its name";
  canvas.dataset.nodes = String(g.nodes.length);
  canvas.dataset.edges = String(g.edges.length);
  canvas.addEventListener("click", ev => {
    const r = canvas.getBoundingClientRect();
    const x = (ev.clientX - r.left) * canvas.width / r.width, y = (ev.clientY - r.top) * canvas.height / r.height;
    let best = -1, bd = 100;
    pos.forEach((p, i) => { const d = (p.x - x) ** 2 + (p.y - y) ** 2; if (d < bd) { bd = d; best = i; } });
    if (best >= 0) info.textContent = g.nodes[best].kind + ": " + g.nodes[best].label;
  });
}

for (const canvas of document.querySelectorAll("canvas[data-graph]")) {
  const info = canvas.parentElement.querySelector(".graph-info");
  fetch(canvas.dataset.graph, { credentials: "same-origin" })
    .then(r => r.ok ? r.json() : Promise.reject(r.status))
    .then(g => drawGraph(canvas, info, g))
    .catch(e => { info.textContent = "graph unavailable (" + e + ")"; });
}

const analyst = document.querySelector("section.analyst");
if (analyst) {
  const id = analyst.dataset.incident;
  const post = (what, body) => fetch("/api/incidents/" + encodeURIComponent(id) + "/" + what, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  }).then(r => r.ok ? r.json() : r.json().then(e => Promise.reject(e.error)));
  document.getElementById("status-save").addEventListener("click", () => {
    const status = document.getElementById("status-select").value;
    post("status", { status })
      .then(r => { document.getElementById("status-current").textContent = r.status; })
      .catch(e => { document.getElementById("status-current").textContent = "error: " + e; });
  });
  document.getElementById("note-save").addEventListener("click", () => {
    const box = document.getElementById("note-text");
    post("notes", { text: box.value }).then(n => {
      const li = document.createElement("li");
      li.textContent = n.text;
      document.getElementById("notes").appendChild(li);
      box.value = "";
    }).catch(e => alert(e));
  });
}
