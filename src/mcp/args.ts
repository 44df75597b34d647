import { z } from "zod";
import { RwError } from "../domain/errors.ts";
import { didYouMean } from "../domain/suggest.ts";

/**
 * Tool arguments as a model sends them, checked before anything runs (issue 14): an argument
 * name the tool does not know is an error naming the nearest known one ("unknown argument
 * task_id; did you mean id?") instead of being dropped (which turned `claim {task_id}` into a
 * claim of the best ready task). What models commonly send for convenience is accepted: a
 * single value where a list is expected (`status: "open"`), a number or boolean as a string
 * (`limit: "10"`), and null for an argument left out.
 */
export function checkArgs(tool: string, shape: z.ZodRawShape, input: unknown): Record<string, unknown> {
  if (input === undefined || input === null) input = {};
  if (typeof input !== "object" || Array.isArray(input)) throw new RwError("usage", `arguments of ${tool} must be an object`);
  const known = Object.keys(shape);
  const args: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (!Object.hasOwn(shape, key)) {
      throw new RwError("usage", `unknown argument ${key}${didYouMean(key, known)}`, {
        hint: known.length > 0 ? `${tool} takes: ${known.join(", ")}` : `${tool} takes no arguments`,
        data: { argument: key },
      });
    }
    if (value === null) continue;
    args[key] = lenient(shape[key]!, value);
  }
  const parsed = z.strictObject(shape).safeParse(args);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const name = issue.path.length > 0 ? issue.path.map(String).join(".") : "arguments";
  const what = issue.code === "invalid_type" && issue.path.length === 1 && args[String(issue.path[0])] === undefined ? "is required" : issue.message.replace(/^Invalid input: /, "").toLowerCase();
  throw new RwError("usage", `argument ${name} ${what}`, { hint: `${tool} takes: ${known.join(", ")}`, data: { argument: name } });
}

/** The kind of value a schema takes at its top (through optional/default/nullable wrappers). */
interface Introspect { _zod: { def: { type: string; innerType?: Introspect } } }

function kind(schema: unknown): string {
  let def = (schema as Introspect)._zod.def;
  while (def.innerType && ["optional", "default", "nullable", "prefault"].includes(def.type)) def = def.innerType._zod.def;
  return def.type;
}

function lenient(schema: unknown, value: unknown): unknown {
  const k = kind(schema);
  if (k === "array" && !Array.isArray(value)) return [value];
  if (k === "number" && typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (k === "boolean" && (value === "true" || value === "false")) return value === "true";
  return value;
}
