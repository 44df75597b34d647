import { RwError } from "../../domain/errors.ts";
import { jsonArg, one } from "../args.ts";
import { defineRw } from "../command.ts";
import { printJson } from "../output.ts";
import { withSnapshot } from "../read.ts";
import { promptForTask } from "../../agents/load.ts";
import { ROLES, type Role } from "../../agents/types.ts";

export const roleArg = { role: { type: "string", description: "planner, worker or verifier (default: worker)", valueHint: "role" } } as const;

export function parseRole(value: unknown): Role {
  const role = one(value) ?? "worker";
  if (!(ROLES as readonly string[]).includes(role)) throw new RwError("usage", `unknown role ${JSON.stringify(role)}`, { hint: "use --role planner, worker or verifier" });
  return role as Role;
}

export default defineRw({
  meta: { name: "prompt", description: "Print the prompt a role would get for a task (templates/, or .rewind/templates/<role>.md)" },
  args: { ...roleArg, task: { type: "string", description: "task ID", required: true, valueHint: "id" }, ...jsonArg },
  examples: ["rw agent prompt --task rw-7k2f", "rw agent prompt --role verifier --task rw-7k2f --json"],
  async run({ args }) {
    const role = parseRole(args.role);
    await withSnapshot(async (_snap, store, ctx) => {
      const prompt = await promptForTask(store, role, args.task);
      if (args.json) return printJson(ctx, { role, task: args.task, prompt });
      ctx.stdout(prompt.endsWith("\n") ? prompt : `${prompt}\n`);
    });
  },
});
