import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { boardRig, NO_BROWSER, openBrowser, startBoard, type BrowserSession } from "../helpers/browser.ts";
import { makeRepo, waitFor, type TempRepo } from "../helpers/repo.ts";
import { rwJson } from "../helpers/rw.ts";

/**
 * Human review on the board (`execution.review = "human"`): a real `rw run --review` with the
 * fake provider (scripted worker and verifier turns that really write files) stops two tasks
 * in `review`; the person rejects one with feedback and approves the other in Chromium, and the
 * ref, the integration branch and the next attempt's prompt say what happened.
 */
const { rig, it } = boardRig("board review browser tests");

const column = (status: string): string => `section.column[data-status="${status}"]`;
const card = (id: string): string => `.card[data-id="${id}"]`;
const statusOf = async (r: TempRepo, id: string): Promise<string> => (await rwJson<{ task: { status: string } }>(r, ["show", id])).task.status;

/** A repository whose tasks `rw run` does with scripted agents, stopping each for review. */
async function reviewRepo(): Promise<{ repo: TempRepo; wtDir: string; task: (title: string, file: string, text: string) => Promise<string> }> {
  const repo = (rig.repo = makeRepo());
  const wtDir = mkdtempSync(join(tmpdir(), "rw-wt-"));
  rig.cleanups.push(() => rmSync(wtDir, { recursive: true, force: true }));
  const scripts = wtDir;
  await repo.rwOk(["init"]);
  writeFileSync(join(repo.dir, ".rewind", "config.toml"), [
    "version = 1", "[ids]", 'prefix = "t"',
    "[execution]", `worktree_dir = ${JSON.stringify(join(wtDir, "wt"))}`, 'review = "human"', 'gates = ["test -s greeting.txt || test -s farewell.txt"]',
    "[agents]", 'provider = "fake"',
    "[roles.worker]", `script = ${JSON.stringify(join(scripts, "worker-{id}.json"))}`,
    "[roles.verifier]", `script = ${JSON.stringify(join(scripts, "verifier-{id}.json"))}`,
    "[pricing.fake]", "input = 3", "output = 15", "",
  ].join("\n"));
  repo.git(["add", ".rewind"]);
  repo.git(["commit", "-q", "-m", "rw config"]);
  const r = repo;
  return {
    repo: r, wtDir,
    async task(title, file, text) {
      const id = await r.rwOk(["create", title, "--body", `Write ${file}.\n\n## Acceptance criteria\n- [ ] ${file} is there\n`]);
      writeFileSync(join(scripts, `worker-${id}.json`), JSON.stringify({ turns: [
        { text: `Writing ${file} for ${id}.`, tool_calls: [{ name: "write_file", input: { path: file, content: text } }] },
        { tool_calls: [{ name: "finish", input: { summary: `wrote ${file}` } }] },
      ] }));
      writeFileSync(join(scripts, `verifier-${id}.json`), JSON.stringify({ turns: [
        { tool_calls: [{ name: "verdict", input: { verdicts: [{ index: 0, met: true, evidence: `${file} is in the diff` }] } }] },
      ] }));
      return id;
    },
  };
}

async function openBoard(r: TempRepo): Promise<BrowserSession["page"]> {
  const board = (rig.board = await startBoard(r, { actor: "Board Person" }));
  const { page } = (rig.session = await openBrowser());
  await page.goto(board.url);
  return page;
}

