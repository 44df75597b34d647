import { decideBlock } from "../../domain/decide-lifecycle.ts";
import { transitionCommand } from "../transition-command.ts";

export default transitionCommand("block", decideBlock, "Mark a task blocked on a person or outside event", true, ['rw block rw-7k2f --reason "waiting for API keys from ops"']);
