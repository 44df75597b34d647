import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runRepos } from "../../helpers/run.ts";
import { eventsOnRef } from "../../helpers/rw.ts";

const fixtures = runRepos();

/** A fake worker (providers/fake.ts script) that writes a program printing its environment, runs it, and finishes. */
function leakyWorker(dir: string): string {
  const file = join(dir, "worker.json");
  const leak = "const out = JSON.stringify(Object.keys(process.env).sort()) + '\\n' + JSON.stringify(process.env);\n" +
    "if (process.argv[2] === '-') console.log(JSON.stringify(Object.keys(process.env).sort())); else require('fs').writeFileSync(process.argv[2], out);\n";
  writeFileSync(file, JSON.stringify({ turns: [
    { tool_calls: [{ name: "write_file", input: { path: "leak.js", content: leak } }] },
    { tool_calls: [{ name: "run_command", input: { command: "node leak.js tool-env.txt" } }] },
    { tool_calls: [{ name: "finish", input: { summary: "printed the environment" } }] },
  ] }));
  return file;
}

const SECRETS = { ANTHROPIC_API_KEY: "sk-ant-test-leak-000000000000", GITHUB_TOKEN: "ghp_testleak000000000000000000", DB_PASSWORD: "hunter2-hunter2", NPM_TOKEN: "npm-pass-through-1" };

describe("rw run's clean environment", () => {
  it("run_command children and gates see no provider key or secret-named variable; tools.pass_env lets one through", async () => {
    const { repo, wtDir } = await fixtures.configured();
    const worker = leakyWorker(wtDir);
    writeFileSync(join(repo.dir, ".rewind", "config.toml"), `version = 1\n[ids]\nprefix = "t"\n[execution]\nworktree_dir = ${JSON.stringify(join(wtDir, "wt"))}\ngates = ["node leak.js -"]\n` +
      `[roles.worker]\nprovider = "fake"\nscript = ${JSON.stringify(worker)}\n[roles.verifier]\nprovider = "fake"\n[tools]\nallow_commands = ["node leak.js"]\npass_env = ["NPM_TOKEN"]\n`);
    repo.git(["commit", "-qam", "config"]);
    const id = await repo.rwOk(["create", "Print the environment"]);
    const run = await repo.rw(["run", "--task", id], { env: SECRETS });
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const gateRun = eventsOnRef(repo).find((e) => e.type === "gate.ran")!;
    for (const [file, text] of [["tool-env.txt", repo.git(["show", "main:tool-env.txt"])], ["the gate's output", String(gateRun.data.output_tail)]] as const) {
      expect(text).toContain("PATH");
      for (const name of ["ANTHROPIC_API_KEY", "GITHUB_TOKEN", "DB_PASSWORD"]) {
        expect(text, `${file} shows ${name}`).not.toContain(name);
        expect(text).not.toContain(SECRETS[name as keyof typeof SECRETS]);
      }
      expect(text).toContain(file === "tool-env.txt" ? SECRETS.NPM_TOKEN : '"NPM_TOKEN"');
    }
  });
});

describe("the user's git hooks during rw run", () => {
  // The hooks a checkout, commit or merge runs (reference-transaction also fires for the state ref rw writes with update-ref).
  const HOOKS = ["post-checkout", "post-commit", "post-merge", "pre-merge-commit"];
  const installHooks = (dir: string, log: string): void => {
    const hooks = join(dir, ".git", "hooks");
    mkdirSync(hooks, { recursive: true });
    for (const h of HOOKS) {
      writeFileSync(join(hooks, h), `#!/bin/sh\necho "${h} $PWD" >> ${JSON.stringify(log)}\n`);
      chmodSync(join(hooks, h), 0o755);
    }
  };
  const twoTasks = async (repo: { rwOk(a: string[]): Promise<string> }) => {
    // Two tasks on one file's neighbours, so the second merge is a real merge of main into its branch.
    return [await repo.rwOk(["create", "Write a"]), await repo.rwOk(["create", "Write b"])];
  };
  const workerScript = (dir: string): string => {
    const file = join(dir, "worker-{id}.json");
    return file;
  };

  it("do not run by default (worktree add, commits, merges, the fast-forward); execution.git_hooks = true runs them", async () => {
    for (const gitHooks of [false, true]) {
      const { repo, wtDir } = await fixtures.configured();
      const log = join(wtDir, "hooks.log");
      const [a, b] = await twoTasks(repo);
      const script = workerScript(wtDir);
      for (const [id, file] of [[a!, "a.txt"], [b!, "b.txt"]] as const) {
        writeFileSync(script.replace("{id}", id), JSON.stringify({ turns: [
          { tool_calls: [{ name: "write_file", input: { path: file, content: `${file}\n` } }, { name: "finish", input: { summary: `wrote ${file}` } }] },
        ] }));
      }
      writeFileSync(join(repo.dir, ".rewind", "config.toml"), `version = 1\n[ids]\nprefix = "t"\n[execution]\nworktree_dir = ${JSON.stringify(join(wtDir, "wt"))}\ngit_hooks = ${gitHooks}\n` +
        `[roles.worker]\nprovider = "fake"\nscript = ${JSON.stringify(script)}\n[roles.verifier]\nprovider = "fake"\n`);
      repo.git(["commit", "-qam", "config"]);
      installHooks(repo.dir, log);
      const run = await repo.rw(["run", "--parallel", "2"]);
      expect(run.code, run.stderr + run.stdout).toBe(0);
      expect(repo.git(["show", "main:a.txt"])).toBe("a.txt\n");
      expect(repo.git(["show", "main:b.txt"])).toBe("b.txt\n");
      if (!gitHooks) expect(existsSync(log) ? readFileSync(log, "utf8") : "", "a user hook ran during rw run").toBe("");
      else expect(existsSync(log)).toBe(true);
    }
  });
});
