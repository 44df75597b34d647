import { readFile } from "node:fs/promises";
import { packagePath } from "./package-root.ts";

/** Files shipped in the package's templates/ folder. */
export function readTemplate(name: string): Promise<string> {
  return readFile(packagePath("templates", name), "utf8");
}
