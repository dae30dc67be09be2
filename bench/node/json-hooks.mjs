// Node 20 refuses `import x from "./file.json"` without an import attribute, which
// @actions/workflow-parser does; these loader hooks serve .json files as ES modules instead.
// Used through register-json.mjs: node --import ./register-json.mjs script.mjs
import { readFile } from "node:fs/promises";

export async function load(url, context, nextLoad) {
  if (url.startsWith("file:") && url.endsWith(".json")) {
    const text = await readFile(new URL(url), "utf8");
    return { format: "module", source: `export default ${text};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
