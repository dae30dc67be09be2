// The `slipway expr --batch` protocol (DESIGN.md) evaluated by GitHub's own evaluator, npm
// @actions/expressions: reads JSON lines {"expr", "context"} on stdin and writes one line per
// line with an expr, {"result": <json>} or {"error": "<message>"}; a line with a context and no
// expr sets the context for the following lines that carry none. NaN/Infinity are written as
// null. Status functions and hashFiles are workflow-layer functions the package lacks; they are
// supplied here as on a run where everything succeeded (success/always true, failure/cancelled
// false, hashFiles ""), so corpus expressions that use them evaluate instead of erroring.
// Used by bench/compare-expr.sh; not part of the CI tests.
import fs from "node:fs";
import { Lexer, Parser, Evaluator, data } from "@actions/expressions";

const kContextNames = ["github", "env", "inputs", "vars", "secrets", "needs", "steps", "matrix", "job",
  "runner", "strategy"];
const extensions = [
  { name: "success", minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(true) },
  { name: "always", minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(true) },
  { name: "failure", minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(false) },
  { name: "cancelled", minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(false) },
  { name: "hashFiles", minArgs: 1, maxArgs: 255, call: () => new data.StringData("") },
];
const functions = new Map(extensions.map((f) => [f.name.toLowerCase(), f]));

function toData(object) {
  return JSON.parse(JSON.stringify(object ?? {}), data.reviver);
}

let shared = { dict: toData({}), names: kContextNames };
const out = [];
const text = fs.readFileSync(0, "utf8");
for (const line of text.split("\n")) {
  if (line.trim() === "") continue;
  let request;
  try {
    request = JSON.parse(line);
  } catch (e) {
    out.push(JSON.stringify({ error: `invalid JSON line: ${e.message}` }));
    continue;
  }
  let context = shared;
  if (request.context !== undefined) {
    context = { dict: toData(request.context), names: [...new Set([...kContextNames, ...Object.keys(request.context)])] };
    if (request.expr === undefined) {
      shared = context;
      continue;
    }
  }
  try {
    const tokens = new Lexer(String(request.expr)).lex().tokens;
    const ast = new Parser(tokens, context.names, extensions).parse();
    const value = new Evaluator(ast, context.dict, functions).evaluate();
    out.push(`{"result":${JSON.stringify(value, data.replacer) ?? "null"}}`);
  } catch (e) {
    out.push(JSON.stringify({ error: String(e && e.message !== undefined ? e.message : e) }));
  }
}
fs.writeFileSync(1, out.length > 0 ? out.join("\n") + "\n" : "");
