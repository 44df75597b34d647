import { execa } from "execa";
import { loadAgentConfig } from "../../../agents/load.ts";
import { agentSecretOptions, secretFreeEnv } from "../../../agents/secret-env.ts";
import { decideMerged, decideMergeFailed, decideShipped, initiativeBranchName } from "../../../domain/decide-initiative-branch.ts";
import { RwError } from "../../../domain/errors.ts";
import { completionBlockers, getInitiative } from "../../../domain/initiative-lifecycle.ts";
import { resolveInitiativeId } from "../../../domain/resolve-id.ts";
import type { Initiative } from "../../../domain/types.ts";
import { git } from "../../../store/git.ts";
import { commitsAhead, mergeInitiativeBranch, standaloneSetup } from "../../../orchestrator/initiative-branch.ts";
import { Mutex } from "../../../orchestrator/mutex.ts";
import { openTranscript } from "../../../orchestrator/transcript.ts";
import { repoCwd } from "../../../orchestrator/worktrees.ts";
import { actorArg, jsonArg, one, resolveActor } from "../../args.ts";
import { defineRw } from "../../command.ts";
import { context } from "../../context.ts";
import { printJson } from "../../output.ts";
import { withStore } from "../../read.ts";

/** A word as a POSIX shell reads it back: bare when safe, else single-quoted. */
const quote = (s: string): string => (/^[A-Za-z0-9_./:@=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function prBody(i: Initiative): string {
  const phases = i.phases.map((p) => `- Phase ${p.n}: ${p.title} (${p.status}${p.verification ? `, verification ${p.verification.verdict}` : ""})`);
  return [i.body.trim(), "", "## Phases", ...phases, "", `Shipped by rw from initiative ${i.id}.`].join("\n").trim();
}

export default defineRw({
  meta: { name: "ship", description: "Open an initiative's branch for a pull request: print the git/gh commands, or run them with --push (--merge: merge it locally, gated)" },
  args: {
    id: { type: "positional", description: "initiative ID", required: true },
    push: { type: "boolean", description: "run the commands: push the branch, then `gh pr create` when gh is installed" },
    merge: { type: "boolean", description: "instead: merge the branch into the main integration branch here, through the configured gates" },
    remote: { type: "string", description: "the remote to push to (default: sync.remote, else origin)" },
    base: { type: "string", description: "the pull request's base branch (default: the main integration branch)" },
    title: { type: "string", description: "the pull request's title (default: the initiative's title)" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ["rw initiative ship in-3m8d", "rw initiative ship in-3m8d --push", "rw initiative ship in-3m8d --push --remote upstream --base develop", "rw initiative ship in-3m8d --merge"],
  async run({ args }) {
    const ctx = context();
    await withStore(ctx, async (store) => {
      const state = (await store.snapshot()).state;
      const i = getInitiative(state, resolveInitiativeId(state, args.id));
      const exec = store.config.execution;
      const branch = initiativeBranchName(i, exec.integration === "per-initiative");
      if (!branch) throw new RwError("wrong_state", `${i.id} has no integration branch of its own`, { hint: `give it one: rw initiative edit ${i.id} --branch feat/name (before its tasks run), or set [execution] integration = "per-initiative"` });
      const cwd = repoCwd(store.repo);
      if ((await git(["rev-parse", "-q", "--verify", `refs/heads/${branch}^{commit}`], { cwd })).code !== 0) {
        throw new RwError("not_found", `branch ${branch} does not exist yet`, { hint: `nothing of ${i.id} has landed; run its tasks with \`rw run --initiative ${i.id}\`` });
      }
      if (args.push && args.merge) throw new RwError("usage", "--push and --merge do not go together", { hint: "--push opens a pull request; --merge merges here" });
      const blockers = completionBlockers(state, i);
      if (blockers.length > 0) ctx.stderr(`warning: ${i.id} is not complete (${blockers.join("; ")}); shipping what has landed on ${branch}\n`);
      const setup = await standaloneSetup(store, ctx.env, secretFreeEnv(ctx.env, agentSecretOptions(loadAgentConfig(store))));
      const base = one(args.base) ?? setup.integration;
      const ahead = await commitsAhead(cwd, branch, base);
      const actor = await resolveActor(store, args.actor);

      if (args.merge) {
        const locks = { merge: new Mutex(), worktrees: setup.lock, gitHooks: exec.git_hooks };
        const m = await mergeInitiativeBranch({ ...setup, integration: base }, locks, i, branch, new AbortController().signal, openTranscript(store.repo, i.id));
        if (m.kind === "failed") {
          await store.transact(decideMergeFailed(i.id, { branch, into: base, reason: m.reason }), actor);
          throw new RwError("conflict", `${branch} was not merged into ${base}: ${m.reason}`, { hint: `both branches are as they were; fix it on ${branch}, or ship it for review: rw initiative ship ${i.id} --push` });
        }
        const commit = m.kind === "merged" ? m.commit : "";
        if (m.kind === "merged") await store.transact(decideMerged(i.id, { branch, into: base, commit, previous: m.previous, gates: m.gates }), actor);
        if (args.json) return printJson(ctx, { id: i.id, branch, into: base, merged: m.kind === "merged", commit, gates: m.kind === "merged" ? m.gates : [] });
        return ctx.stdout(m.kind === "merged" ? `merged ${branch} into ${base} (${commit.slice(0, 10)}; ${m.gates.length} gate${m.gates.length === 1 ? "" : "s"} passed)\n` : `${branch} has nothing ${base} lacks\n`);
      }

      const remote = one(args.remote) ?? store.config.sync.remote ?? "origin";
      const title = one(args.title) ?? i.title;
      const body = prBody(i);
      const push = ["git", "push", "-u", remote, branch];
      const pr = ["gh", "pr", "create", "--base", base, "--head", branch, "--title", title, "--body", body];
      const commands = [push, pr];
      if (!args.push) {
        if (args.json) return printJson(ctx, { id: i.id, branch, base, remote, ahead, commands });
        return ctx.stdout(`# ${branch} is ${ahead} commit${ahead === 1 ? "" : "s"} ahead of ${base}. To open it for review:\n${commands.map((c) => c.map(quote).join(" ")).join("\n")}\n# or run them: rw initiative ship ${i.id} --push\n`);
      }
      ctx.stderr(`$ ${push.map(quote).join(" ")}\n`);
      const pushed = await execa(push[0]!, push.slice(1), { cwd, env: ctx.env, extendEnv: false, reject: false, stdin: "ignore" });
      if (pushed.exitCode !== 0) throw new RwError("git", `git push failed: ${(pushed.stderr || pushed.stdout).trim()}`, { hint: `nothing was recorded; check the remote (git remote -v) and run again` });
      ctx.stderr(`$ ${pr.slice(0, 8).map(quote).join(" ")} --body …\n`);
      const gh = await execa(pr[0]!, pr.slice(1), { cwd, env: ctx.env, extendEnv: false, reject: false, stdin: "ignore" }).catch((err: unknown) => ({ exitCode: -1, stdout: "", stderr: String(err) }));
      const url = gh.exitCode === 0 ? /https?:\/\/\S+/.exec(gh.stdout)?.[0] : undefined;
      await store.transact(decideShipped(i.id, { branch, remote, base, ...(url ? { pr: url } : {}) }), actor);
      const prLine = url ? `pull request: ${url}` : `pushed; gh could not open the pull request (${(gh.stderr || gh.stdout || "gh not found").trim().split("\n")[0]}): run\n${pr.map(quote).join(" ")}`;
      if (!url) ctx.exitCode = 1;
      if (args.json) return printJson(ctx, { id: i.id, branch, base, remote, ahead, pushed: true, ...(url ? { pr: url } : {}), commands });
      ctx.stdout(`pushed ${branch} to ${remote} (${ahead} commit${ahead === 1 ? "" : "s"} ahead of ${base})\n${prLine}\n`);
    });
  },
});
