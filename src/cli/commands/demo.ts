import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RwError } from "../../domain/errors.ts";
import { packagePath } from "../../store/package-root.ts";
import { defineRw } from "../command.ts";
import { context } from "../context.ts";

const DEMO = `${packagePath("templates", "demo")}/`;

/** The agents of the demo: the scripted `fake` provider, one script per task (templates/demo/scripts). */
const demoConfig = (worktrees: string): string => `# rw demo: scripted agents (the fake provider), no network, no key.
version = 1

[ids]
prefix = "gr"

[execution]
integration_branch = "main"
worktree_dir = ${JSON.stringify(worktrees)}

[agents]
provider = "fake"

[roles.planner]
script = ".rewind/demo/planner.json"

[roles.worker]
script = ".rewind/demo/worker-{slug}.json"

[roles.verifier]
script = ".rewind/demo/verifier-{slug}.json"
`;

/**
 * rw's main job in a throw-away repository: a small program and a PRD; `rw plan` turns the PRD
 * into an initiative with tasks, `rw run --parallel 2` has agents do them in worktrees, gates and
 * a verifier check the work, and it is merged. The agents are the `fake` provider playing scripts
 * that really edit files: no API key, no network. Every step is the real `rw` binary.
 */
export default defineRw({
  meta: { name: "demo", description: "Plan and run a small project with scripted agents, in a temporary repository" },
  args: { keep: { type: "boolean", description: "keep the temporary repository and print its path" } },
  examples: ["rw demo", "rw demo --keep"],
  async run({ args }) {
    const ctx = context();
    const tmp = mkdtempSync(join(tmpdir(), "rw-demo-"));
    const dir = join(tmp, "greeter");
    const bin = packagePath("dist", "cli", "main.js");
    const who = { GIT_AUTHOR_NAME: "you", GIT_COMMITTER_NAME: "you", GIT_AUTHOR_EMAIL: "you@example.com", GIT_COMMITTER_EMAIL: "you@example.com" };
    const env = { ...ctx.env, ...who, RW_ACTOR: "you", NO_COLOR: "1", GIT_CONFIG_NOSYSTEM: "1" };
    const sh = (cmd: string, argv: string[], show = true): string => {
      const shown = cmd === process.execPath ? "rw" : cmd;
      if (show) ctx.stdout(`\n$ ${shown} ${argv.map((a) => (/[\s"*]/.test(a) ? JSON.stringify(a) : a)).join(" ")}\n`);
      const r = spawnSync(cmd, cmd === process.execPath ? [bin, ...argv] : argv, { cwd: dir, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
      if (show) ctx.stdout(`${r.stdout}${r.stderr}`);
      if (r.status !== 0) throw new RwError("invalid_input", `demo step failed: ${shown} ${argv.join(" ")}\n${r.stderr}`, { hint: `rerun with --keep and look in ${dir}` });
      return r.stdout.trim();
    };
    const rw = (argv: string[]): string => sh(process.execPath, argv);
    try {
      ctx.stdout(`rw demo in ${dir}\n`);
      cpSync(join(DEMO, "app"), dir, { recursive: true });
      sh("git", ["init", "-q", "-b", "main"], false);
      sh("git", ["config", "gc.auto", "0"], false);
      sh("git", ["add", "."], false);
      sh("git", ["commit", "-q", "-m", "greeter v1"], false);
      rw(["init"]);
      writeFileSync(join(dir, ".rewind", "config.toml"), demoConfig(join(tmp, "worktrees")));
      mkdirSync(join(dir, ".rewind", "demo"), { recursive: true });
      cpSync(join(DEMO, "scripts"), join(dir, ".rewind", "demo"), { recursive: true });
      sh("git", ["add", ".rewind"], false);
      sh("git", ["commit", "-q", "-m", "rw config (scripted demo agents)"], false);
      sh("cat", ["prd.md"]);
      // The planner drafts an initiative; a person approves it one phase at a time (rolling approval).
      const planned = rw(["plan", "prd.md"]);
      const plan = /planned (\S+):/.exec(planned)?.[1];
      if (!plan) throw new RwError("invalid_input", "demo: rw plan did not report an initiative");
      rw(["initiative", "submit", plan]);
      rw(["initiative", "approve", plan, "--phase", "1"]);
      rw(["ready", "--explain"]);
      rw(["run", "--parallel", "2"]);
      sh("git", ["show", "rewind:STATE.md"]);
      rw(["decide", "The command line uses no dependencies", "--initiative", plan, "--why", "node alone runs it"]);
      rw(["initiative", "approve", plan, "--phase", "2"]);
      rw(["run", "--parallel", "2"]);
      rw(["initiative", "show", plan]);
      rw(["list", "--all"]);
      sh("git", ["log", "--oneline", "--graph", "main"]);
      sh("node", ["cli.js", "Ada", "--lang", "fr", "--shout"]);
      sh("git", ["log", "-n", "16", "--format=%h %<(24,trunc)%an %s", "rewind"]);
      rw(["doctor"]);
      ctx.stdout(`\nThat was rw: a PRD became an initiative with tasks, agents did them in worktrees, gates and a\nverifier checked them, and they were merged into main. Everything rw knows is on refs/heads/rewind.\n`);
    } finally {
      if (args.keep) ctx.stdout(`kept ${dir}\n`);
      else rmSync(tmp, { recursive: true, force: true });
    }
  },
});
