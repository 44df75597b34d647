import { ensureStateRef, ensureWorkspace, statePrefix } from "../../store/init.ts";
import { pickUpRemoteState } from "../../sync/pickup.ts";
import { actorArg, jsonArg, resolveActor } from "../args.ts";
import { withStore } from "../read.ts";
import { defineRw } from "../command.ts";
import { context } from "../context.ts";
import { printJson } from "../output.ts";

export default defineRw({
  meta: { name: "init", description: "Set up rw in this repository (safe to run again)" },
  args: { ...actorArg, ...jsonArg },
  examples: ["rw init", "rw init --json"],
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
      const commitHint = workspace.written.includes(".rewind/config.toml")
        ? "commit .rewind/config.toml so every clone uses the same ID prefix and settings: git add .rewind/config.toml .rewind/.gitignore && git commit -m \"rw config\""
        : undefined;
      if (args.json) {
        printJson(ctx, {
          ref: store.ref, ref_created: ref.created, tip: ref.tip, ...(picked ? { picked_up_from: picked.remote } : {}),
          files_written: workspace.written, files_kept: workspace.kept, ...(commitHint ? { hint: commitHint } : {}),
        });
        return;
      }
      const lines = [
        picked ? `picked up ${store.ref} from ${picked.remote} at ${picked.tip.slice(0, 10)}`
        : ref.created ? `created ${store.ref} (orphan branch with README.md) at ${ref.tip.slice(0, 10)}` : `${store.ref} already exists at ${ref.tip.slice(0, 10)}: kept`,
        ...workspace.written.map((f) => `wrote ${f}`),
        ...workspace.kept.map((f) => `kept ${f} (already there)`),
        ...(commitHint ? ["", commitHint] : []),
        "",
        "next: rw create \"My first task\"   then   rw ready",
      ];
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
