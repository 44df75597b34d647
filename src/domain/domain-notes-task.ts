import type { Decider } from "./decide.ts";
import { decideCreate } from "./decide-task.ts";
import { statusChangeEvents } from "./decide-lifecycle.ts";
import { applyCopy } from "./fold.ts";
import { getInitiative } from "./initiative-lifecycle.ts";
import type { State } from "./types.ts";

export const DOMAIN_NOTES_LABEL = "domain-notes";

const marker = (id: string): string => `Proposed when initiative ${id} completed.`;

/** Has a domain-notes task been proposed for this initiative already? */
export function domainNotesTaskOf(state: State, id: string): string | undefined {
  return Object.values(state.tasks).find((t) => t.labels.includes(DOMAIN_NOTES_LABEL) && t.body.includes(marker(id)))?.id;
}

/**
 * A completed initiative proposes an update of the domain notes it touched, as a task for a
 * person: agents may not write under `.rewind/` (guards.ts), so it is created blocked with that
 * reason rather than left for `rw run` to fail on. Not linked to the initiative, so it does not
 * reopen it.
 */
export const decideDomainNotesTask = (id: string, notes: string[]): Decider<{ id: string | undefined }> => (state, ctx) => {
  const i = getInitiative(state, id);
  if (notes.length === 0 || domainNotesTaskOf(state, id)) return { events: [], summary: "", result: { id: undefined } };
  const body = [
    marker(i.id), "",
    `Initiative ${i.id} (${i.title}) is complete. Check whether these domain notes still describe the code, and update them:`, "",
    ...notes.map((n) => `- \`.rewind/domain/${n}.md\``), "",
    "New terms go in the glossary; rules the initiative introduced go in the invariants.", "",
    "## Acceptance criteria", "", "- [ ] The notes above match the code as the initiative left it", "",
  ].join("\n");
  const created = decideCreate({ title: `Update domain notes for ${i.title}`.slice(0, 200), body, labels: [DOMAIN_NOTES_LABEL], type: "docs", priority: 3 })(state, ctx);
  const taskId = created.result.id;
  const after = applyCopy(state, created.events);
  const blocked = statusChangeEvents(after.tasks[taskId]!, "blocked", ctx, "for a person: agents may not write under .rewind/");
  return { events: [...created.events, ...blocked], summary: `propose domain-notes update for ${i.id}`, result: { id: taskId } };
};
