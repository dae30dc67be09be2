// Parses workflow files with GitHub's own parser (npm @actions/workflow-parser):
// parseWorkflow + convertWorkflowTemplate per file, as bench/compare-validate.sh times it.
// Usage: node parse-workflows.mjs [--quiet] FILE...
//   prints "file: message" per error (unless --quiet), then "files=N with_errors=M" on stderr;
//   exit 1 when any file has errors.
import fs from "node:fs";
import { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } from "@actions/workflow-parser";

const args = process.argv.slice(2);
const quiet = args[0] === "--quiet";
const files = quiet ? args.slice(1) : args;
const trace = new NoOperationTraceWriter();
let withErrors = 0;
for (const file of files) {
  const content = fs.readFileSync(file, "utf8");
  const result = parseWorkflow({ name: file, content }, trace);
  const messages = result.context.errors.getErrors().map((e) => e.message);
  if (result.value !== undefined) {
    const template = await convertWorkflowTemplate(result.context, result.value);
    for (const e of template.errors ?? []) {
      if (!messages.includes(e.Message)) messages.push(e.Message);
    }
  }
  if (messages.length > 0) {
    withErrors++;
    if (!quiet) for (const m of messages) console.log(`${file}: ${m}`);
  }
}
console.error(`files=${files.length} with_errors=${withErrors}`);
process.exit(withErrors > 0 ? 1 : 0);
