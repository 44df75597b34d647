import { execFileSync, spawn } from "node:child_process";
import type { Decider } from "../../src/domain/decide.ts";
import { decideCreate } from "../../src/domain/decide-task.ts";
import { applyCopy } from "../../src/domain/fold.ts";
import type { RwEvent } from "../../src/domain/types.ts";
import { Store } from "../../src/store/store.ts";
import { RW_BIN, baseEnv, type TempRepo } from "./repo.ts";

/**
 * Creates `count` ready tasks in-process through the library's one write path, as one transaction
 * of `count` decideCreate decisions (one commit: 200 separate commits would cost seconds of fsyncs
 * on a busy machine and prove nothing the race itself does not). Returns their IDs.
 */
export async function seedTasks(dir: string, count: number, title = (i: number) => `Task ${i}`): Promise<string[]> {
  const many: Decider<{ ids: string[] }> = (state, ctx) => {
    let s = state;
    const events: RwEvent[] = [];
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const d = decideCreate({ title: title(i), priority: i % 5 })(s, ctx);
      s = applyCopy(s, d.events);
      events.push(...d.events);
      ids.push(d.result.id);
    }
    return { events, summary: `create ${count} tasks`, result: { ids } };
  };
  const store = await Store.open({ cwd: dir, env: baseEnv(), now: () => new Date() });
  try {
    return (await store.transact(many, { name: "seeder", email: "seeder@example.com" })).result.ids;
  } finally {
    store.close();
  }
}

export interface ProcResult { code: number | null; stdout: string; stderr: string }

/** Runs a bash script as its own OS process (`"$RW_NODE" "$RW_BIN"` is the built CLI); resolves when it exits. */
export function bash(script: string, opts: { cwd: string; env?: Record<string, string> }): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script], {
      cwd: opts.cwd,
      env: { ...baseEnv(), RW_NODE: process.execPath, RW_BIN, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A claimer: `rw claim --next` until it exits 4 (nothing ready). Prints `CLAIMED <id>` for each win
 * and `ERROR <code>` for anything other than 0 or 4, then `DONE`.
 */
export const CLAIM_LOOP = `
err=$(mktemp)
while :; do
  out=$("$RW_NODE" "$RW_BIN" claim --next --json 2>"$err"); rc=$?
  if [ $rc -eq 0 ]; then
    id=$(printf '%s' "$out" | sed -n 's/^{"v":1,"id":"\\([^"]*\\)".*/\\1/p'); echo "CLAIMED $id"
  elif [ $rc -eq 4 ]; then break
  else echo "ERROR $rc $(cat "$err")"; fi
done
rm -f "$err"
echo DONE
`;

/** Every file under `prefix` on `ref`, read with one `git cat-file --batch`. */
export function readRefFiles(repo: TempRepo, ref: string, prefix: string): Map<string, string> {
  const names = repo.git(["ls-tree", "-r", "--name-only", ref, "--", prefix]).split("\n").filter(Boolean);
  const out = new Map<string, string>();
  if (names.length === 0) return out;
  const raw = execFileSync("git", ["cat-file", "--batch"], { cwd: repo.dir, env: baseEnv(), input: names.map((n) => `${ref}:${n}\n`).join("") });
  let pos = 0;
  for (const name of names) {
    const nl = raw.indexOf(10, pos);
    const size = Number(raw.subarray(pos, nl).toString().split(" ")[2]);
    out.set(name, raw.subarray(nl + 1, nl + 1 + size).toString("utf8"));
    pos = nl + 1 + size + 1;
  }
  return out;
}

/** Parents of every commit on the ref: `git rev-list --parents`. */
export function parentCounts(repo: TempRepo, ref = "rewind"): number[] {
  return repo.git(["rev-list", "--parents", ref]).trim().split("\n").map((l) => l.split(" ").length - 1);
}
