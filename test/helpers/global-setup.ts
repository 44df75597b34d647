import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { baseEnv, gitInit, RW_BIN } from "./repo.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** A repository after `git init`, a first commit and a real `rw init` (see makeRepo's `init`). */
    rwInitTemplate: string;
  }
}

/**
 * Once per run: the repository `makeRepo({ init: true })` copies, so `rw init` (a node process)
 * runs once instead of in every test; removed when the run ends.
 */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), "rw-test-"));
  gitInit(dir, true);
  execFileSync(process.execPath, [RW_BIN, "init"], { cwd: dir, env: baseEnv(), stdio: "ignore" });
  project.provide("rwInitTemplate", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
