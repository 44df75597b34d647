import { decideReopen } from "../../domain/decide-lifecycle.ts";
import { transitionCommand } from "../transition-command.ts";

export default transitionCommand("reopen", decideReopen, "Reopen a done or cancelled task", false, ['rw reopen rw-7k2f --reason regressed']);
