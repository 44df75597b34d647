// `npm run build`'s third step: the CLI as one bundled entry (dist/cli/main.js) plus lazily
// loaded chunks (dist/cli/chunks/), replacing tsc's dist/cli/main.js. Resolving and compiling
// ~100 separate modules was a large share of every command's start (measured with
// `node --cpu-prof`, docs/decisions.md "Bundled CLI"); a command loads main.js and the chunks
// its verb needs, nothing else. tsc's per-file output stays for library users (dist/store/...).
// Packages in node_modules are not bundled (Node loads them as installed), except the small pure
// ESM ones every command loads (HOT_PACKAGES): resolving each of their ~13 files through
// node_modules was a measurable share of `rw ready`'s start.
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";
import { fileURLToPath, URL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const HOT_PACKAGES = new Set(["citty", "smol-toml", "ulid"]);
const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
const external = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies })
  .filter((name) => !HOT_PACKAGES.has(name))
  .flatMap((name) => [name, `${name}/*`]);
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
  external,
  logLevel: "warning",
  legalComments: "none",
});
