import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";
import { expectDoctorOk, rwFails, rwJson } from "../helpers/rw.ts";

/**
 * `rw import` holds text to the create/MCP rule (issue 14): control characters in titles,
 * bodies, notes, reasons and names never reach the ref or the terminal. Text is cleaned and
 * reported per item and field; names and gate commands are dropped, never edited; `--strict`
 * refuses the whole file. One minimal beads file, through the built `rw`.
 */

// eslint-disable-next-line no-control-regex -- finding raw control characters in output is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const ISSUES = [
  { id: "bd-1", title: "Line one\nLine two", description: "ok body", status: "open", priority: 1, issue_type: "task" },
  { id: "bd-2", title: "esc \u001b[31mred\u001b[0m title", description: "log: \u001b[32mPASS\u001b[0m\nnul\u0000here", status: "closed", close_reason: "fixed \u0007bell", priority: 2, issue_type: "bug", assignee: "agent\u001b]0;pwned\u0007" },
  { id: "bd-3", title: "Comments", description: "", status: "in_progress", assignee: "bob\u0000", comments: [{ author: "eve\u001b[2J", text: "hi \u0000there" }] },
  { id: "bd-4", title: "Clean one", description: "plain", status: "open", priority: 2, issue_type: "task", assignee: "carol" },
];

let repo: TempRepo;
beforeAll(async () => {
  repo = makeRepo({ init: true });
  mkdirSync(join(repo.dir, ".beads"));
  writeFileSync(join(repo.dir, ".beads", "issues.jsonl"), `${ISSUES.map((i) => JSON.stringify(i)).join("\n")}\n`);
});
afterAll(() => repo?.cleanup());

describe("rw import: control characters in text fields", () => {
  it("--strict refuses the file, names the items and fields, and writes nothing", async () => {
    const before = repo.git(["rev-parse", "refs/heads/rewind"]);
    const r = await rwFails(repo, ["import", ".beads/issues.jsonl", "--strict"], 2, /malformed items?: .*bd-1 \(title contained U\+000A \(newline\)/);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(repo.git(["rev-parse", "refs/heads/rewind"])).toBe(before);
  });

  it("without --strict: cleaned and reported; nothing raw on the ref, in the report or in rw list", async () => {
    const r = await repo.rw(["import", ".beads/issues.jsonl", "--verbose"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toMatch(/imported 4 tasks of 4 items/);
    expect(r.stdout).toMatch(/bd-1: title contained U\+000A \(newline\) at character 9: line breaks joined with spaces/);
    expect(r.stdout).toMatch(/bd-2: body contained U\+001B \(ESC\)/);
    expect(r.stdout).toMatch(/bd-2: assignee "agent\\u001b\]0;pwned\\u0007" is not a name rw can record/);
    expect(r.stdout).toMatch(/bd-3: note 1's author "eve\\u001b\[2J" .*recorded as the importing user/);

    const list = await repo.rw(["list", "--all"]);
    expect(list.stdout).not.toMatch(RAW_CONTROL);
    expect(list.stdout.trim().split("\n")).toHaveLength(4); // a title's newline printed no extra row
    const show = async (id: string) => (await rwJson<{ task: Record<string, unknown> }>(repo, ["show", id])).task;
    expect(await show("bd-1")).toMatchObject({ title: "Line one Line two" });
    expect(await show("bd-2")).toMatchObject({ title: "esc red title", body: "log: PASS\nnulhere\n", status: "done" });
    const bd3 = await show("bd-3");
    expect(bd3).toMatchObject({ status: "open", notes: [expect.objectContaining({ text: "hi there" })] }); // no valid claimant: open
    expect(bd3.assignee).toBeUndefined();
    expect(await show("bd-4")).toMatchObject({ title: "Clean one", body: "plain\n" });

    expect(repo.git(["log", "-p", "refs/heads/rewind"])).not.toMatch(RAW_CONTROL);
    expect(repo.git(["fsck", "--no-progress", "--strict"]).trim()).toBe("");
    await expectDoctorOk(repo);
  });
});
