/**
 * `rw report`: text a user can attach to a public bug report. Paths under the home folder become
 * `~`, and the user's names (login, git name and e-mail, host) become placeholders. Names shorter
 * than 3 characters are left alone: replacing "al" everywhere would garble the report.
 */
export interface Identity {
  home?: string;
  /** Each name with the placeholder it becomes, e.g. ["alice", "<user>"]. */
  names: Array<[string, string]>;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function anonymise(text: string, who: Identity): string {
  let out = text;
  const home = who.home?.replace(/\/+$/, "");
  if (home && home.length > 1) out = out.replace(new RegExp(`${escape(home)}(?=/|\\b|$)`, "g"), "~");
  // Longest first: "alice@example.com" before "alice".
  const names = who.names.filter(([n]) => n.trim().length >= 3).sort(([a], [b]) => b.length - a.length);
  for (const [name, placeholder] of names) {
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}_])${escape(name.trim())}(?![\\p{L}\\p{N}_])`, "giu"), placeholder);
  }
  return out;
}

/** A config file's text with every value of a secret-named key replaced (`api_key = "…"`). */
export function redactConfigText(text: string, isSecret: (key: string) => boolean, mark: string): string {
  return text.split("\n").map((line) => {
    const m = /^(\s*)([A-Za-z0-9_.-]+|"[^"]*")(\s*=\s*)(.*)$/.exec(line);
    if (!m) return line;
    const key = m[2]!.replace(/^"|"$/g, "");
    // A key naming the variable that holds a secret (api_key_env) is not a secret itself.
    if (!isSecret(key) || /_env$/i.test(key)) return line;
    return `${m[1]}${m[2]}${m[3]}"${mark}"`;
  }).join("\n");
}
