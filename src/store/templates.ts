import { readFile } from "node:fs/promises";

/** Files shipped in the package's templates/ folder (two levels above src/store and dist/store). */
export function readTemplate(name: string): Promise<string> {
  return readFile(new URL(`../../templates/${name}`, import.meta.url), "utf8");
}
