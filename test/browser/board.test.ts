import { request } from "node:http";
import { describe, expect } from "vitest";
import { boardRig, NO_BROWSER, openBrowser, startBoard, type BoardProc, type BrowserSession } from "../helpers/browser.ts";
import { makeRepo, waitFor, type TempRepo } from "../helpers/repo.ts";
import { rwJson } from "../helpers/rw.ts";

/**
 * `rw board` in a real headless Chromium (Debian's package, driven by playwright-core): the page
 * a person uses, the CLI writing beside it, and the ref checked afterwards. A failing test saves
 * a screenshot under test-results/ and attaches it to the test's output.
 */
const { rig, it } = boardRig("board browser tests");

async function setUp(): Promise<{ repo: TempRepo; board: BoardProc; page: BrowserSession["page"] }> {
  const repo = (rig.repo = makeRepo());
  await repo.rwOk(["init"]);
  const board = (rig.board = await startBoard(repo, { actor: "Board Person" }));
  const { page } = (rig.session = await openBrowser());
  return { repo, board, page };
}

const create = async (r: TempRepo, title: string, extra: string[] = []): Promise<string> => (await rwJson<{ id: string }>(r, ["create", title, ...extra])).id;
const statusOf = async (r: TempRepo, id: string): Promise<{ status: string; assignee?: string }> => (await rwJson<{ task: { status: string; assignee?: string } }>(r, ["show", id])).task;
const column = (status: string): string => `section.column[data-status="${status}"]`;
const card = (id: string): string => `.card[data-id="${id}"]`;

