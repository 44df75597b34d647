// `npm run build`'s third step: the CLI as bundled entries, replacing tsc's dist/cli/main.js.
// Resolving and compiling ~100 separate modules was a large share of every command's start
// (measured with `node --cpu-prof`, docs/decisions.md "Bundled CLI"). tsc's per-file output stays
// for library users (dist/store/...). Three outputs:
//   dist/cli/cli.js + dist/cli/chunks/  every verb, each loading the chunks it needs (esbuild splitting)
//   dist/cli/hot/<verb>.cjs            the verbs agents call all day, each one self-contained file
//   dist/cli/main.js                   the launcher (package.json's bin): picks one of the two
// A hot verb still loaded ~35 chunks; resolving and linking them cost ~30 ms of CPU per command
// (`rw claim --next` 193 -> 161 ms CPU at 10,000 tasks in one file). Each hot file is the whole
// CLI for its verb with every lazily imported module of rw inlined (esbuild without splitting
// keeps them lazy: a module runs on first import), so no module of rw is ever loaded twice.
// Packages in node_modules are not bundled (Node loads them as installed), except the small pure
// ESM ones every command loads (HOT_PACKAGES); a hot file may import a package only lazily (the
// build fails otherwise), so a verb never pays for one it does not use.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath, URL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const HOT_PACKAGES = new Set(["citty", "smol-toml", "ulid"]);
/** Verbs an agent or a script runs many times a day; every other verb goes through cli.js. */
const HOT_VERBS = ["ready", "show", "list", "create", "claim", "done", "note", "heartbeat", "release", "fail", "edit", "status"];
const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
const external = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies })
  .filter((name) => !HOT_PACKAGES.has(name))
  .flatMap((name) => [name, `${name}/*`]);
const common = { absWorkingDir: root, bundle: true, format: "esm", platform: "node", target: "node20", external, logLevel: "warning", legalComments: "none" };

rmSync(`${root}dist/cli/chunks`, { recursive: true, force: true });
rmSync(`${root}dist/cli/hot`, { recursive: true, force: true });
await build({ ...common, entryPoints: { cli: "src/cli/main.ts" }, outdir: "dist/cli", chunkNames: "chunks/[name]-[hash]", splitting: true });

/** Replaces the verb table with one holding only `verb`: the launcher sends nothing else here. */
const oneVerb = (verb) => ({
  name: "one-verb",
  setup(b) {
    b.onResolve({ filter: /commands\/index\.ts$/ }, (args) => ({ path: args.path, namespace: "one-verb", pluginData: args.resolveDir }));
    b.onLoad({ filter: /.*/, namespace: "one-verb" }, (args) => ({
      contents: `export const commands = { ${JSON.stringify(verb)}: () => import("./commands/${verb}.ts").then((m) => m.default) };`,
      resolveDir: args.pluginData,
      loader: "ts",
    }));
  },
});
await Promise.all(HOT_VERBS.map(async (verb) => {
  const out = `dist/cli/hot/${verb}.cjs`;
  const { metafile } = await build({
    ...common, entryPoints: ["src/cli/main.ts"], outfile: out, format: "cjs", splitting: false, metafile: true, plugins: [oneVerb(verb)],
    // CommonJS so the launcher can compile it with a V8 code cache (node 20 has none for ES modules).
    define: { "import.meta.url": "__rw_module_url" },
    banner: { js: 'const __rw_module_url = require("node:url").pathToFileURL(__filename).href;' },
  });
  const eager = metafile.outputs[out].imports.filter((i) => i.external && i.kind !== "dynamic-import" && !i.path.startsWith("node:"));
  if (eager.length > 0) throw new Error(`${out} would load ${eager.map((i) => i.path).join(", ")} on every run: import it lazily (await import) in the module that uses it`);
}));

// Each file's content hash names its cache: V8 checks a cache against the source's length, not
// its bytes, so a rebuilt file of the same length must never meet the old file's bytecode.
const hashes = Object.fromEntries(HOT_VERBS.map((verb) => [verb, createHash("sha256").update(readFileSync(`${root}dist/cli/hot/${verb}.cjs`)).digest("hex").slice(0, 16)]));
writeFileSync(`${root}dist/cli/main.js`, launcher(hashes, pkg.version));
chmodSync(`${root}dist/cli/main.js`, 0o755);

/**
 * The bin. A hot verb's file is compiled with V8's code cache (the bytecode of every function an
 * earlier run of that verb compiled), kept next to it per node version: measured ~30 ms of CPU
 * less per command. The cache is written only into rw's own folder, by the first run that finds
 * none (or finds it rejected: another V8), and never from anywhere else; a folder rw cannot
 * write (a root-owned global install) just means no cache. V8 checks a cache against its own
 * version and flags and the source's length only, so the cache's name carries the file's content
 * hash (from the build) and mtime: a changed file never meets the bytecode of the old one.
 */
function launcher(hashes, version) {
  return `#!/usr/bin/env node
// Generated by scripts/build-cli.mjs: a hot verb runs from its own file, everything else from cli.js.
const HOT = new Map(Object.entries(${JSON.stringify(hashes)}));
const verb = process.argv[2];
if (verb === "--version" || verb === "-v") process.stdout.write(${JSON.stringify(`${version}\n`)});
else if (HOT.has(verb)) await runHot(verb);
else await import("./cli.js");

async function runHot(verb) {
  const [fs, { Script, constants }, { createRequire }, { fileURLToPath }] = await Promise.all([import("node:fs"), import("node:vm"), import("node:module"), import("node:url")]);
  const file = fileURLToPath(new URL(\`./hot/\${verb}.cjs\`, import.meta.url));
  // The build's content hash, and the file's mtime for an edit made after the build.
  const cacheFile = \`\${file}.\${HOT.get(verb)}-\${Math.trunc(fs.statSync(file).mtimeMs)}.\${process.version}.\${process.arch}.v8cache\`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // none yet
  }
  const source = fs.readFileSync(file, "utf8").replace(/^#!.*/, "");
  const script = new Script(\`(function (exports, require, module, __filename, __dirname) {\${source}\n})\`, {
    filename: file, cachedData, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once("exit", () => {
      const tmp = \`\${cacheFile}.\${process.pid}.tmp\`;
      try {
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        fs.rmSync(tmp, { force: true });
      }
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, fileURLToPath(new URL("./hot/", import.meta.url)));
}
`;
}
