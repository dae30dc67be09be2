#!/usr/bin/env node
// Generates golden expression cases with GitHub's own evaluator.
//
// Reference: npm @actions/expressions 0.3.61 (actions/languageservices), installed by
// `npm ci` in bench/node/ (see bench/node/package.json). Only GitHub's evaluator computes the
// results here; nothing is hand-written.
//
// Usage:  node scripts/gen-expr-cases.js [OUT_DIR]     (default tests/golden/expr/generated)
//
// Writes one JSON-lines file per topic, each line
//   {"expr": "...", "context": {...}, "result": <json>}     or
//   {"expr": "...", "context": {...}, "error": "<message of GitHub's evaluator>"}
// Results are converted to JSON with the package's own `data.replacer`; NaN and +/-Infinity
// results are written as null (JSON has no such numbers). The context names known to the parser
// are the keys of the case's context plus the standard workflow contexts (github, env, inputs,
// vars, secrets, needs, steps, matrix, job, runner, strategy), so a name outside them is an
// "Unrecognized named-value" error. Only the evaluator's built-in functions exist (no status
// functions or hashFiles: those belong to the workflow layer). Cases are generated
// systematically plus randomly with a fixed seed, so re-running the script reproduces the files
// byte for byte. Expressions on which the library itself crashes with a JavaScript TypeError
// (the empty expression) are left out. Known quirk kept as generated: the TypeScript lexer
// un-doubles only the first '' of a string literal ('a''b''c' gives a'b''c).
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const repoRoot = path.resolve(__dirname, "..");
const packageDir = path.join(repoRoot, "bench", "node", "node_modules", "@actions", "expressions");
const outDir = path.resolve(process.argv[2] || path.join(repoRoot, "tests", "golden", "expr", "generated"));

const kContextNames = ["github", "env", "inputs", "vars", "secrets", "needs", "steps", "matrix",
  "job", "runner", "strategy"];

// The one context used by the cases that read contexts. Keys in mixed case on purpose
// (property access is case-insensitive).
const kContext = {
  github: {
    event_name: "push",
    ref: "refs/heads/main",
    ref_name: "main",
    sha: "0123456789abcdef0123456789abcdef01234567",
    repository: "octo-org/Hello-World",
    actor: "monalisa",
    run_id: "1234567890",
    run_number: 42,
    workflow: "CI",
    event: {
      ref: "refs/heads/main",
      forced: false,
      commits: [
        { id: "c1", message: "Fix bug", author: { name: "Mona", email: "mona@example.com" }, added: ["a.txt"] },
        { id: "c2", message: "Add feature [skip ci]", author: { name: "Hubot", email: "hubot@example.com" }, added: [] },
        { id: "c3", message: "Docs", author: { name: "Mona", email: "mona@example.com" }, added: ["b.md", "c.md"] },
      ],
      head_commit: { id: "c3", message: "Docs", timestamp: "2024-01-01T00:00:00Z" },
      pull_request: null,
      labels: [{ name: "bug" }, { name: "Deploy" }],
      inputs: { environment: "production", dry_run: "false" },
    },
  },
  env: { CI: "true", Mixed_Case: "Value", EMPTY: "", NUMBER: "42", ZERO: "0", FLOAT: "1.5", HEX: "0x1F" },
  inputs: { environment: "production", dry_run: false, retries: 3, reason: "Fix critical bug", components: "all" },
  vars: { REGION: "us-east-1", FEATURE_FLAGS: "[\"a\",\"b\"]" },
  secrets: { TOKEN: "s3cr3t" },
  needs: {
    build: { result: "success", outputs: { version: "1.2.3", matrix: "{\"os\":[\"linux\",\"mac\"]}", empty: "" } },
    test: { result: "failure", outputs: {} },
  },
  steps: {
    checkout: { outcome: "success", conclusion: "success", outputs: {} },
    deploy: { outcome: "failure", conclusion: "success", outputs: { url: "https://example.com", count: "7" } },
  },
  matrix: { os: "ubuntu-latest", node: 20, include_extra: true },
  job: { status: "success", container: { id: "abc", network: "net" }, services: {} },
  runner: { os: "Linux", arch: "X64", temp: "/tmp" },
  strategy: { "fail-fast": true, "job-index": 0, "job-total": 4, "max-parallel": 4 },
};

