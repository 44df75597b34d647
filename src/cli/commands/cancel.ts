import { decideCancel } from "../../domain/decide-lifecycle.ts";
import { transitionCommand } from "../transition-command.ts";

export default transitionCommand("cancel", decideCancel, "Cancel a task (kept, with its history)", false, ['rw cancel rw-7k2f --reason "superseded by rw-9x2a"']);
