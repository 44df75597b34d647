import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { assertValidId } from "../domain/ids.ts";
import { redact } from "../format/secrets.ts";
import type { RepoPaths } from "../store/repo.ts";
import { rwDir } from "../store/repo.ts";

/** Transcripts live with rw's other private files, shared by every worktree: `<git-common-dir>/rewind/logs/`. */
export const logsDir = (repo: RepoPaths): string => join(rwDir(repo), "logs");

export function transcriptPath(repo: RepoPaths, id: string): string {
  assertValidId(id); // an ID never names a path outside logs/
  return join(logsDir(repo), `${id}.log`);
}

/**
 * An append-only transcript per task (every attempt, prompt, agent turn, gate output).
 * Synchronous appends: lines from parallel workers go to different files, and a crash loses nothing written.
 */
export function openTranscript(repo: RepoPaths, id: string, secrets: readonly string[] = []): (text: string) => void {
  mkdirSync(logsDir(repo), { recursive: true });
  const file = transcriptPath(repo, id);
  return (text) => {
    try {
      // A gate printing a key, a provider's error body: nothing secret lands on disk either.
      // (Streamed model text arrives here already redacted line by line: agents/redact.ts.)
      appendFileSync(file, redact(text, secrets));
    } catch {
      // a full disk must not fail the task; the events still record what happened
    }
  };
}
