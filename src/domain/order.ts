/** The orders records are listed in, defined once so every surface (CLI, MCP, views, exports) agrees. */

interface Aged { created_at: string; id: string }
interface Ranked extends Aged { priority: number }

/** Oldest first, then by ID: a total order for anything created (tasks, initiatives). */
export const byAge = (a: Aged, b: Aged): number =>
  a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** Backlog order: priority (0 first), then oldest, then ID (`rw list`, BOARD.md, exports). */
export const byPriority = (a: Ranked, b: Ranked): number => a.priority - b.priority || byAge(a, b);
