import type { Decider } from "../domain/decide.ts";
import { decideInitiativeCancel, newInitiativeId } from "../domain/decide-initiative.ts";
import { decideInitiativeFile, initiativeAsFile, mergeInitiativeEdit, type InitiativeFileInput } from "../domain/decide-initiative-file.ts";
import { RwError } from "../domain/errors.ts";
import { applyCopy } from "../domain/fold.ts";
import type { RwEvent, State } from "../domain/types.ts";
import type { ParsedInitiativeFile } from "../format/initiative-parse.ts";
import type { IngestOutcome } from "./mirror-ingest.ts";

/** One changed `initiatives/*.md` file, parsed, with the version rw last synced when known. */
export interface InitiativeFileChange {
  path: string;
  /** File name without `.md`. */
  name: string;
  parsed: ParsedInitiativeFile;
  base?: ParsedInitiativeFile;
  /** The ID chosen for a new file before committing (crash-safe creation). */
  pendingId?: string;
}

const asInput = (id: string, p: ParsedInitiativeFile): InitiativeFileInput =>
  ({ id, title: p.fields.title, status: p.fields.status, phases: p.fields.phases, body: p.body });

/** Which frontmatter line a refusal is about, to point the human at it. */
function lineFor(err: RwError, p: ParsedInitiativeFile): number {
  const key = /phase/.test(err.message) ? "phases" : /status|draft|approved|complete|cancel|submit|start|cannot go/.test(err.message) ? "status" : "title";
  return p.lines[key] ?? 1;
}

/**
 * Hand-edited initiative files to events (the daemon's mirror, DESIGN §7): each file goes
 * through the same lifecycle table as `rw initiative ...`, so what the CLI refuses is refused
 * here, as a problem for that file, with the same message. A deleted file cancels the
 * initiative (a finished one's file is just restored).
 */
export const decideInitiativeIngest = (inputs: InitiativeFileChange[], deleted: Array<{ path: string; id: string }>, where: (path: string) => string): Decider<IngestOutcome> =>
  (snapshot, ctx) => {
    let state: State = snapshot;
    const events: RwEvent[] = [];
    const out: IngestOutcome = { applied: [], problems: {} };
    for (const input of inputs) {
      const f = input.parsed.fields;
      try {
        const pending = input.pendingId !== undefined ? state.initiatives[input.pendingId] : undefined;
        const existing = state.initiatives[input.name] ?? pending;
        const created = !state.initiatives[input.name];
        let file: InitiativeFileInput;
        if (existing) {
          if (!input.base && !pending && f.updated_at !== undefined && f.updated_at !== existing.updated_at) {
            // No record of what rw last wrote here and the file is older than the ref's
            // version: its differences are the ref's newer changes. Refresh it, change nothing.
            out.applied.push({ path: input.path, id: existing.id, types: [], created: false });
            continue;
          }
          const base = input.base ? asInput(existing.id, input.base) : initiativeAsFile(existing);
          file = mergeInitiativeEdit(asInput(existing.id, input.parsed), base, existing);
        } else {
          if (f.id !== undefined && state.initiatives[f.id]) {
            out.problems[input.path] = [{ file: where(input.path), line: input.parsed.lines.id ?? 1, message: `id ${f.id} is already used by initiatives/${f.id}.md`, fix: "remove the id line to create a new initiative, or edit that initiative's own file" }];
            continue;
          }
          file = asInput(f.id ?? input.pendingId ?? newInitiativeId(state, ctx), input.parsed);
        }
        const d = decideInitiativeFile(file)(state, ctx);
        state = applyCopy(state, d.events);
        events.push(...d.events);
        out.applied.push({ path: input.path, id: file.id, types: d.events.map((e) => e.type), created: created });
      } catch (err) {
        if (!(err instanceof RwError)) throw err;
        out.problems[input.path] = [{ file: where(input.path), line: lineFor(err, input.parsed), message: err.message, fix: err.hint ?? "correct it, or use `rw initiative ...`" }];
      }
    }
    for (const d of deleted) {
      const i = state.initiatives[d.id];
      if (!i || i.status === "completed" || i.status === "cancelled") continue;
      const evs = decideInitiativeCancel(d.id, `${where(d.path)} was deleted`)(state, ctx).events;
      state = applyCopy(state, evs);
      events.push(...evs);
      out.applied.push({ path: d.path, id: d.id, types: evs.map((e) => e.type), created: false });
    }
    const ids = [...new Set(out.applied.map((a) => a.id))];
    return { events, summary: `mirror: ${ids.length === 1 ? `${ids[0]!}: ${state.initiatives[ids[0]!]?.title ?? ""}` : `${ids.length} initiatives`}`, result: out };
  };
