import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { RwError } from "../domain/errors.ts";

/**
 * The web app's built files. `npm run build` bundles src/board/web/ into dist/board/web/ with
 * esbuild (scripts/build-board.mjs); they ship in the npm package, so nothing is fetched at run
 * time. Run from the sources (tests), the built copy in dist/ is used.
 */
export function webAsset(name: "app.js" | "app.css"): string {
  for (const dir of ["./web/", "../../dist/board/web/"]) {
    const file = fileURLToPath(new URL(dir + name, import.meta.url));
    if (existsSync(file)) return file;
  }
  throw new RwError("config", `the board's web app is not built (${name} is missing)`, { hint: "run `npm run build`" });
}
