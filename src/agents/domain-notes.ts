import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** One `.rewind/domain/<name>.md` file: the repository's glossary, invariants and rules. */
export interface DomainNote {
  name: string;
  text: string;
}

/** Notes always included, whatever the task: they hold what every change must respect. */
const ALWAYS = new Set(["glossary", "invariants", "index", "readme"]);
/** Prompts stay small: past this many characters, the least relevant notes are left out. */
export const DOMAIN_NOTES_CAP = 12_000;

/**
 * Reads `.rewind/domain/*.md` from a work tree (tracked on the code branch, like config.toml).
 * A missing folder is no notes; a symlink or a non-file is skipped, so a note can never pull in
 * a file from outside the repository.
 */
export async function readDomainNotes(root: string | undefined): Promise<DomainNote[]> {
  if (!root) return [];
  const dir = join(root, ".rewind", "domain");
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const notes: DomainNote[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!e.isFile() || !e.name.endsWith(".md")) continue;
    const text = await readFile(join(dir, e.name), "utf8").catch(() => undefined);
    if (text !== undefined && text.trim() !== "") notes.push({ name: e.name.slice(0, -3), text: text.trim() });
  }
  return notes;
}

const words = (text: string): Set<string> => new Set(text.toLowerCase().match(/[\p{L}\p{N}_-]{3,}/gu) ?? []);

/**
 * The notes relevant to a piece of work: the always-included ones, then those whose name or
 * `# headings` share a word with the work's text, best match first, within DOMAIN_NOTES_CAP.
 */
export function relevantNotes(notes: readonly DomainNote[], workText: string): DomainNote[] {
  const work = words(workText);
  const scored = notes.map((n) => {
    const keys = words(`${n.name.replace(/[-_]/g, " ")} ${(n.text.match(/^#{1,6}\s+.+$/gm) ?? []).join(" ")}`);
    let score = ALWAYS.has(n.name.toLowerCase()) ? 1000 : 0;
    for (const k of keys) if (work.has(k)) score++;
    return { n, score };
  }).filter((s) => s.score > 0).sort((a, b) => b.score - a.score || (a.n.name < b.n.name ? -1 : 1));
  const out: DomainNote[] = [];
  let size = 0;
  for (const { n } of scored) {
    if (size + n.text.length > DOMAIN_NOTES_CAP) continue;
    out.push(n);
    size += n.text.length;
  }
  return out;
}

/** The prompt block for the notes: each under its file name. */
export function domainNotesText(notes: readonly DomainNote[]): string {
  return notes.map((n) => `### ${n.name} (.rewind/domain/${n.name}.md)\n${n.text}`).join("\n\n");
}
