import { RwError } from "./errors.ts";

/**
 * Small text rules every surface shares (CLI and MCP server), kept below both so the MCP
 * server never imports from cli/.
 */

/** A body as given inline (`--body`, an MCP argument): ending in a newline like a file, unless empty. */
export const bodyText = (text: string): string => (text === "" || text.endsWith("\n") ? text : `${text}\n`);

/** An error as rw prints it on stderr (and the MCP server answers it): the message, then the hint. */
export function errorText(message: string, hint?: string): string {
  return `rw: ${message}\n${hint ? `  hint: ${hint}\n` : ""}`;
}

/** An actor called `name` (a plain name a commit author can have), with `email` or one made from the name. */
export function namedActor(name: string, email?: string): { name: string; email: string } {
  if (name.length > 100 || /[\n<>]/.test(name)) throw new RwError("usage", `invalid actor name ${JSON.stringify(name)}`, { hint: "use a plain name without <, > or newlines" });
  return { name, email: email ?? `${slug(name)}@rw.invalid` };
}

const slug = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "actor";
