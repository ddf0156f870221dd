"""``/docs``: the API reference rendered from /openapi.json by a few lines of our own script, because
FastAPI's Swagger page loads its code from a CDN and the assistant must work offline."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Article assistant API</title>
<style>
body { font: 15px/1.6 system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; color: #1f2328; }
details { border: 1px solid #d0d7de; border-radius: 6px; margin: .4em 0; padding: .3em .8em; }
summary { cursor: pointer; } .m { font-weight: 700; display: inline-block; width: 4.5em; }
pre { background: #f6f8fa; padding: .6em; overflow-x: auto; font-size: 13px; } .muted { color: #656d76; }
</style></head><body>
<h1 id="title">API</h1><p class="muted">Schema: <a href="/openapi.json">/openapi.json</a></p>
<div id="intro"></div><div id="paths"></div>
<script>
const el = (tag, text) => { const e = document.createElement(tag); if (text) e.textContent = text; return e; };
const ref = r => r && r.$ref ? r.$ref.split("/").pop() : "";
fetch("/openapi.json").then(r => r.json()).then(api => {
  document.getElementById("title").textContent = api.info.title + " " + api.info.version;
  document.getElementById("intro").append(el("pre", api.info.description || ""));
  const root = document.getElementById("paths");
  for (const [path, ops] of Object.entries(api.paths)) for (const [method, op] of Object.entries(ops)) {
    const d = el("details"), s = el("summary");
    s.append(el("span", method.toUpperCase()), " " + path + "  ", el("span", op.summary || ""));
    s.firstChild.className = "m"; s.lastChild.className = "muted"; d.append(s);
    if (op.description) d.append(el("p", op.description));
    const params = (op.parameters || []).map(p => `${p.name} (${p.in}${p.required ? ", required" : ""})`);
    if (params.length) d.append(el("p", "Parameters: " + params.join(", ")));
    const body = op.requestBody && Object.entries(op.requestBody.content)[0];
    if (body) d.append(el("p", `Body (${body[0]}): ` + (ref(body[1].schema) || "see schema")));
    const ok = Object.entries(op.responses || {}).map(([code, r]) =>
      code + " " + (ref(((r.content || {})["application/json"] || {}).schema) || r.description || ""));
    d.append(el("p", "Responses: " + ok.join(" · ")));
    root.append(d);
  }
  const schemas = el("details"); schemas.append(el("summary", "Schemas"));
  schemas.append(el("pre", JSON.stringify(api.components.schemas, null, 2))); root.append(schemas);
});
</script></body></html>"""


def router() -> APIRouter:
    docs = APIRouter(include_in_schema=False)

    @docs.get("/docs", response_class=HTMLResponse)
    def page() -> str:
        return PAGE

    return docs
