import { existsSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { editorSave, mirrorFile, readMirror, refEvents, startDaemon, tipOf, waitLong, cleanUpAfterEach, type DaemonProc } from "../helpers/daemon.ts";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

let repo: TempRepo;
let daemon: DaemonProc | undefined;
cleanUpAfterEach(() => ({ daemon, repo }));

const onRef = (path: string): string => repo.git(["show", `refs/heads/rewind:${path}`]);
const initiativeEvents = (id: string): string[] => refEvents(repo).filter((e) => (e as { initiative?: string }).initiative === id).map((e) => e.type);

async function setup(): Promise<string> {
  repo = makeRepo({ init: true });
  return repo.rwOk(["initiative", "new", "Auth rewrite", "--phase", "Token format", "--phase", "Login flow"]);
}

/** A repository with one initiative, a daemon, and the initiative's mirror file written. */
async function withDaemon(): Promise<{ id: string; path: string }> {
  const id = await setup();
  daemon = await startDaemon(repo);
  const path = `initiatives/${id}.md`;
  await waitLong(() => existsSync(mirrorFile(repo, path)), { what: "the initiative's mirror file" });
  return { id, path };
}

describe("rw daemon: hand-edited initiative files", { timeout: 120_000 }, () => {
  it("submits, approves a phase and renames, through the same lifecycle as the CLI", async () => {
    const { id, path } = await withDaemon();
    const text = readMirror(repo, path)
      .replace("title: Auth rewrite", "title: Auth v2")
      .replace("status: draft", "status: approved")
      .replace("{n: 1, title: Token format, status: planned}", "{n: 1, title: Token format, status: approved}")
      .replace(/\n---\n/, "\n---\nThe concept, written by hand.\n");
    editorSave(mirrorFile(repo, path), text);
    await daemon!.waitLine(new RegExp(`committed .rewind/${path}: initiative.edited, initiative.submitted, (phase|initiative).approved`));
    const file = onRef(path);
    expect(file).toContain("title: Auth v2");
    expect(file).toContain("status: approved");
    expect(file).toContain("{n: 1, title: Token format, status: approved}");
    expect(file).toContain("{n: 2, title: Login flow, status: planned}");
    expect(file.endsWith("The concept, written by hand.\n")).toBe(true);
    const shown = JSON.parse(await repo.rwOk(["initiative", "show", id, "--json"])) as { initiative: { status: string; title: string } };
    expect(shown.initiative).toMatchObject({ status: "approved", title: "Auth v2" });
    // A task of the approved phase is ready; one of phase 2 is not, with the CLI's wording.
    const t2 = await repo.rwOk(["create", "Login form", "--initiative", id, "--phase", "2"]);
    const explained = await repo.rwOk(["ready", "--explain"]);
    expect(explained).toContain(t2);
    expect(explained).toContain(`phase 2 of ${id} is not approved yet`);
    await repo.rwOk(["doctor"]);
  });

  it("refuses an invalid transition: nothing committed, file untouched, PROBLEMS.md says why; fixing clears it", async () => {
    const { id, path } = await withDaemon();
    const good = readMirror(repo, path);
    const tip = tipOf(repo);
    const bad = good.replace("status: draft", "status: completed");
    writeFileSync(mirrorFile(repo, path), bad);
    // writeFileSync truncates, then writes: a round can read the file half-written and report that
    // first (a later round replaces it), so wait for the refusal itself, not any problem naming the file.
    const refusal = new RegExp(`\`.rewind/${path}\` line 4: ${id}: it cannot go from draft to completed`);
    await waitLong(() => existsSync(mirrorFile(repo, "PROBLEMS.md")) && refusal.test(readMirror(repo, "PROBLEMS.md")), { what: "PROBLEMS.md with the refusal" });
    expect(readMirror(repo, path)).toBe(bad);
    expect(tipOf(repo)).toBe(tip);
    // Removing a phase is refused too, with its own fix.
    writeFileSync(mirrorFile(repo, path), good.replace(/ {2}- \{n: 2, title: Login flow, status: planned\}\n/, ""));
    await waitLong(() => readMirror(repo, "PROBLEMS.md").includes("phase 2 (Login flow) was removed"), { what: "removed-phase problem" });
    expect(tipOf(repo)).toBe(tip);
    writeFileSync(mirrorFile(repo, path), good.replace("status: draft", "status: review"));
    await waitLong(() => !existsSync(mirrorFile(repo, "PROBLEMS.md")), { what: "PROBLEMS.md cleared" });
    expect(initiativeEvents(id)).toContain("initiative.submitted");
    await repo.rwOk(["doctor"]);
  });

  it("a save from an older copy records only what the human changed, never undoing what rw did meanwhile", async () => {
    const { id, path } = await withDaemon();
    const old = readMirror(repo, path);
    await repo.rwOk(["initiative", "submit", id]);
    await repo.rwOk(["initiative", "approve", id, "--phase", "1"]);
    await repo.rwOk(["initiative", "phase", "add", id, "Rollout"]);
    await waitLong(() => readMirror(repo, path).includes("Rollout"), { what: "the mirror refreshed" });
    // An editor that opened the file while it was a draft saves its buffer with phase 2 renamed.
    writeFileSync(mirrorFile(repo, path), old.replace("title: Login flow", "title: Login and logout"));
    await waitLong(() => onRef(path).includes("Login and logout"), { what: "the rename on the ref" });
    const file = onRef(path);
    expect(file).toContain("status: approved");
    expect(file).toContain("{n: 1, title: Token format, status: approved}");
    expect(file).toContain("{n: 3, title: Rollout, status: planned}");
    await waitLong(() => readMirror(repo, path) === file, { what: "the mirror refreshed again" });
    expect(existsSync(mirrorFile(repo, "PROBLEMS.md"))).toBe(false);
    await repo.rwOk(["doctor"]);
  });

  it("turns a new file into a draft initiative, renamed to <id>.md; tasks can join it in the same save", async () => {
    await setup();
    daemon = await startDaemon(repo);
    // The folder is replaced under the daemon first: it must keep watching the new one.
    rmSync(mirrorFile(repo, "initiatives"), { recursive: true, force: true });
    mkdirSync(mirrorFile(repo, "initiatives"), { recursive: true }); // the daemon may have rebuilt it already
    writeFileSync(mirrorFile(repo, "initiatives/billing.md"), "---\ntitle: Billing\nphases:\n  - {n: 1, title: Invoices}\n---\nCharge people.\n");
    const line = await daemon.waitLine(/renamed .rewind\/initiatives\/billing.md -> /);
    const id = /initiatives\/([^/]+)\.md$/.exec(line)![1]!;
    expect(id).toMatch(/^in-/);
    await waitLong(() => !existsSync(mirrorFile(repo, "initiatives/billing.md")) && existsSync(mirrorFile(repo, `initiatives/${id}.md`)));
    expect(readMirror(repo, `initiatives/${id}.md`)).toMatch(new RegExp(`^---\\nid: ${id}\\ntitle: Billing\\nstatus: draft\\nphases:\\n  - \\{n: 1, title: Invoices, status: planned\\}\\n`));
    writeFileSync(mirrorFile(repo, "tasks/invoice.md"), `---\ntitle: Send invoices\ninitiative: ${id}\nphase: 1\n---\n`);
    await daemon.waitLine(/renamed .rewind\/tasks\/invoice.md -> /);
    const shown = JSON.parse(await repo.rwOk(["initiative", "show", id, "--json"])) as { phases: Array<{ total: number }> };
    expect(shown.phases[0]!.total).toBe(1);
    await repo.rwOk(["doctor"]);
  });

  it("cancels an initiative whose file is deleted and restores the file", async () => {
    const { id, path } = await withDaemon();
    unlinkSync(mirrorFile(repo, path));
    await waitLong(() => existsSync(mirrorFile(repo, path)) && readMirror(repo, path).includes("status: cancelled"), { what: "restored file" });
    expect(initiativeEvents(id)).toContain("initiative.cancelled");
    await repo.rwOk(["doctor"]);
  });
});