describe.skipIf(NO_BROWSER !== undefined)("rw board: human review", () => {
  it("shows a task's diff, gates and verdicts; rejecting sends the feedback to the next attempt, approving merges it", async () => {
    const { repo, task } = await reviewRepo();
    const greet = await task("Write the greeting", "greeting.txt", "hello world\n");
    const bye = await task("Write the farewell", "farewell.txt", "goodbye world\n");
    const run = await repo.rw(["run", "--review"]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(await statusOf(repo, greet)).toBe("review");
    expect(await statusOf(repo, bye)).toBe("review");

    const page = await openBoard(repo);
    await page.locator(`${column("review")} ${card(greet)}`).waitFor();
    await page.locator(`${column("review")} ${card(bye)}`).waitFor();

    // Bad review requests are refused with the reason, and change nothing.
    const tip = repo.git(["rev-parse", "rewind"]).trim();
    const post = async (body: unknown): Promise<{ status: number; error?: { message: string } }> => {
      const res = await fetch(`http://127.0.0.1:${rig.board!.port}/api/task/${greet}/review`, { method: "POST", headers: { "x-rw-token": rig.board!.token, "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: res.status, ...((await res.json()) as { error?: { message: string } }) };
    };
    expect(await post({ verdict: "reject", feedback: "  " })).toMatchObject({ status: 400, error: { message: expect.stringContaining("say what to change") as string } });
    expect(await post({ verdict: "maybe" })).toMatchObject({ status: 400 });
    expect(await post({ verdict: "approve", commit: "0".repeat(40) })).toMatchObject({ status: 409, error: { message: expect.stringContaining("newer attempt") as string } });
    expect(repo.git(["rev-parse", "rewind"]).trim()).toBe(tip);

    // A drag cannot skip the review: the page says why and nothing changes.
    await page.dragAndDrop(card(bye), `${column("done")} .cards`);
    await expect(page.getByRole("alert").first().innerText()).resolves.toContain(`${bye} is waiting for review`);
    expect(repo.git(["rev-parse", "rewind"]).trim()).toBe(tip);
    await page.locator(`${column("review")} ${card(bye)}`).waitFor();

    // The review panel: the diff as it would land, the gate that passed, the verifier's verdict.
    await page.locator(card(greet)).click();
    const panel = page.getByRole("region", { name: "review" });
    await panel.locator(".diff").waitFor();
    await expect(panel.locator(".diff").innerText()).resolves.toContain("+hello world");
    await expect(panel.locator(".diffstat").innerText()).resolves.toContain("greeting.txt");
    await expect(panel.locator(".gates").innerText()).resolves.toMatch(/pass\s+test -s greeting\.txt/);
    await expect(panel.locator(".verdicts").innerText()).resolves.toContain("greeting.txt is there");
    await expect(panel.locator(".verdicts").innerText()).resolves.toContain("greeting.txt is in the diff");

    // Reject with feedback: open again on the ref, with the feedback recorded as the board's actor.
    await panel.locator('textarea[name="feedback"]').fill("Say hello to the reader by name, not to the world.");
    await panel.getByRole("button", { name: "Reject with feedback" }).click();
    await page.locator(".toast.ok", { hasText: `${greet} sent back to a worker` }).waitFor();
    await waitFor(async () => (await statusOf(repo, greet)) === "open", { timeoutMs: 30_000, what: "the rejected task open again" });
    const history = await rwJson<{ events: Array<{ type: string; actor: string; data: { feedback?: string } }> }>(repo, ["history", greet]);
    const rejected = history.events.filter((e) => e.type === "task.review_rejected");
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.actor).toBe("Board Person");
    expect(rejected[0]!.data.feedback).toBe("Say hello to the reader by name, not to the world.");
    await page.locator(".task-page .status.s-open").waitFor();
    // The task's history on its page: the rejection, by the board's actor, with the commit that recorded it.
    const entry = page.locator(".history li", { hasText: "task.review_rejected" });
    await entry.waitFor();
    await expect(entry.innerText()).resolves.toContain("Board Person");
    await expect(entry.locator("code.commit").innerText()).resolves.toMatch(/^[0-9a-f]{8}$/);
    await page.getByRole("region", { name: "review" }).waitFor({ state: "detached" });

    // The next attempt's prompt carries the feedback: rw run writes each prompt to the task's
    // transcript, which this page streams while it is open (no reload).
    const pane = page.getByLabel("agent transcript");
    await expect(pane.innerText()).resolves.toContain(`Writing greeting.txt for ${greet}.`);
    await expect(pane.innerText()).resolves.not.toContain("sent back by a reviewer");
    const again = await repo.rw(["run", "--review", "--task", greet]);
    expect(again.code, again.stderr + again.stdout).toBe(0);
    const transcript = readFileSync(join(repo.dir, ".git", "rewind", "logs", `${greet}.log`), "utf8");
    const prompts = transcript.split("--- prompt").slice(1);
    expect(prompts).toHaveLength(2);
    expect(prompts[0]).not.toContain("Say hello to the reader by name");
    expect(prompts[1]).toContain("sent back by a reviewer");
    expect(prompts[1]).toContain("Say hello to the reader by name, not to the world.");
    await page.locator("pre[aria-label='agent transcript']", { hasText: "Say hello to the reader by name, not to the world." }).waitFor();
    await page.getByRole("region", { name: "review" }).locator(".diff").waitFor(); // back for review, live
    await page.getByRole("link", { name: "← board" }).click();
    await page.locator(`${column("review")} ${card(greet)}`).waitFor();

    // Approve the other: merged on the integration branch through the merge queue, done on the ref.
    await page.locator(card(bye)).click();
    await page.getByRole("region", { name: "review" }).locator(".diff").waitFor();
    await page.getByRole("button", { name: "Approve and merge" }).click();
    await page.locator(".toast.ok", { hasText: `${bye} approved and merged into main` }).waitFor({ timeout: 120_000 });
    await waitFor(async () => (await statusOf(repo, bye)) === "done", { timeoutMs: 30_000, what: "the approved task done" });
    expect(repo.git(["show", "main:farewell.txt"])).toBe("goodbye world\n");
    expect(repo.git(["log", "-1", "--format=%s", "main"])).toContain(bye);
    const approved = (await rwJson<{ events: Array<{ type: string; actor: string; data: Record<string, unknown> }> }>(repo, ["history", bye])).events.find((e) => e.type === "task.completed");
    expect(approved?.actor).toBe("Board Person");
    expect(approved?.data).toMatchObject({ review: "approved", approved_by: "Board Person" });
    await page.getByRole("link", { name: "← board" }).click();
    await page.locator(`${column("done")} ${card(bye)}`).waitFor();

    // Sessions: both runs, with their tokens and cost (priced in the config); analytics: the done task as a bar.
    await page.keyboard.press("s");
    const rows = page.locator("table.sessions tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    const row = await rows.first().innerText();
    expect(row).toMatch(/[1-9][\d,]* *\t?\$0\.\d*[1-9]/);
    await page.keyboard.press("a");
    await page.locator("#chart-throughput rect").first().waitFor();
    await expect(page.locator(".stats").innerText()).resolves.toContain("1 tasks");
    expect(repo.git(["ls-tree", "--name-only", "main"])).not.toContain("greeting.txt"); // the rejected one waits for review again
  }, 300_000); // two rw runs, an approval with gates, under a loaded machine
});
