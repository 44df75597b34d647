import { existsSync } from "node:fs";
import { RwError } from "../domain/errors.ts";
import { packagePath } from "../store/package-root.ts";

/**
 * The web app's built files. `npm run build` bundles src/board/web/ into dist/board/web/ with
 * esbuild (scripts/build-board.mjs); they ship in the npm package, so nothing is fetched at run
 * time. Run from the sources (tests), the built copy in dist/ is used.
 */
export function webAsset(name: "app.js" | "app.css"): string {
  const file = packagePath("dist", "board", "web", name);
  if (existsSync(file)) return file;
  throw new RwError("config", `the board's web app is not built (${name} is missing)`, { hint: "run `npm run build`" });
}
