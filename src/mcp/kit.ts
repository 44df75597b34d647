import { z } from "zod";
import type { Decider } from "../domain/decide.ts";
import type { Actor, Store } from "../store/store.ts";

/** What a tool handler gets: the open store and a way to name the actor. */
export interface ToolApi {
  store: Store;
  actor(arg: string | undefined): Actor;
  now(): string;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** core: the agent loop; standard: + backlog editing and reading; all: + log, initiatives, plan. */
export const TIERS = ["core", "standard", "all"] as const;
export type Tier = (typeof TIERS)[number];

/** A tool's answer: terse text for the model and the same facts as `structuredContent`. */
export interface Answer {
  text: string;
  data: Record<string, unknown>;
}

export interface ToolDef {
  tier: Tier;
  description: string;
  input: z.ZodRawShape;
  output: z.ZodRawShape;
  readOnly: boolean;
  /** Changes or removes what others rely on (cancel, fail): clients may ask before calling. */
  destructive?: boolean;
  run(args: Record<string, unknown>, api: ToolApi): Promise<Answer>;
}

export const tool = (def: ToolDef): ToolDef => def;

// Parameters shared by many tools, each described for a model.
export const P = {
  id: z.string().describe("task ID; a unique prefix or the part after the dash is enough (3le9 for slu-3le9)"),
  actor: z.string().optional().describe("your name as the acting agent (default: $RW_ACTOR, else \"mcp\")"),
  force: z.boolean().optional().describe("act on a task someone else holds (recorded as an override)"),
  reason: z.string().describe("why, in one sentence (recorded in the task's history)"),
  limit: (max: number, dflt: number) => z.number().int().min(1).max(max).optional().describe(`at most this many (default ${dflt})`),
  labels: z.array(z.string()).describe("labels, e.g. [\"api\"]"),
  format: z.enum(["text", "toon"]).optional().describe("text (default): one line per item; toon: a compact table (TOON) of the same rows"),
};

// Output shapes (each tool's outputSchema is built from these).
export const O = {
  brief: z.object({
    id: z.string(), title: z.string(), status: z.string(), priority: z.number().int(), type: z.string(),
    labels: z.array(z.string()), assignee: z.string().optional(), initiative: z.string().optional(), phase: z.number().int().optional(),
    parent: z.string().optional(), updated_at: z.string(),
  }),
  ref: z.object({ id: z.string(), title: z.string(), status: z.string() }),
  status: { id: z.string(), status: z.string() },
};

export type Brief = z.infer<typeof O.brief>;

/** Runs one decider through the one write path, as the named actor. */
export async function write<R>(api: ToolApi, who: unknown, decide: Decider<R>): Promise<R> {
  const tx = await api.store.transact(decide, api.actor(typeof who === "string" ? who : undefined));
  return tx.result;
}

export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
export const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
export const opt = <K extends string, V>(key: K, v: V | undefined): Partial<Record<K, V>> => (v === undefined ? {} : ({ [key]: v } as Record<K, V>));
