import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RwError } from "../domain/errors.ts";

/**
 * One `rw run` per repository and host: its workers are named `rw-worker-<n>@<host>`, so a second
 * run would "resume" the first one's live claims and two workers would hold one task.
 * A lock left by a dead process (SIGKILL, crash) is taken over.
 */
export async function acquireRunLock(dir: string, host: string, pid: number): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, "run.lock");
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await writeFile(file, `${JSON.stringify({ pid, host })}\n`, { flag: "wx" });
      return async () => {
        await rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    type Holder = { pid?: number; host?: string };
    const holder: Holder = await readFile(file, "utf8").then((t) => JSON.parse(t) as Holder, () => ({}));
    if (holder.host === host && typeof holder.pid === "number" && holder.pid !== pid && alive(holder.pid)) {
      throw new RwError("conflict", `rw run is already running in this repository (pid ${holder.pid})`, {
        hint: "use one run with --parallel N; or stop the other one (Ctrl-C) first",
        data: { pid: holder.pid, lock: file },
      });
    }
    await rm(file, { force: true }); // stale: its process is gone
  }
  throw new RwError("conflict", `could not take ${file}`, { hint: "remove it if no rw run is running" });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
