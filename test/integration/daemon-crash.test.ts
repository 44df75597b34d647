import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mirrorFile, refEvents, startDaemon, waitLong, cleanUpAfterEach, type DaemonProc } from "../helpers/daemon.ts";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

let repo: TempRepo;
let daemon: DaemonProc | undefined;
cleanUpAfterEach(() => ({ daemon, repo }));

const pace = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const taskFiles = (): string[] => readdirSync(mirrorFile(repo, "tasks")).filter((n) => n.endsWith(".md"));

interface Listed { id: string; title: string; priority: number; status: string }
async function listAll(): Promise<Listed[]> {
  return (JSON.parse(await repo.rwOk(["list", "--all", "--json"])) as { tasks: Listed[] }).tasks;
}

describe("rw daemon under failure", () => {
  it("SIGKILL in the middle of 100 saved edits, restart: every edit is on the ref exactly once and doctor passes", { timeout: 180_000 }, async () => {
    repo = makeRepo({ init: true });
    daemon = await startDaemon(repo);
    for (let i = 0; i < 90; i++) writeFileSync(mirrorFile(repo, `tasks/new-${i}.md`), `---\ntitle: Task ${i}\n---\nbody ${i}\n`);
    await waitLong(() => taskFiles().length === 90 && !taskFiles().some((n) => n.startsWith("new-")), { timeoutMs: 60_000, what: "90 files renamed to IDs" });
    const ids = taskFiles().map((n) => n.slice(0, -3)).sort();

    // 100 edits: 90 retitles (one per task) and 10 new files; the daemon dies after the 50th.
    const titles: string[] = [];
    for (let i = 0; i < 100; i++) {
      if (i === 50) daemon.child.kill("SIGKILL");
      if (i % 10 === 9) {
        const title = `Created ${i}`;
        writeFileSync(mirrorFile(repo, `tasks/burst-${i}.md`), `---\ntitle: ${title}\n---\n`);
        titles.push(title);
      } else {
        const id = ids[i - Math.floor(i / 10)]!;
        const path = mirrorFile(repo, `tasks/${id}.md`);
        const title = `Edited ${i}`;
        writeFileSync(path, readFileSync(path, "utf8").replace(/^title: .*$/m, `title: ${title}`));
        titles.push(title);
      }
      await pace(3); // a human-ish burst, not a benchmark
    }
    await daemon.stop();
    daemon = await startDaemon(repo);
    await waitLong(async () => {
      const have = new Set((await listAll()).map((t) => t.title));
      return titles.every((t) => have.has(t));
    }, { timeoutMs: 60_000, what: "every saved edit on the ref" });

    const events = refEvents(repo);
    for (const title of titles) {
      const hits = events.filter((e) => (e.type === "task.edited" || e.type === "task.created") && e.data.title === title);
      expect(hits.length, title).toBe(1);
    }
    const tasks = await listAll();
    expect(tasks).toHaveLength(100);
    await waitLong(() => !taskFiles().some((n) => n.startsWith("burst-")), { what: "new files renamed" });
    await repo.rwOk(["doctor"]);
  });

  it("fuzz: random valid and invalid saves never crash it; valid final contents are on the ref, invalid ones in PROBLEMS.md", { timeout: 180_000 }, async () => {
    repo = makeRepo({ init: true });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await repo.rwOk(["create", `Fuzz ${i}`]));
    daemon = await startDaemon(repo);
    await waitLong(() => ids.every((id) => existsSync(mirrorFile(repo, `tasks/${id}.md`))));

    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const statuses = ["open", "in_progress", "blocked", "done", "cancelled"];
    const valid = (id: string, k: number): { text: string; title: string; priority: number; status: string } => {
      const title = `Fuzz ${id} v${k}${rand(2) ? ": with colon" : ""}`;
      const priority = rand(5);
      const status = statuses[rand(statuses.length)]!;
      const labels = rand(2) ? `labels: [l${rand(3)}]\n` : "";
      return { text: `---\nid: ${id}\ntitle: ${JSON.stringify(title)}\nstatus: ${status}\npriority: ${priority}\n${labels}---\nBody ${k}\r\n\`\`\`\n---\n\`\`\`\n`, title, priority, status };
    };
    const invalid = (id: string, k: number): string => [
      `---\nid: ${id}\ntitle: [unclosed\n---\n`,
      `---\nid: ${id}\ntitle: T${k}\nstatus: nope\n---\n`,
      `---\nid: ${id}\ntitle: T${k}\npriority: 9\n---\n`,
      `---\nid: ${id}\ntitle: T${k}\nsize: big\n---\n`,
      `---\nid: ${id}\ntitle: T${k}\ndeps: [missing-0000]\n---\n`,
      `---\nid: ${id}\ntitle: T${k}\n`,
    ][rand(6)]!;

    const last = new Map<string, { ok: boolean; title?: string; priority?: number; status?: string }>();
    const deadline = Date.now() + 4000;
    for (let k = 0; Date.now() < deadline; k++) {
      const id = ids[rand(ids.length)]!;
      const path = mirrorFile(repo, `tasks/${id}.md`);
      if (rand(3) === 0) {
        writeFileSync(path, invalid(id, k));
        last.set(id, { ok: false });
      } else {
        const v = valid(id, k);
        writeFileSync(path, v.text);
        last.set(id, { ok: true, title: v.title, priority: v.priority, status: v.status });
      }
      await pace(rand(40));
    }
    await waitLong(async () => {
      const tasks = new Map((await listAll()).map((t) => [t.id, t]));
      const problems = existsSync(mirrorFile(repo, "PROBLEMS.md")) ? readFileSync(mirrorFile(repo, "PROBLEMS.md"), "utf8") : "";
      return [...last].every(([id, want]) => {
        const listed = problems.includes(`\`.rewind/tasks/${id}.md\``);
        if (!want.ok) return listed;
        const t = tasks.get(id);
        return !listed && t !== undefined && t.title === want.title && t.priority === want.priority && t.status === want.status;
      });
    }, { timeoutMs: 40_000, what: "final contents recorded or listed as problems" }).catch(async (err: unknown) => {
      const tasks = await listAll();
      throw new Error(`${String(err)}\nwanted ${JSON.stringify([...last])}\nhave ${JSON.stringify(tasks)}\nproblems ${existsSync(mirrorFile(repo, "PROBLEMS.md")) ? readFileSync(mirrorFile(repo, "PROBLEMS.md"), "utf8") : ""}\n${daemon!.output().slice(-3000)}`);
    });
    expect(daemon.child.exitCode).toBeNull();
    expect(daemon.output()).not.toMatch(/^\S+ error:/m);
    await repo.rwOk(["doctor"]);
  });
});
