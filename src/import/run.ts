import { decideImport, type ImportResult } from "../domain/decide-import.ts";
import type { DecideContext } from "../domain/decide.ts";
import type { Actor, Store } from "../store/store.ts";
import { eventTime } from "../store/transact.ts";
import { detectSource, planSource, type SourceKind } from "./detect.ts";

export interface ImportOutcome extends ImportResult {
  kind: SourceKind;
  path: string;
  dry_run: boolean;
  commit: string | null;
}

/**
 * `rw import`: detect, map (pure), then ONE transaction through Store.transact — or, with
 * dryRun, the same decision computed against the tip and thrown away.
 */
export async function runImport(store: Store, path: string, actor: Actor, dryRun: boolean): Promise<ImportOutcome> {
  const src = await detectSource(path);
  const plan = await planSource(src);
  if (dryRun) {
    const snap = await store.snapshot();
    const now = eventTime(store.ctx.now(), snap.state.last_ts);
    let n = 0;
    const ctx: DecideContext = {
      actor: actor.name, now, nextEventId: () => `dry-run-${n++}`, randomBytes: (k) => store.randomBytes(k), config: store.decideConfig(),
    };
    return { ...decideImport(plan)(snap.state, ctx).result, kind: src.kind, path: src.path, dry_run: true, commit: null };
  }
  const tx = await store.transact(decideImport(plan), actor);
  return { ...tx.result, kind: src.kind, path: src.path, dry_run: false, commit: tx.commit };
}
