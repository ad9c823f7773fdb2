// Check Mermaid diagrams with Mermaid's own parser and renderer (under jsdom).
// stdin: a JSON list of diagram texts. stdout: a JSON list of {ok, type, error, text}, where text is the
// rendered SVG's visible text (one line per <text> element). Exit 1, naming each failure on stderr, when any
// diagram fails to parse or render.
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
for (const name of Object.getOwnPropertyNames(dom.window)) {
  if (!(name in globalThis)) {
    try {
      globalThis[name] = dom.window[name];
    } catch {
      // a read-only global of Node's own; Node's version serves
    }
  }
}
globalThis.window = dom.window;
globalThis.document = dom.window.document;
// jsdom does no layout: measure text as if every character were 7 pixels wide.
const box = function () {
  const length = (this.textContent ?? "").length || 1;
  return { x: 0, y: 0, width: 7 * length, height: 14 };
};
dom.window.SVGElement.prototype.getBBox = box;
dom.window.SVGElement.prototype.getComputedTextLength = function () {
  return box.call(this).width;
};

const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const diagrams = JSON.parse(Buffer.concat(chunks).toString("utf8"));

function visibleText(svg) {
  const holder = document.createElement("div");
  holder.innerHTML = svg;
  return [...holder.querySelectorAll("text")].map((t) => t.textContent).join("\n");
}

const results = [];
for (const [index, text] of diagrams.entries()) {
  try {
    const parsed = await mermaid.parse(text);
    const { svg } = await mermaid.render(`diagram${index}`, text);
    results.push({ ok: true, type: parsed.diagramType, error: null, text: visibleText(svg) });
  } catch (error) {
    const message = String(error?.message ?? error);
    results.push({ ok: false, type: null, error: message, text: null });
    process.stderr.write(`diagram ${index} fails: ${message}\n`);
  }
}
process.stdout.write(JSON.stringify(results));
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
