import { defineRw } from "../command.ts";

// Outside defineRw(): tsc 5.9 leaves ".ts" in dynamic imports nested in its generic argument.
const loadShow = () => import("./config-show.ts").then((m) => m.default);
const loadCheck = () => import("./config-check.ts").then((m) => m.default);

export default defineRw({
  meta: { name: "config", description: "Show the resolved configuration, or check that agent providers can be reached" },
  subCommands: {
    show: loadShow,
    check: loadCheck,
  },
  examples: ["rw config show", "rw config show --json", "rw config check"],
});
