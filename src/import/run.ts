import { decideImport, type ImportOptions, type ImportResult } from "../domain/decide-import.ts";
import type { DecideContext } from "../domain/decide.ts";
import type { Actor, Store } from "../store/store.ts";
import { eventTime } from "../store/transact.ts";
import { detectSource, planSource, type SourceKind } from "./detect.ts";

export interface ImportOutcome extends ImportResult {
  kind: SourceKind;
  path: string;
  dry_run: boolean;
  commit: string | null;
  /** How many items the source held; `warnings` says so when it is none. */
  items: number;
  warnings: string[];
}

export interface RunImportOptions extends ImportOptions {
  dryRun?: boolean;
  from?: SourceKind;
}

/**
 * `rw import`: detect, map (pure), then ONE transaction through Store.transact — or, with
 * dryRun, the same decision computed against the tip and thrown away. An empty source writes
 * nothing and warns.
 */
export async function runImport(store: Store, path: string, actor: Actor, opts: RunImportOptions = {}): Promise<ImportOutcome> {
  const src = await detectSource(path, opts.from);
  const plan = await planSource(src);
  const items = plan.items ?? plan.tasks.length;
  const warnings = plan.tasks.length === 0 ? [`${src.path} holds ${items === 0 ? "no items" : `no importable items (${items} skipped)`}: nothing imported`] : [];
  const base = { kind: src.kind, path: src.path, items, warnings };
  const decide = decideImport(plan, opts);
  if (opts.dryRun || plan.tasks.length === 0) {
    const snap = await store.snapshot();
    const now = eventTime(store.ctx.now(), snap.state.last_ts);
    let n = 0;
    const ctx: DecideContext = {
      actor: actor.name, now, nextEventId: () => `dry-run-${n++}`, randomBytes: (k) => store.randomBytes(k), config: store.decideConfig(),
    };
    return { ...decide(snap.state, ctx).result, ...base, dry_run: Boolean(opts.dryRun), commit: null };
  }
  const tx = await store.transact(decide, actor);
  return { ...tx.result, ...base, dry_run: false, commit: tx.commit };
}
