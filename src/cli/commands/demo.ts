import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RwError } from "../../domain/errors.ts";
import { defineRw } from "../command.ts";
import { context } from "../context.ts";

/**
 * A short tour in a throw-away repository: every step is the real `rw` binary, so what it
 * prints is exactly what a user would see. No API key, no network.
 */
export default defineRw({
  meta: { name: "demo", description: "Run a short built-in tour in a temporary repository" },
  args: { keep: { type: "boolean", description: "keep the temporary repository and print its path" } },
  examples: ["rw demo", "rw demo --keep"],
  async run({ args }) {
    const ctx = context();
    const dir = mkdtempSync(join(tmpdir(), "rw-demo-"));
    const bin = fileURLToPath(new URL("../main.js", import.meta.url));
    const env = { ...ctx.env, RW_ACTOR: "you", NO_COLOR: "1", GIT_AUTHOR_NAME: "you", GIT_COMMITTER_NAME: "you", GIT_AUTHOR_EMAIL: "you@example.com", GIT_COMMITTER_EMAIL: "you@example.com" };
    const sh = (cmd: string, argv: string[], extraEnv: Record<string, string> = {}, show = true): string => {
      if (show) ctx.stdout(`\n$ ${cmd === process.execPath ? "rw" : cmd} ${argv.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" ")}\n`);
      const r = spawnSync(cmd, cmd === process.execPath ? [bin, ...argv] : argv, { cwd: dir, env: { ...env, ...extraEnv }, encoding: "utf8" });
      if (show) ctx.stdout(`${r.stdout}${r.stderr}`);
      // 3 and 4 are part of the tour (a lost claim, nothing ready); anything else is a failure.
      if (r.status !== 0 && r.status !== 3 && r.status !== 4) throw new RwError("invalid_input", `demo step failed: ${cmd} ${argv.join(" ")}\n${r.stderr}`);
      return r.stdout.trim();
    };
    const rw = (argv: string[], actor = "you", show = true): string => sh(process.execPath, argv, { RW_ACTOR: actor }, show);
    try {
      ctx.stdout(`rw demo in ${dir}\n`);
      sh("git", ["init", "-q", "-b", "main"], {}, false);
      writeFileSync(join(dir, "app.js"), "export const greet = (name) => `hello ${name}`;\n");
      sh("git", ["add", "."], {}, false);
      sh("git", ["commit", "-q", "-m", "a tiny app"], {}, false);
      rw(["init"]);
      const api = rw(["create", "Design the greeting API", "-p", "1", "--type", "feature", "--body", "## Acceptance criteria\n- [ ] greet() documented"]);
      const impl = rw(["create", "Implement greet in French", "--dep", api, "--label", "i18n"]);
      rw(["create", "Write tests for greet", "--dep", impl, "-p", "2"]);
      rw(["create", "Fix typo in README", "-p", "3", "--type", "chore"]);
      rw(["ready", "--explain"]);
      rw(["claim", "--next"], "agent-1");
      rw(["claim", "--next"], "agent-2");
      rw(["claim", api], "agent-2");
      rw(["done", api, "--summary", "greet(name, lang)"], "agent-1");
      rw(["ready"]);
      rw(["history", api]);
      // Larger work: an initiative whose phases are approved one at a time.
      const plan = rw(["initiative", "new", "Greetings in every language", "--phase", "French and German", "--phase", "Right-to-left scripts", "--body", "Greet users in their own language."]);
      rw(["initiative", "submit", plan]);
      rw(["initiative", "approve", plan, "--phase", "1"]);
      const fr = rw(["create", "Add German", "--initiative", plan, "--phase", "1"]);
      rw(["create", "Add Arabic", "--initiative", plan, "--phase", "2"]);
      rw(["ready", "--explain"]);
      rw(["decide", "Use Intl.DisplayNames, not a table", "--initiative", plan, "--why", "no data to maintain"]);
      rw(["claim", fr], "agent-1");
      rw(["done", fr], "agent-1");
      rw(["initiative", "show", plan]);
      sh("git", ["log", "--format=%h %an: %s", "rewind"]);
      rw(["doctor"]);
      ctx.stdout(`\nThat was rw: the backlog lives on refs/heads/rewind of this repository.\n`);
    } finally {
      if (args.keep) ctx.stdout(`kept ${dir}\n`);
      else rmSync(dir, { recursive: true, force: true });
    }
  },
});
