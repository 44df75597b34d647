import type { Initiative, Phase } from "../domain/types.ts";
import { scalar, timestamp } from "./yaml-scalar.ts";

/** A scalar inside a flow mapping, where `,` `{` `}` `[` `]` also end a plain value. */
function flowScalar(value: string): string {
  return /[,[\]{}]/.test(value) ? JSON.stringify(value) : scalar(value);
}

export function renderPhase(p: Phase): string {
  return `{n: ${p.n}, title: ${flowScalar(p.title)}, status: ${p.status}}`;
}

/**
 * Renders `initiatives/<id>.md` (DESIGN §7): frontmatter in a fixed key order, one phase per
 * line so a human can approve one by editing a word, then the concept exactly as stored.
 */
export function renderInitiative(i: Initiative): string {
  const lines = ["---", `id: ${i.id}`, `title: ${scalar(i.title)}`, `status: ${i.status}`];
  if (i.phases.length === 0) lines.push("phases: []");
  else lines.push("phases:", ...i.phases.map((p) => `  - ${renderPhase(p)}`));
  lines.push(`created_at: ${timestamp(i.created_at)}`, `updated_at: ${timestamp(i.updated_at)}`, "---");
  return `${lines.join("\n")}\n${i.body}`;
}

export const initiativePath = (id: string): string => `initiatives/${id}.md`;
