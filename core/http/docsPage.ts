/**
 * A browsable page for /openapi.json that needs nothing from the internet: operations
 * grouped by tag, each expandable to its parameters, body and responses.
 */
export const docsPageHtml = (specUrl: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Anansky API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:1rem 2rem;color:#1d2330}
h1{margin-bottom:0}h2{border-bottom:1px solid #dde;padding-bottom:.2rem;margin-top:2rem}
details{border:1px solid #dde;border-radius:6px;margin:.4rem 0;padding:.3rem .7rem}
summary{cursor:pointer}.m{display:inline-block;min-width:4.5rem;font-weight:700;text-transform:uppercase}
.get{color:#1565c0}.post{color:#2e7d32}.patch,.put{color:#ef6c00}.delete{color:#c62828}
pre{background:#f5f6fa;padding:.6rem;overflow:auto;border-radius:4px;font-size:13px}
code{font-size:13px}.cred{color:#666;font-size:13px}
</style></head><body>
<h1>Anansky API</h1><p>The machine-readable document: <a href="${specUrl}">${specUrl}</a> (OpenAPI 3.1).</p>
<main id="ops">Loading…</main>
<script>
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[c]));
fetch(${JSON.stringify(specUrl)}).then((r) => r.json()).then((spec) => {
  const groups = {};
  for (const [path, item] of Object.entries(spec.paths)) for (const [method, op] of Object.entries(item)) {
    for (const tag of op.tags ?? ["other"]) (groups[tag] ??= []).push({ path, method, op });
  }
  document.getElementById("ops").innerHTML = Object.entries(groups).map(([tag, ops]) => "<h2>" + esc(tag) + "</h2>" +
    ops.map(({ path, method, op }) => "<details><summary><span class='m " + method + "'>" + method + "</span> <code>" + esc(path) +
      "</code> " + esc(op.summary) + " <span class='cred'>" + esc((op.security ?? []).map((s) => Object.keys(s)[0]).join(" | ")) + "</span></summary>" +
      (op.description ? "<p>" + esc(op.description) + "</p>" : "") +
      (op.parameters ? "<h4>Parameters</h4><pre>" + esc(JSON.stringify(op.parameters, null, 2)) + "</pre>" : "") +
      (op.requestBody ? "<h4>Body</h4><pre>" + esc(JSON.stringify(op.requestBody.content, null, 2)) + "</pre>" : "") +
      "<h4>Responses</h4><pre>" + esc(JSON.stringify(op.responses, null, 2)) + "</pre></details>").join("")).join("");
}).catch((e) => { document.getElementById("ops").textContent = "could not load the spec: " + e; });
</script></body></html>`;
