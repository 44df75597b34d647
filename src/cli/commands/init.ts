import { RwError } from "../../domain/errors.ts";
import type { AgentsFileResult } from "../../store/agents-file.ts";
import type { Store } from "../../store/store.ts";
import { ensureStateRef, ensureWorkspace, statePrefix } from "../../store/init.ts";
import { pickUpRemoteState } from "../../sync/pickup.ts";
import { actorArg, jsonArg, resolveActor } from "../args.ts";
import { withStore } from "../read.ts";
import { defineRw } from "../command.ts";
import { context } from "../context.ts";
import { printJson } from "../output.ts";

/** `--agents`: the guide `rw prime` starts with, kept in a marked section of the agent files. */
async function writeAgentsSection(store: Store): Promise<AgentsFileResult[]> {
  const worktree = store.repo.worktree;
  if (worktree === undefined) throw new RwError("usage", "--agents needs a work tree: this repository is bare");
  const { agentGuide } = await import("../../domain/agent-guide.ts");
  const { updateAgentsFiles } = await import("../../store/agents-file.ts");
  return updateAgentsFiles(worktree, agentGuide({ ref: store.ref, leaseMs: store.config.claims.lease_ms }));
}

export default defineRw({
  meta: { name: "init", description: "Set up rw in this repository (safe to run again)" },
  args: {
    agents: { type: "boolean", description: "also write or update rw's marked section in AGENTS.md (created if missing) and CLAUDE.md (if present); the rest of each file is kept byte for byte" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ["rw init", "rw init --json", "rw init --agents   # again later to update the section"],
  async run({ args }) {
    const ctx = context();
    await withStore(ctx, async (store) => {
      const actor = await resolveActor(store, args.actor);
      const picked = await pickUpRemoteState(store);
      // A ref on a commit gc removed is not "already there": say so instead of "kept".
      if (!(await store.cat.read(store.ref))) await store.checkNotMissing();
      const workspace = await ensureWorkspace(store, { prefix: await statePrefix(store) });
      const ref = await ensureStateRef(store, actor);
      // config.toml is shared through the code branch: a new one only helps once committed.
      const agents = args.agents ? await writeAgentsSection(store) : undefined;
      const commitHint = workspace.written.includes(".rewind/config.toml")
        ? "commit .rewind/config.toml so every clone uses the same ID prefix and settings: git add .rewind/config.toml .rewind/.gitignore && git commit -m \"rw config\""
        : undefined;
      if (args.json) {
        printJson(ctx, {
          ref: store.ref, ref_created: ref.created, tip: ref.tip, ...(picked ? { picked_up_from: picked.remote } : {}),
          files_written: workspace.written, files_kept: workspace.kept, ...(agents ? { agents_files: agents } : {}), ...(commitHint ? { hint: commitHint } : {}),
        });
        return;
      }
      const lines = [
        picked ? `picked up ${store.ref} from ${picked.remote} at ${picked.tip.slice(0, 10)}`
        : ref.created ? `created ${store.ref} (orphan branch with README.md) at ${ref.tip.slice(0, 10)}` : `${store.ref} already exists at ${ref.tip.slice(0, 10)}: kept`,
        ...workspace.written.map((f) => `wrote ${f}`),
        ...workspace.kept.map((f) => `kept ${f} (already there)`),
        ...(agents ?? []).map((a) => (a.change === "unchanged" ? `kept ${a.file} (its rw section is current)` : `${a.change === "created" ? "wrote" : a.change === "appended" ? "added rw's section to" : "updated rw's section in"} ${a.file}`)),
        ...(commitHint ? ["", commitHint] : []),
        "",
        "next: rw create \"My first task\"   then   rw ready",
      ];
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
