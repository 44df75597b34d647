import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import type { DoctorReport } from "../../src/store/doctor.ts";
import type { RunResult, TempRepo } from "./repo.ts";

/** The report `rw doctor --json` prints (its shape is the store's). */
export type { DoctorReport };

/** Runs `rw ... --json`, expects `code`, and returns the parsed object (which must carry "v": 1). */
export async function rwJson<T = Record<string, unknown>>(repo: TempRepo, args: string[], opts: { actor?: string; code?: number; cwd?: string; env?: Record<string, string>; input?: string } = {}): Promise<T> {
  const r = await repo.rw([...args, "--json"], opts);
  expect(r.code, `rw ${args.join(" ")} --json\n${r.stderr}${r.stdout}`).toBe(opts.code ?? 0);
  const out = JSON.parse(r.stdout) as T & { v: unknown };
  expect(out.v).toBe(1);
  return out;
}

/** Expects a failing run: the exit code and a stderr that matches. */
export async function rwFails(repo: TempRepo, args: string[], code: number, stderr: RegExp | string, opts: { actor?: string; cwd?: string; env?: Record<string, string>; input?: string } = {}): Promise<RunResult> {
  const r = await repo.rw(args, opts);
  expect(r.code, `rw ${args.join(" ")}: ${r.stderr}${r.stdout}`).toBe(code);
  if (typeof stderr === "string") expect(r.stderr).toContain(stderr);
  else expect(r.stderr).toMatch(stderr);
  return r;
}

/** Every scenario ends here: `rw doctor` replays the log and must find the ref exactly as rendered. */
export async function expectDoctorOk(repo: TempRepo, cwd?: string): Promise<DoctorReport> {
  const r = await repo.rw(["doctor", "--json"], cwd ? { cwd } : {});
  expect(r.code, `rw doctor failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
  const report = JSON.parse(r.stdout) as DoctorReport & { v: number };
  expect(report.v).toBe(1);
  expect(report.ok).toBe(true);
  expect(report.problems).toEqual([]);
  return report;
}

/** `rw init`, then (optionally) a config file of the test's own. */
export async function initRepo(repo: TempRepo, config = ""): Promise<void> {
  await repo.rwOk(["init"]);
  if (config !== "") writeConfig(repo, config);
}

/** Replaces `.rewind/config.toml` in the main work tree. */
export function writeConfig(repo: TempRepo, config: string): void {
  writeFileSync(join(repo.dir, ".rewind", "config.toml"), config);
}

/** The task IDs and events on the ref's log, read with git alone (no rw). */
export function eventsOnRef(repo: Pick<TempRepo, "git">, ref = "rewind"): Array<{ id: string; type: string; task?: string; actor: string; ts: string; data: Record<string, unknown> }> {
  const names = repo.git(["ls-tree", "--name-only", `${ref}:events`]).split("\n").filter(Boolean);
  return names.flatMap((n) => repo.git(["show", `${ref}:events/${n}`]).split("\n").filter(Boolean).map((l) => JSON.parse(l) as ReturnType<typeof eventsOnRef>[number]));
}