/** GET/POST with any headers (fetch cannot set Host). */
function raw(port: number, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: opts.method ?? "GET", headers: opts.headers ?? {} }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c.toString();
        if (res.headers["content-type"]?.startsWith("text/event-stream")) req.destroy(); // a stream that opened is enough
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("close", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

describe.skipIf(NO_BROWSER !== undefined)("rw board in Chromium", () => {
  it("shows the CLI's tasks and a task created afterwards appears without a reload", async () => {
    const { repo, board, page } = await setUp();
    const first = await create(repo, "Write the login endpoint", ["-p", "1", "--label", "api"]);
    await page.goto(board.url);
    await page.locator(`${column("open")} ${card(first)}`).waitFor();
    await expect(page.locator(card(first)).innerText()).resolves.toContain("Write the login endpoint");
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));

    const second = await create(repo, "Document the token format", ["--label", "docs"]);
    await page.locator(`${column("open")} ${card(second)}`).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42); // same page: no reload
    await rwJson(repo, ["claim", first], { actor: "agent-2" });
    await page.locator(`${column("in_progress")} ${card(first)}`).waitFor();
    await expect(page.locator(card(first)).innerText()).resolves.toContain("@agent-2");
  });

  it("follows the ref wherever it goes: a cancel frees a dependent, and a reset to an older commit puts the page back", async () => {
    const { repo, board, page } = await setUp();
    const a = await create(repo, "Pick the token format");
    const b = await create(repo, "Write the login endpoint", ["--dep", a]);
    await page.goto(board.url);
    await page.locator(`${column("open")} ${card(b)} .waits`).filter({ hasText: a }).waitFor();
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 7));
    const before = repo.git(["rev-parse", "rewind"]).trim();

    await rwJson(repo, ["claim", a], { actor: "agent-2" });
    await page.locator(`${column("in_progress")} ${card(a)}`).waitFor();
    await rwJson(repo, ["cancel", a, "--reason", "superseded"], { actor: "agent-2" });
    await page.locator(`${column("cancelled")} ${card(a)}`).waitFor();
    await page.locator(`${column("open")} ${card(b)}:not(:has(.waits))`).waitFor(); // a cancelled dependency waits for nothing
    const c = await create(repo, "Created after the reset point");
    await page.locator(`${column("open")} ${card(c)}`).waitFor();
    await page.locator(".top .meta").filter({ hasText: "3 tasks" }).waitFor();

    // Not a descendant of what the page shows: the board replays, and the delta undoes all three writes.
    repo.git(["update-ref", "refs/heads/rewind", before]);
    await page.locator(`${column("open")} ${card(a)}`).waitFor();
    await page.locator(`${column("open")} ${card(b)} .waits`).filter({ hasText: a }).waitFor();
    await expect(page.locator(card(c)).count()).resolves.toBe(0);
    await expect(page.locator(`${column("cancelled")} .card`).count()).resolves.toBe(0);
    await expect(page.locator(card(a)).innerText()).resolves.not.toContain("@agent-2");
    await page.locator(".top .meta").filter({ hasText: "2 tasks" }).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(7); // the same page: no reload

    // And forward again (the ref moved back to where it was): the page follows.
    await repo.rwOk(["cancel", a, "--reason", "superseded again"]);
    await page.locator(`${column("cancelled")} ${card(a)}`).waitFor();
    await page.locator(`${column("open")} ${card(b)}:not(:has(.waits))`).waitFor();
  });

  it("drags a card to another column: the ref records it as the board's actor", async () => {
    const { repo, board, page } = await setUp();
    const id = await create(repo, "Drag me");
    await page.goto(board.url);
    await page.locator(card(id)).waitFor();
    await page.dragAndDrop(card(id), `${column("in_progress")} .cards`);
    await page.locator(`${column("in_progress")} ${card(id)}`).waitFor();
    await waitFor(async () => (await statusOf(repo, id)).status === "in_progress", { timeoutMs: 30_000, what: "the claim on the ref" });
    expect((await statusOf(repo, id)).assignee).toBe("Board Person");
    const log = repo.git(["log", "-1", "--format=%an %s", "rewind"]);
    expect(log).toContain("Board Person");

    await page.dragAndDrop(card(id), `${column("done")} .cards`);
    await page.locator(`${column("done")} ${card(id)}`).waitFor();
    expect((await statusOf(repo, id)).status).toBe("done");
  });

  it("a refused move (a card another agent holds, dragged to done) shows the CLI's message and changes nothing", async () => {
    const { repo, board, page } = await setUp();
    const id = await create(repo, "Held by an agent");
    await rwJson(repo, ["claim", id], { actor: "agent-7" });
    await page.goto(board.url);
    await page.locator(`${column("in_progress")} ${card(id)}`).waitFor();
    const tip = repo.git(["rev-parse", "rewind"]).trim();

    await page.dragAndDrop(card(id), `${column("done")} .cards`);
    const alert = page.getByRole("alert").first();
    await expect(alert.innerText()).resolves.toContain(`${id} is claimed by agent-7, not by Board Person: only the claimant can make it done`);
    // The card stays where it was, and the ref did not move.
    await expect(page.locator(`${column("done")} ${card(id)}`).count()).resolves.toBe(0);
    await expect(page.locator(`${column("in_progress")} ${card(id)}`).count()).resolves.toBe(1);
    expect(repo.git(["rev-parse", "rewind"]).trim()).toBe(tip);
    expect(await statusOf(repo, id)).toEqual(expect.objectContaining({ status: "in_progress", assignee: "agent-7" }));

    // The keyboard move (Shift+← on the focused card, back to open) is refused the same way.
    await page.locator(card(id)).focus();
    await page.keyboard.press("Shift+ArrowLeft");
    await page.getByRole("alert").filter({ hasText: `${id} is claimed by agent-7, not by Board Person: only the claimant can make it open` }).waitFor();
    await expect(page.locator(`${column("in_progress")} ${card(id)}`).count()).resolves.toBe(1);
    expect(repo.git(["rev-parse", "rewind"]).trim()).toBe(tip);
  });

  it("approves a phase from the initiatives view; a refused approval shows the CLI's message", async () => {
    const { repo, board, page } = await setUp();
    const ini = (await repo.rwOk(["initiative", "new", "Auth rewrite", "--phase", "Token format", "--phase", "Login flow"])).trim();
    const task = await create(repo, "Pick a token format", ["--initiative", ini, "--phase", "1"]);
    await page.goto(`${board.url}#/initiatives`);
    const phase1 = page.locator(`[data-initiative="${ini}"] [data-phase="1"]`);
    await phase1.getByRole("button", { name: "Approve phase 1" }).click();
    // A draft cannot be approved: the page says why, in the CLI's words, and nothing changed.
    await expect(page.getByRole("alert").first().innerText()).resolves.toContain(`cannot approve a phase of ${ini}: it is a draft`);
    expect((await rwJson<{ phases: Array<{ status: string }> }>(repo, ["initiative", "show", ini])).phases[0]!.status).toBe("planned");

    await repo.rwOk(["initiative", "submit", ini]);
    await page.locator(`[data-initiative="${ini}"] .status.i-review`).waitFor();
    await phase1.getByRole("button", { name: "Approve phase 1" }).click();
    await phase1.locator(".status.ph-approved").waitFor();
    await expect(phase1.getByRole("button", { name: "Approve phase 1" }).count()).resolves.toBe(0);
    const shown = await rwJson<{ initiative: { status: string }; phases: Array<{ status: string }> }>(repo, ["initiative", "show", ini]);
    expect(shown.phases[0]!.status).toBe("approved");
    expect(shown.initiative.status).toBe("approved");
    expect((await rwJson<{ ready: boolean }>(repo, ["show", task])).ready).toBe(true);
  });

  it("edits a task, adds a note, creates a task, and renders a hostile body as text", async () => {
    const { repo, board, page } = await setUp();
    const id = await create(repo, "Old title", ["--body", "Plain.\n\n<img src=x onerror=\"window.pwned=1\"> [click](javascript:window.pwned=2)\n\n## Acceptance criteria\n- [ ] it works\n"]);
    await page.goto(`${board.url}#/task/${id}`);
    await page.getByRole("heading", { name: "Old title" }).waitFor();
    await expect(page.locator(".markdown").innerText()).resolves.toContain('<img src=x onerror="window.pwned=1">');
    expect(await page.locator(".markdown img, .markdown a[href^=javascript]").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await expect(page.locator(".criteria").innerText()).resolves.toContain("it works");

    await page.getByRole("button", { name: "Edit" }).click();
    await page.locator('.editor input[name="title"]').fill("New title");
    await page.locator('.editor input[name="labels"]').fill("api, urgent");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: "New title" }).waitFor();
    const t = (await rwJson<{ task: { title: string; labels: string[] } }>(repo, ["show", id])).task;
    expect(t.title).toBe("New title");
    expect(t.labels).toEqual(["api", "urgent"]);

    await page.locator('textarea[name="note"]').fill("checked with the API team");
    await page.getByRole("button", { name: "Add note" }).click();
    await page.locator(".notes li", { hasText: "checked with the API team" }).waitFor();
    expect((await rwJson<{ task: { notes: Array<{ actor: string; text: string }> } }>(repo, ["show", id])).task.notes).toEqual([expect.objectContaining({ actor: "Board Person", text: "checked with the API team" })]);

    await page.getByRole("link", { name: "Board", exact: true }).click();
    await page.locator(card(id)).waitFor();
    await page.keyboard.press("n");
    await page.locator('dialog input[name="title"]').fill("Made in the browser");
    await page.getByRole("button", { name: "Create" }).click();
    await page.locator(".card", { hasText: "Made in the browser" }).waitFor();
    const list = await rwJson<{ tasks: Array<{ title: string }> }>(repo, ["list"]);
    expect(list.tasks.map((x) => x.title)).toContain("Made in the browser");
  });

  it("needs its token on every request, and answers only to its own host name", async () => {
    const { board } = await setUp();
    const t = board.token;
    const host = { host: `127.0.0.1:${board.port}` };
    expect((await raw(board.port, "/", { headers: host })).status).toBe(403);
    expect((await raw(board.port, "/?token=wrong", { headers: host })).status).toBe(403);
    expect((await raw(board.port, "/app.js", { headers: host })).status).toBe(403);
    expect((await raw(board.port, "/api/stream", { headers: host })).status).toBe(403);
    expect((await raw(board.port, `/api/stream?token=${t}`, { headers: host })).status).toBe(200);
    expect((await raw(board.port, `/?token=${t}`, { headers: host })).status).toBe(200);
    // A write needs the header: a form or link on another site cannot carry it.
    const post = { method: "POST", headers: { ...host, "content-type": "application/json" }, body: JSON.stringify({ title: "x" }) };
    expect((await raw(board.port, `/api/task?token=${t}`, post)).status).toBe(403);
    expect((await raw(board.port, "/api/task", { ...post, headers: { ...post.headers, "x-rw-token": t, origin: "http://evil.example" } })).status).toBe(403);
    // DNS rebinding: a page on evil.example resolved to 127.0.0.1 sends its own Host.
    expect((await raw(board.port, `/?token=${t}`, { headers: { host: `evil.example:${board.port}` } })).status).toBe(421);
    const ok = await raw(board.port, "/api/task", { ...post, headers: { ...post.headers, "x-rw-token": t } });
    expect(ok.status).toBe(200);
  });
});
