// Reference for `slipway expr --batch`: the same JSON-lines protocol, evaluated by GitHub's
// TypeScript evaluator (@actions/expressions, installed in bench/node). Used by
// bench/expr_batch_compare.sh (speed ratio) and for differential checks; not run by CI tests.
//   node bench/expr_reference.mjs < cases.jsonl > results.jsonl
import * as readline from "readline";

const base = new URL("./node/node_modules/@actions/expressions/dist/", import.meta.url).pathname;
const {Lexer, Parser, Evaluator, data} = await import(base + "index.js");
const {reviver} = await import(base + "data/reviver.js");
const {replacer} = await import(base + "data/replacer.js");

// Only the evaluator's built-in functions, as `slipway expr` offers (status functions and
// hashFiles belong to a workflow).
const extensions = [];
const functions = new Map();
const standard = ["github", "env", "inputs", "vars", "secrets", "needs", "steps", "matrix", "job",
                  "runner", "strategy"];

let shared = new data.Dictionary();
let sharedNames = standard;
const out = [];

function toContext(obj) {
  return JSON.parse(JSON.stringify(obj), reviver);
}

function evaluate(expr, context, names) {
  try {
    const tokens = new Lexer(expr).lex().tokens;
    const ast = new Parser(tokens, names, extensions).parse();
    if (ast === undefined) return '{"result":null}';
    const result = new Evaluator(ast, context, functions).evaluate();
    const text = JSON.stringify(result, replacer);
    return '{"result":' + (text === undefined ? "null" : text) + "}";
  } catch (e) {
    const pos = e.pos !== undefined ? `. Located at position ${e.pos.column + 1} within expression: ${expr}` : "";
    return JSON.stringify({error: `${e.message}${pos}`});
  }
}

const rl = readline.createInterface({input: process.stdin, crlfDelay: Infinity});
for await (const line of rl) {
  if (line.trim() === "") continue;
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    out.push('{"error":"invalid input line: expected a JSON object"}');
    continue;
  }
  if (msg.context !== undefined && msg.expr === undefined) {
    shared = toContext(msg.context);
    sharedNames = standard.concat(Object.keys(msg.context));
    continue;
  }
  if (msg.context !== undefined) {
    out.push(evaluate(msg.expr, toContext(msg.context), standard.concat(Object.keys(msg.context))));
  } else {
    out.push(evaluate(msg.expr, shared, sharedNames));
  }
  if (out.length >= 4096) {
    process.stdout.write(out.join("\n") + "\n");
    out.length = 0;
  }
}
if (out.length) process.stdout.write(out.join("\n") + "\n");