// A smaller context for the random cases (every line carries its context, so keep it short).
const kCompactContext = {
  github: {
    event_name: "push", ref: "refs/heads/main", ref_name: "main", run_number: 42,
    event: { forced: false, commits: [{ id: "c1", message: "Fix bug" }, { id: "c2", message: "Docs" }],
      labels: [{ name: "bug" }, { name: "Deploy" }], pull_request: null },
  },
  env: { CI: "true", NUMBER: "42", EMPTY: "" },
  inputs: { environment: "production", dry_run: false, retries: 3 },
  vars: { REGION: "us-east-1" },
  needs: { build: { result: "success", outputs: { version: "1.2.3" } }, test: { result: "failure", outputs: {} } },
  steps: { deploy: { outcome: "failure", outputs: { count: "7" } } },
  matrix: { os: "ubuntu-latest", node: 20 },
  job: { status: "success" },
  runner: { os: "Linux" },
  strategy: { "job-total": 4 },
};
// For the contains/startsWith/endsWith type grid: only an array built by a filter.
const kCommitsContext = { github: { event: { commits: [{ message: "Fix bug" }, { message: "Docs" }] } } };

// Deterministic PRNG (mulberry32).
function makeRandom(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

async function main() {
  if (!fs.existsSync(packageDir)) {
    console.error(`gen-expr-cases: ${packageDir} is missing; run "npm ci" in bench/node first`);
    process.exit(2);
  }
  const lib = await import(path.join(packageDir, "dist", "index.js"));
  const { Lexer, Parser, Evaluator, data } = lib;
  const version = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")).version;

  function evaluate(expr, context) {
    const names = [...new Set([...kContextNames, ...Object.keys(context)])];
    try {
      const tokens = new Lexer(expr).lex().tokens;
      const ast = new Parser(tokens, names, []).parse();
      const dict = JSON.parse(JSON.stringify(context), data.reviver);
      const value = new Evaluator(ast, dict).evaluate();
      // JSON.stringify writes NaN and +/-Infinity as null.
      return { result: JSON.parse(JSON.stringify(value, data.replacer) ?? "null") };
    } catch (e) {
      // A JavaScript TypeError is a crash inside the library (e.g. on an empty expression),
      // not an answer about the expression: such cases are left out.
      if (e instanceof TypeError) return undefined;
      return { error: String(e && e.message !== undefined ? e.message : e) };
    }
  }

  const topics = new Map();
  let crashes = 0;
  function add(topic, expr, context) {
    if (!topics.has(topic)) topics.set(topic, { lines: [], seen: new Set() });
    const t = topics.get(topic);
    if (t.seen.has(expr)) return;
    t.seen.add(expr);
    const ctx = context || {};
    const outcome = evaluate(expr, ctx);
    if (outcome === undefined) {
      crashes++;
      return;
    }
    t.lines.push(JSON.stringify({ expr, context: ctx, ...outcome }));
  }

  // ---------------------------------------------------------------- literals
  const numberLiterals = ["0", "1", "-1", "+1", "1.5", "-1.5", ".5", "5.", "0.0", "-0", "00", "007",
    "1e3", "1E3", "1e+3", "1e-3", "-1e3", "1.5e2", "2.5E-1", "1e308", "1e309", "-1e309", "5e-324", "1e-400",
    "0x0", "0x1F", "0xff", "0XFF", "0x7FFFFFFF", "0xFFFFFFFFFFFF", "-0x10", "0o17", "0b101", "1_000",
    "123456789012345678901234567890", "9007199254740993", "0.1", "0.30000000000000004",
    "3.14159265358979323846", "NaN", "Infinity", "-Infinity", "-NaN", "1.2.3", "1e", "0x", "0xG",
    "1a", "nan", "infinity", "INFINITY"];
  const otherLiterals = ["true", "false", "null", "TRUE", "False", "NULL", "Null",
    "''", "'a'", "'abc'", "'it''s'", "'a''b''c'", "''''", "'   '", "' padded '", "'ünïcödé'", "'日本語'",
    "'emoji 🚀'", "'line\\nbreak'", "'tab\\t'", "'\"double\"'", "'{0}'", "'${{ x }}'", "'unterminated",
    "\"double\"", "'a' 'b'", "'0'", "'1'", "'-1'", "' 1 '", "'1e3'", "'0x10'", "'0o10'", "'0b10'", "'.5'",
    "'1.'", "'NaN'", "'Infinity'", "'-Infinity'", "'true'", "'false'", "'null'", "'abc1'"];
  for (const lit of [...numberLiterals, ...otherLiterals]) {
    add("literals", lit);
    add("literals", `format('{0}', ${lit})`);
    add("literals", `toJSON(${lit})`);
    add("literals", `${lit} == ${lit}`);
    add("literals", `!${lit}`);
    add("literals", `(${lit})`);
  }
  for (const s of ["", "1", "-1", "1.5", " 12 ", "\t3\n", "1e2", "0x1A", "0o17", "0b11", "+5", "1,000",
    "1_0", "abc", "Infinity", "-Infinity", "NaN", "0.0000001", "1e21", "123456789012345678901"]) {
    const lit = `'${s.replace(/'/g, "''")}'`;
    add("literals", `${lit} == 0`);
    add("literals", `${lit} == ${lit}`);
    add("literals", `${lit} < 2`);
    add("literals", `fromJSON(${lit})`);
  }
  for (const n of ["0.1", "1e21", "1e-7", "123456789", "1.5e300", "-0.0", "100", "1e20", "2e-6",
    "0.000001", "1234567.891", "9007199254740992", "4.35", "0.1e1"]) {
    add("literals", `format('{0}', ${n})`);
    add("literals", `toJSON(${n})`);
    add("literals", `${n} == '${n}'`);
  }

  // ---------------------------------------------------------------- operators over every type pair
  const operands = ["null", "true", "false", "0", "1", "-1", "1.5", "NaN", "Infinity", "''", "'a'", "'A'",
    "'1'", "' 1 '", "'0x10'", "'true'", "fromJSON('[]')", "fromJSON('{}')", "github"];
  const binaryOps = ["==", "!=", "<", "<=", ">", ">=", "&&", "||"];
  const opContext = { github: { ref: "refs/heads/main" } };
  for (const a of operands) {
    add("unary", `!${a}`, opContext);
    add("unary", `!!${a}`, opContext);
    for (const b of operands) {
      for (const op of binaryOps) add(`operators_${binaryOps.indexOf(op) < 2 ? "equality" : binaryOps.indexOf(op) < 6 ? "comparison" : "logical"}`, `${a} ${op} ${b}`, opContext);
    }
  }
  // precedence, associativity, grouping
  for (const e of ["1 == 1 && 2 == 2", "1 == 1 || 0 == 1 && false", "!true == false", "!(true == false)",
    "1 < 2 == true", "1 < 2 < 3", "3 > 2 > 1", "'a' == 'A' == true", "false || 'x'", "'' || 'default'",
    "0 || null || 'last'", "null && 'x'", "'a' && 'b'", "true && 0", "1 != 2 != true", "(1)", "((((1))))",
    "!!!false", "! true", "!\ttrue", "  1  ==  1  ", "1==1", "1<=1", "1>=1", "1!=1", "a == 1", "1 = 1",
    "1 === 1", "1 !== 1", "1 & 1", "1 | 1", "1 <> 1", "!", "1 ==", "== 1", "&& true", "true ||",
    "(1", "1)", "()", "(1,2)"]) {
    add("operators_logical", e, opContext);
  }

  // ---------------------------------------------------------------- property access and filters
  const ctx = kContext;
  const accesses = ["github", "github.ref", "GITHUB.REF", "github.Ref_Name", "github['ref']", "github['REF']",
    "github[\"ref\"]", "github.event.commits[0].message", "github.event.commits[1].author.name",
    "github.event.commits[3]", "github.event.commits[-1]", "github.event.commits[1.5]", "github.event.commits[1.9]",
    "github.event.commits['0']", "github.event.commits['1']", "github.event.commits[true]", "github.event.commits[null]",
    "github.event.commits[NaN]", "github.event.commits[Infinity]", "github.event.commits['x']",
    "github.event.commits.*.message", "github.event.commits.*.author.name", "github.event.commits.*.added",
    "github.event.commits.*.added.*", "github.event.commits.*.nope", "github.event.commits.*",
    "github.event.commits[*].id", "github.event.labels.*.name", "github.event.*", "github.event.head_commit.*",
    "github.*.ref", "github.event.pull_request", "github.event.pull_request.number", "github.event.pull_request.*",
    "github.event.nope.deeper", "github.run_number", "github.run_number.x", "github.ref.length",
    "github.ref[0]", "github['event']['inputs']['environment']", "github.event.inputs.ENVIRONMENT",
    "env", "env.CI", "env.ci", "env.mixed_case", "env.MIXED_CASE", "env.EMPTY", "env.NUMBER", "env.missing",
    "env['Mixed_Case']", "inputs.environment", "inputs.dry_run", "inputs.retries", "inputs.missing",
    "vars.REGION", "vars.region", "secrets.TOKEN", "secrets.token", "needs.build.outputs.version",
    "needs.build.result", "needs.*.result", "needs.*.outputs.version", "needs.test.outputs.version",
    "needs.BUILD.OUTPUTS.VERSION", "steps.deploy.outputs.url", "steps.deploy.outcome", "steps.*.outcome",
    "steps.checkout.outputs.missing", "matrix.os", "matrix.node", "matrix.*", "job.status", "job.container.id",
    "runner.os", "runner.OS", "strategy.fail-fast", "strategy['job-index']", "strategy.job-total",
    "github.event.commits[0]['author']['email']", "(github.event).commits[0].id", "github.event.commits.0",
    "github.0", "github.", "github..ref", "github[]", "github[0]", "github['']", "github.event['commits'][*]",
    "github.event.commits.*[0]", "github.event.commits.*.added[0]", "github.event.labels[1].name",
    "fromJSON('[1,[2,3]]')[1][0]", "fromJSON('{\"a\":{\"b\":[10,20]}}').a.b[1]", "fromJSON('{\"A\":1}').a",
    "fromJSON('[{\"a\":1},{\"a\":2},{\"b\":3}]').*.a", "fromJSON('[[1,2],[3]]').*[0]", "toJSON(github.event.commits.*.id)",
    "unknown", "unknown.prop", "Github.ref", "env.CI == 'true'", "vars.FEATURE_FLAGS", "fromJSON(vars.FEATURE_FLAGS)[1]",
    "fromJSON(needs.build.outputs.matrix).os", "fromJSON(needs.build.outputs.matrix).os[0]",
    "contains(github.event.commits.*.message, 'Docs')", "contains(github.event.labels.*.name, 'deploy')",
    "join(github.event.commits.*.id, ',')", "join(github.event.commits.*.added.*)", "github.event.commits.*.added.*[1]"];
  for (const e of accesses) add("property_access", e, ctx);

  // ---------------------------------------------------------------- functions
  const fnArgs = ["null", "true", "false", "0", "1", "1.5", "NaN", "''", "'a'", "'ABC'", "'1'", "'true'",
    "'null'", "fromJSON('[\"a\",\"B\",1,true,null]')", "fromJSON('[1.0,\"1\"]')", "fromJSON('{\"a\":1}')",
    "github.event.commits.*.message"];
  for (const f of ["contains", "startsWith", "endsWith"]) {
    for (const a of fnArgs) for (const b of fnArgs) add(`functions_${f.toLowerCase()}`, `${f}(${a}, ${b})`, kCommitsContext);
    for (const v of [`${f}('Hello', 'he')`, `${f}('Hello', 'LO')`, `${f}('Hello', 'ELL')`, `${f}('', '')`,
      `${f}('abc', '')`, `${f}('ß', 'SS')`, `${f}('İ', 'i')`, `${f}('Ω', 'ω')`, `${f.toUpperCase()}('abc', 'a')`,
      `${f.toLowerCase()}('abc', 'c')`, `${f}('abc')`, `${f}('a', 'b', 'c')`, `${f}()`, `${f}(1234, 12)`,
      `${f}(1234, 34)`, `${f}(12.5, '.5')`, `${f}(true, 'ru')`, `${f}(null, '')`]) {
      add(`functions_${f.toLowerCase()}`, v, kCommitsContext);
    }
  }
  for (const v of ["join(fromJSON('[\"a\",\"b\",\"c\"]'))", "join(fromJSON('[\"a\",\"b\",\"c\"]'), '-')",
    "join(fromJSON('[\"a\",\"b\",\"c\"]'), '')", "join(fromJSON('[]'), ',')", "join(fromJSON('[1,true,null,1.5]'), ',')",
    "join(fromJSON('[[1,2],{\"a\":1}]'), ',')", "join('abc', ',')", "join(1, ',')", "join(null, ',')", "join(true)",
    "join(fromJSON('[\"a\",\"b\"]'), 1)", "join(fromJSON('[\"a\",\"b\"]'), null)", "join(fromJSON('[\"a\",\"b\"]'), true)",
    "join(fromJSON('[\"a\",\"b\"]'), fromJSON('[1]'))", "join(github.event.commits.*.author.name, ' & ')",
    "join()", "join(fromJSON('[\"a\"]'), ',', 'x')", "JOIN(fromJSON('[\"x\",\"y\"]'))",
    "join(fromJSON('{\"a\":1}'), ',')", "join(fromJSON('[NaN]'), ',')"]) {
    add("functions_join", v, kCompactContext);
  }
  for (const v of ["format('{0}', 'a')", "format('{0} {1}', 'a', 'b')", "format('{1} {0}', 'a', 'b')",
    "format('{0}{0}{0}', 'x')", "format('{{0}}', 'a')", "format('{{ {0} }}', 'a')", "format('}}{{', 'a')",
    "format('{0', 'a')", "format('0}', 'a')", "format('{', 'a')", "format('}', 'a')", "format('{{', 'a')",
    "format('}}')", "format('{1}', 'a')", "format('{-1}', 'a')", "format('{a}', 'a')", "format('{ 0}', 'a')",
    "format('{0 }', 'a')", "format('{00}', 'a')", "format('{01}', 'a', 'b')", "format('{0:x}', 'a')",
    "format('{10}', 0,1,2,3,4,5,6,7,8,9,10)", "format('plain')", "format('')", "format('{0}')", "format()",
    "format(1)", "format(null)", "format(true, 'a')", "format('{0}', null)", "format('{0}', true)",
    "format('{0}', false)", "format('{0}', 1.0)", "format('{0}', -1.25)", "format('{0}', 1e21)",
    "format('{0}', 1e-7)", "format('{0}', 0.1)", "format('{0}', NaN)", "format('{0}', Infinity)",
    "format('{0}', -Infinity)", "format('{0}', fromJSON('[1]'))", "format('{0}', fromJSON('{}'))",
    "format('{0}', github)", "format('{0}-{1}', github.ref_name, github.run_number)", "FORMAT('{0}', 'case')",
    "format('{0}{1}', 'a')", "format('{{{0}}}', 'a')", "format('{{{{0}}}}', 'a')", "format('{0}}', 'a')",
    "format('{{0}', 'a')", "format('{0}{', 'a')", "format('x{0}y{1}z', 1, 2)", "format('{0}', '{1}', 'b')",
    "format('{2147483648}', 'a')", "format('{99999999999999999999}', 'a')", "format('{0}', 'a', 'b', 'c')"]) {
    add("functions_format", v, kCompactContext);
  }
  for (const v of ["toJSON(null)", "toJSON(true)", "toJSON(false)", "toJSON(0)", "toJSON(-0)", "toJSON(1.5)",
    "toJSON(1e21)", "toJSON(NaN)", "toJSON(Infinity)", "toJSON('')", "toJSON('a\"b')", "toJSON('a\\b')",
    "toJSON('line\nbreak')", "toJSON('tab\there')", "toJSON('ünï')", "toJSON('<>&')", "toJSON('\u0001')",
    "toJSON(fromJSON('[]'))", "toJSON(fromJSON('{}'))", "toJSON(fromJSON('[1,[2,[3]]]'))",
    "toJSON(fromJSON('{\"b\":1,\"a\":2}'))", "toJSON(fromJSON('{\"a\":{\"b\":{}}}'))", "toJSON(github.event.head_commit)",
    "toJSON(github.event.commits[0])", "toJSON(github.event.labels)", "toJSON(needs)", "toJSON(steps.deploy)",
    "toJSON(matrix)", "toJSON(strategy)", "toJSON(github.event.commits.*.id)", "toJSON()", "toJSON(1, 2)",
    "tojson('x')", "toJSON(env)", "toJSON(inputs)"]) {
    add("functions_tojson", v, ctx);
  }
  const jsonTexts = ["null", "true", "false", "0", "-0", "1.5", "1e3", "1E-2", "-1.5e+2", "\"str\"", "\"\"",
    "\"\\u00e9\\n\"", "[]", "{}", "[1,2,3]", "{\"a\":1,\"b\":[true,null]}", "{\"A\":1,\"a\":2}", " 1 ", "\n[1]\n",
    "", " ", "01", "1.", ".5", "+1", "NaN", "Infinity", "0x10", "'single'", "{a:1}", "[1,]", "{\"a\":1,}",
    "[1 2]", "tru", "nul", "\"unterminated", "{\"a\"}", "[", "]", "1 2", "{\"a\":1}x", "1e400", "-1e400",
    "123456789012345678901234567890", "\"\\ud83d\\ude80\"", "{\"nested\":{\"deep\":{\"deeper\":[1,{\"x\":null}]}}}",
    "[\"a\",\"B\"]", "{\"\":1}", "true false"];
  for (const j of jsonTexts) {
    const lit = `'${j.replace(/'/g, "''")}'`;
    add("functions_fromjson", `fromJSON(${lit})`, ctx);
    add("functions_fromjson", `toJSON(fromJSON(${lit}))`, ctx);
  }
  for (const v of ["fromJSON(null)", "fromJSON(1)", "fromJSON(true)", "fromJSON(fromJSON('[]'))", "fromJSON()",
    "fromJSON('1', '2')", "FROMJSON('[1]')", "fromJson('{\"x\":1}').X", "fromJSON(needs.build.outputs.matrix)",
    "fromJSON(needs.build.outputs.empty)", "fromJSON(env.NUMBER)", "fromJSON(env.FLOAT) == 1.5",
    "fromJSON(inputs.retries)", "fromJSON(vars.FEATURE_FLAGS)", "fromJSON(env.HEX)"]) {
    add("functions_fromjson", v, ctx);
  }
  for (const v of ["unknownFunc()", "success()", "always()", "failure()", "cancelled()", "hashFiles('**')",
    "contains", "contains.x", "format['x']", "toJSON", "(format)('a')", "github.ref()", "'a'()", "1()",
    "contains('a' 'b')", "contains('a',)", "contains(,'a')", "format('{0}',)", "toJSON(1,)"]) {
    add("errors", v, kCompactContext);
  }

  // ---------------------------------------------------------------- syntax and limit errors
  for (const v of ["", " ", "'", "''''", "1 2", "a b", "github ref", "github.ref github.sha", "[1]", "[",
    "]", "{", "}", "github[", "github[0", "github]", "github.['ref']", ".ref", "github.*", "*", "github*",
    "github.**", "github.event.commits.*.*", "1..2", "1.e3", "$", "#", "@", "a$b", "github.ref-name",
    "github.ref_name-", "github.-ref", "github.1abc", "_a", "env._PRIVATE", "env.a-b-c", "env.a_b.c-d",
    "'a' + 'b'", "1 + 1", "1 - 1", "2 * 3", "4 / 2", "-github.run_number", "- 1", "--1", "1 ? 2 : 3", "a = b",
    "github.ref ==", "(github.ref", "github.ref)", "contains(", "contains('a'", "fromJSON('[1]')[",
    "\u00a0true", "true\u00a0", "tr ue", "t\nrue", "true\n", "\ntrue", "\ttrue\t", "\rtrue"]) {
    add("errors", v, kCompactContext);
  }
  const deep = (n, open, close, inner) => open.repeat(n) + inner + close.repeat(n);
  for (const n of [10, 48, 49, 50, 51, 60]) {
    add("errors", deep(n, "(", ")", "1"), {});
    add("errors", deep(n, "!", "", "true"), {});
    add("errors", deep(n, "toJSON(", ")", "1"), {});
    add("errors", "fromJSON('[1]')" + "[0]".repeat(n), {});
    add("errors", "github" + ".a".repeat(n), kCompactContext);
    add("errors", Array(n + 1).fill("true").join(" && "), {});
    add("errors", Array(n + 1).fill("1").join(" == "), {});
  }
  add("errors", "'" + "x".repeat(21000) + "'", {});
  add("errors", "'" + "x".repeat(20990) + "'", {});

  // ---------------------------------------------------------------- case() (newer evaluator function)
  for (const v of ["case(true, 'a', 'b')", "case(false, 'a', 'b')", "case(false, 'a', true, 'b', 'c')",
    "case(false, 'a', false, 'b', 'c')", "case(1, 'a', 'b')", "case('x', 'a', 'b')", "case(null, 'a', 'b')",
    "case(true, 'a')", "case(true)", "case()", "case(inputs.environment == 'production', 'prod', 'other')",
    "case(github.event_name == 'push', 1, 2)", "CASE(true, 'x', 'y')", "case(true, fromJSON('[1]'), 0)"]) {
    add("case", v, ctx);
  }

  // ---------------------------------------------------------------- random expressions (fixed seed)
  const rnd = makeRandom(20240601);
  const leafPool = ["null", "true", "false", "0", "1", "-1", "2.5", "1e2", "0x10", "NaN", "Infinity", "''",
    "'a'", "'A'", "'abc'", "'1'", "'0'", "' 2 '", "'true'", "'it''s'", "github.ref", "github.ref_name",
    "github.event_name", "github.run_number", "github.event.forced", "github.event.commits", "github.event.commits.*.id",
    "github.event.commits[0].message", "github.event.labels.*.name", "github.event.pull_request", "env.CI",
    "env.NUMBER", "env.EMPTY", "env.missing", "inputs.environment", "inputs.dry_run", "inputs.retries",
    "vars.REGION", "needs.build.outputs.version", "needs.build.result", "needs.*.result", "steps.deploy.outcome",
    "steps.deploy.outputs.count", "matrix.os", "matrix.node", "job.status", "runner.os", "strategy.job-total",
    "fromJSON('[1,2]')", "fromJSON('{\"k\":\"v\"}')", "fromJSON('[]')"];
  function gen(depth) {
    if (depth <= 0 || rnd.chance(0.3)) return rnd.pick(leafPool);
    switch (rnd.int(9)) {
      case 0: return `!${gen(depth - 1)}`;
      case 1: return `(${gen(depth - 1)})`;
      case 2:
      case 3: return `${gen(depth - 1)} ${rnd.pick(binaryOps)} ${gen(depth - 1)}`;
      case 4: return `${rnd.pick(["contains", "startsWith", "endsWith"])}(${gen(depth - 1)}, ${gen(depth - 1)})`;
      case 5: {
        const n = rnd.int(3);
        const args = Array.from({ length: n }, () => gen(depth - 1));
        // Mostly valid placeholders; one in ten may point past the arguments (an error).
        const index = () => (n === 0 || rnd.chance(0.1) ? rnd.int(n + 1) : rnd.int(n));
        const count = n === 0 && rnd.chance(0.8) ? 0 : rnd.int(n + 2);
        const fmt = Array.from({ length: count }, () => `{${index()}}`).join(rnd.pick(["", "-", " ", "{{", "}}"]));
        return `format('${fmt}'${args.map((a) => ", " + a).join("")})`;
      }
      case 6: return rnd.chance(0.5) ? `toJSON(${gen(depth - 1)})` : `join(${gen(depth - 1)}${rnd.chance(0.5) ? ", " + gen(depth - 1) : ""})`;
      case 7: return `fromJSON(toJSON(${gen(depth - 1)}))`;
      default: {
        // Index into something indexable by syntax (a context path or a call; `'a'[0]` is a syntax error).
        const base = rnd.pick(leafPool.filter((l) => /^[a-z]/.test(l) && !["true", "false", "null"].includes(l)));
        return `${base}[${rnd.pick(["0", "1", "'ref'", "'REF'", "-1", "'0'", "1.5", gen(depth - 1)])}]`;
      }
    }
  }
  let tries = 0;
  while ((topics.get("random")?.lines.length ?? 0) < 1000 && tries++ < 10000) add("random", gen(4), kCompactContext);

  // ---------------------------------------------------------------- write
  fs.mkdirSync(outDir, { recursive: true });
  let total = 0;
  for (const [topic, t] of [...topics.entries()].sort()) {
    const file = path.join(outDir, `${topic}.jsonl`);
    fs.writeFileSync(file, t.lines.join("\n") + "\n");
    total += t.lines.length;
    console.log(`${path.relative(repoRoot, file)}: ${t.lines.length} cases`);
  }
  console.log(`total: ${total} cases (@actions/expressions ${version}); left out ${crashes} on which the library crashed`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
