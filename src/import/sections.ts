/** The body heading each source text field becomes (origin.sections lists the fields an import joined). */
export const SECTION_HEADINGS: Record<string, string> = { design: "Design", acceptance_criteria: "Acceptance criteria", notes: "Notes" };

/**
 * A task body built from a source's text fields (description, then `## Heading` sections) and
 * split back on export. Joining trims only trailing whitespace; splitting looks for the
 * headings from the end, so a description that has its own `## Notes` stays whole.
 */
export function joinSections(description: string, sections: Array<[heading: string, text: string | undefined]>): string {
  const parts: string[] = [];
  const d = description.trimEnd();
  if (d.trim() !== "") parts.push(d);
  for (const [heading, text] of sections) if (text !== undefined && text.trim() !== "") parts.push(`## ${heading}\n\n${text.trimEnd().replace(/^\n+/, "")}`);
  return parts.length === 0 ? "" : `${parts.join("\n\n")}\n`;
}

/** The inverse of joinSections for the headings given (in the order they were joined). */
export function splitSections(body: string, headings: string[]): { description: string; sections: Record<string, string> } {
  let rest = body.trimEnd();
  const sections: Record<string, string> = {};
  for (const heading of [...headings].reverse()) {
    const marker = `## ${heading}\n\n`;
    const at = rest.lastIndexOf(`\n\n${marker}`);
    if (at >= 0) {
      sections[heading] = rest.slice(at + 2 + marker.length);
      rest = rest.slice(0, at);
    } else if (rest.startsWith(marker)) {
      sections[heading] = rest.slice(marker.length);
      rest = "";
    }
  }
  return { description: rest, sections };
}

/**
 * The "Acceptance criteria" section of a body (any heading level, optional colon), every line
 * of it as written, and the body without it. Exports use it so that prose, notes and nested
 * lists under the heading travel with the checkboxes.
 */
export function criteriaText(body: string): { text: string | undefined; rest: string } {
  const lines = body.split("\n");
  const kept: string[] = [];
  const section: string[] = [];
  let level = 0;
  let found = false;
  let fence = false;
  for (const line of lines) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    const h = fence ? null : /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h && level > 0 && h[1]!.length <= level) level = 0;
    if (h && level === 0 && !found && /^acceptance criteria:?$/i.test(h[2]!.replace(/[*_`]/g, "").trim())) {
      level = h[1]!.length;
      found = true;
      continue;
    }
    (level > 0 ? section : kept).push(line);
  }
  const text = section.join("\n").replace(/^\n+/, "").trimEnd();
  return { text: found && text !== "" ? text : undefined, rest: kept.join("\n").trimEnd().replace(/^\n+/, "") };
}
