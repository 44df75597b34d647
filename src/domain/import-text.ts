import { checkActor } from "./decide.ts";
import type { ImportInitiative, ImportNote, ImportTask } from "./decide-import.ts";
import { badCharacter, checkLine, printable } from "./text.ts";

/**
 * `rw import`'s text rule, the same one create, MCP and the mirror apply (text.ts), but for a
 * whole tracker at once: refusing 2,000 issues because one body holds a pasted coloured log is
 * not what a user wants, and guessing what a NUL meant is not possible. So text is cleaned and
 * every change is reported (a `problem` note, which `--strict` refuses):
 * - terminal escape sequences (CSI `ESC [ … m`, OSC `ESC ] … BEL`, C1 CSI) go whole, so a
 *   coloured `PASS` stays `PASS`, not `[32mPASS[0m`;
 * - in one-line fields (titles, phase titles) line breaks and tabs become one space: a title is
 *   one line;
 * - any other control character (NUL, C0, DEL, C1, line separators, lone surrogates) goes;
 * - names (assignees, note authors) and gate commands are never edited: a name changed by
 *   cleaning could name someone else, a command could run something else. An invalid one is
 *   dropped and reported instead.
 */

// eslint-disable-next-line no-control-regex -- terminal escape sequences are what this removes
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]|\u009b[0-?]*[ -/]*[@-~]/gu;
// eslint-disable-next-line no-control-regex -- as above: what a one-line field cannot hold
const LINE_BAD = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|\p{Cs}/gu;
// eslint-disable-next-line no-control-regex -- tab, LF and CR are text in a body
const TEXT_BAD = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|\p{Cs}/gu;
// eslint-disable-next-line no-control-regex -- line breaks and tabs in a title
const LINE_BREAKS = /[\t\n\r\u000b\u000c\u2028\u2029]+/gu;

/** `text` cleaned for a one-line (`line`) or multi-line field, or undefined when it was clean already. */
export function cleanText(text: string, line: boolean): string | undefined {
  if (badCharacter(text, !line) === undefined) return undefined;
  let out = text.replace(ESCAPES, "");
  if (line) out = out.replace(LINE_BREAKS, " ").replace(LINE_BAD, "").replace(/ {2,}/g, " ").trim();
  else out = out.replace(TEXT_BAD, "");
  return out;
}

/** Cleans one field in place of its value, with a note naming the item, the field and the first bad character. */
function cleaned(text: string, line: boolean, item: string, field: string, notes: ImportNote[]): string {
  const out = cleanText(text, line);
  if (out === undefined) return text;
  const first = badCharacter(text, !line)!;
  const how = line && /newline|carriage|tab|separator/.test(first) ? "line breaks joined with spaces, control characters removed" : "control characters removed";
  notes.push({ kind: "text-cleaned", item: printable(item), text: `${field} contained ${first}: ${how}`, problem: true });
  return out;
}

/** The name as given when rw can record it as an actor; otherwise undefined and a note. */
function validActor(name: string | undefined, item: string, what: string, notes: ImportNote[]): string | undefined {
  if (name === undefined || name.trim() === "") return name;
  try {
    return checkActor(name.trim());
  } catch {
    notes.push({ kind: "actor-dropped", item: printable(item), text: `${what} ${JSON.stringify(name).slice(0, 120)} is not a name rw can record (control characters, < or >, or over 100 characters): ${what === "assignee" ? "not imported" : "recorded as the importing user"}`, problem: true });
    return undefined;
  }
}

/** One imported task with every text field by the rule above (a copy; the plan is left as it was). */
export function cleanImportedTask(t: ImportTask, notes: ImportNote[]): ImportTask {
  const id = t.id;
  const out: ImportTask = { ...t, deps: [...t.deps], labels: [...t.labels] };
  out.title = cleaned(t.title, true, id, "title", notes);
  out.body = cleaned(t.body, false, id, "body", notes);
  if (t.reason !== undefined) out.reason = cleaned(t.reason, false, id, "close/block reason", notes);
  const assignee = validActor(t.assignee, id, "assignee", notes);
  if (assignee === undefined) delete out.assignee;
  else out.assignee = assignee;
  if (t.gates) {
    out.gates = t.gates.filter((g) => {
      try {
        checkLine(g, "gate command");
        return true;
      } catch {
        notes.push({ kind: "gate-dropped", item: id, text: `gate command ${JSON.stringify(g).slice(0, 120)} dropped: it contains ${badCharacter(g, false)} (a command is never edited)`, problem: true });
        return false;
      }
    });
  }
  if (t.notes) {
    out.notes = t.notes.map((n, i) => {
      const actor = validActor(n.actor, id, `note ${i + 1}'s author`, notes);
      return { ...n, actor: actor ?? "", text: cleaned(n.text, false, id, `note ${i + 1}`, notes) };
    });
  }
  return out;
}

/** An imported initiative's title, body and phase titles by the same rule. */
export function cleanImportedInitiative(i: ImportInitiative, notes: ImportNote[]): ImportInitiative {
  const item = i.id ?? `initiative ${JSON.stringify(i.title).slice(0, 60)}`;
  return {
    ...i,
    title: cleaned(i.title, true, item, "initiative title", notes),
    body: cleaned(i.body, false, item, "initiative body", notes),
    phases: i.phases.map((p) => ({ ...p, title: cleaned(p.title, true, item, `phase ${p.n} title`, notes) })),
  };
}

/** Notes as the report prints them: a value quoted from the source cannot move the cursor or set a terminal title. */
export const printableNotes = (notes: ImportNote[]): ImportNote[] =>
  notes.map((n) => ({ ...n, text: printable(n.text), ...(n.item !== undefined ? { item: printable(n.item) } : {}) }));
