// `npm run build`'s third step: the CLI as one bundled entry (dist/cli/main.js) plus lazily
// loaded chunks (dist/cli/chunks/), replacing tsc's dist/cli/main.js. Resolving and compiling
// ~100 separate modules was a large share of every command's start (measured with
// `node --cpu-prof`, docs/decisions.md "Bundled CLI"); a command loads main.js and the chunks
// its verb needs, nothing else. tsc's per-file output stays for library users (dist/store/...).
// Packages in node_modules are not bundled: Node loads them as installed.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { fileURLToPath, URL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
rmSync(`${root}dist/cli/chunks`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: "src/cli/main.ts" },
  outdir: "dist/cli",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  logLevel: "warning",
  legalComments: "none",
});
