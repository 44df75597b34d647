import type { RwEvent } from "../../domain/types.ts";
import { syncOnce, syncRemote, type SyncReport } from "../../sync/sync.ts";
import { actorArg, jsonArg, one, resolveActor } from "../args.ts";
import { withStore } from "../read.ts";
import { defineRw } from "../command.ts";
import { context } from "../context.ts";
import { paint, plural, printJson } from "../output.ts";

const SHOWN = 20;

export default defineRw({
  meta: { name: "sync", description: "Exchange the state ref with a git remote (fetch, merge, push)" },
  args: {
    remote: { type: "positional", description: "remote name or URL (default: [sync] remote, else origin)", required: false },
    ...actorArg,
    ...jsonArg,
  },
  examples: ["rw sync", "rw sync upstream --json", "rw sync file:///srv/git/project.git"],
  async run({ args }) {
    const ctx = context();
    await withStore(ctx, async (store) => {
      const actor = await resolveActor(store, args.actor);
      const report = await syncOnce(store, syncRemote(store, one(args.remote)), actor);
      if (args.json) {
        printJson(ctx, {
          remote: report.remote, ref: report.ref, action: report.action, tip: report.tip, attempts: report.attempts,
          incoming: report.incoming.map(brief), outgoing: report.outgoing.map(brief),
          conflicts: report.conflicts, resolutions: report.resolutions.map(brief),
        });
        return;
      }
      ctx.stdout(`${render(report, (s, t) => paint(ctx, s, t)).join("\n")}\n`);
    });
  },
});

const brief = (e: RwEvent): Record<string, unknown> => ({ id: e.id, ts: e.ts, actor: e.actor, type: e.type, ...(e.task ? { task: e.task } : {}) });

const HEADLINE: Record<SyncReport["action"], string> = {
  up_to_date: "already in sync with",
  fast_forward: "fast-forwarded from",
  pushed: "pushed to",
  merged: "merged with",
  created: "picked up the state ref from",
};

function render(r: SyncReport, paint: (style: "yellow" | "dim", text: string) => string): string[] {
  const lines = [`${HEADLINE[r.action]} ${r.remote}: ${plural(r.incoming.length, "event")} in, ${r.outgoing.length} out; ${r.ref} at ${r.tip.slice(0, 10)}`];
  if (r.attempts > 1) lines.push(paint("dim", `(another machine pushed meanwhile: took ${r.attempts} rounds)`));
  const list = (label: string, events: RwEvent[]): void => {
    for (const e of events.slice(0, SHOWN)) lines.push(`  ${label} ${e.ts}  ${e.type}${e.task ? ` ${e.task}` : ""}  by ${e.actor}`);
    if (events.length > SHOWN) lines.push(paint("dim", `  ... and ${events.length - SHOWN} more`));
  };
  list("in ", r.incoming);
  list("out", r.outgoing);
  for (const c of r.conflicts) lines.push(paint("yellow", `  conflict ${c.task}: ${c.detail}`));
  return lines;
}
