import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DOMAIN_NOTES_CAP, readDomainNotes, relevantNotes } from "../../../src/agents/domain-notes.ts";
import { promptVars } from "../../../src/agents/prompt.ts";
import type { Task } from "../../../src/domain/types.ts";

const task = (title: string, body = ""): Task => ({
  id: "rw-1", title, status: "open", priority: 2, type: "task", labels: [], deps: [], gates: [], created_at: "", updated_at: "", body, retry_count: 0, notes: [],
});

describe("domain notes (.rewind/domain/*.md)", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("reads the notes, skipping symlinks and non-Markdown files", async () => {
    const root = mkdtempSync(join(tmpdir(), "rw-notes-"));
    dirs.push(root);
    mkdirSync(join(root, ".rewind", "domain"), { recursive: true });
    writeFileSync(join(root, ".rewind", "domain", "glossary.md"), "# Glossary\n- tenant: a paying customer\n");
    writeFileSync(join(root, ".rewind", "domain", "notes.txt"), "not a note");
    writeFileSync(join(root, "secret.md"), "outside");
    symlinkSync(join(root, "secret.md"), join(root, ".rewind", "domain", "leak.md"));
    expect((await readDomainNotes(root)).map((n) => n.name)).toEqual(["glossary"]);
    expect(await readDomainNotes(join(root, "missing"))).toEqual([]);
  });

  it("includes the glossary and invariants always, other notes when the work mentions them, within the cap", () => {
    const notes = [
      { name: "glossary", text: "# Glossary\n- tenant: a paying customer" },
      { name: "billing", text: "# Billing\nInvoices are immutable once sent." },
      { name: "search", text: "# Search index\nRebuilt nightly." },
      { name: "huge", text: `# Billing appendix\n${"x".repeat(DOMAIN_NOTES_CAP)}` },
    ];
    expect(relevantNotes(notes, "Fix the billing rounding bug").map((n) => n.name)).toEqual(["glossary", "billing"]);
    expect(relevantNotes(notes, "Speed up the search index").map((n) => n.name)).toEqual(["glossary", "search"]);
  });

  it("the worker and verifier prompts carry the relevant notes", () => {
    const vars = promptVars({ task: task("Fix billing totals"), role: "worker", configGates: [], events: [], domainNotes: [{ name: "billing", text: "# Billing\nInvoices are immutable." }] });
    expect(vars.domain).toContain("Invoices are immutable.");
    expect(vars.domain).toContain(".rewind/domain/billing.md");
  });
});
