// Bundles the board's web app (src/board/web) into dist/board/web/ with esbuild: one ES module
// and one stylesheet that ship in the npm package (the page loads nothing from elsewhere).
import { build } from "esbuild";
import { fileURLToPath, URL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const common = { bundle: true, minify: true, logLevel: "warning", absWorkingDir: root, legalComments: "none" };
await Promise.all([
  build({ ...common, entryPoints: ["src/board/web/main.tsx"], outfile: "dist/board/web/app.js", format: "esm", target: "es2020", jsx: "automatic", jsxImportSource: "preact" }),
  build({ ...common, entryPoints: ["src/board/web/styles.css"], outfile: "dist/board/web/app.css" }),
]);
