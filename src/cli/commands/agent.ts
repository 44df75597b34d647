import { defineRw } from "../command.ts";

// Outside defineRw(): tsc 5.9 leaves ".ts" in dynamic imports nested in its generic argument.
const loadRun = () => import("./agent-run.ts").then((m) => m.default);
const loadPrompt = () => import("./agent-prompt.ts").then((m) => m.default);

export default defineRw({
  meta: { name: "agent", description: "Run one agent session on a task, or print its prompt" },
  subCommands: {
    run: loadRun,
    prompt: loadPrompt,
  },
  examples: ["rw agent run --role worker --task rw-7k2f", "rw agent run --task rw-7k2f --provider fake --dry-run", "rw agent prompt --role worker --task rw-7k2f"],
});
