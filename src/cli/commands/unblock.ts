import { decideUnblock } from "../../domain/decide-lifecycle.ts";
import { transitionCommand } from "../transition-command.ts";

export default transitionCommand("unblock", decideUnblock, "Unblock a task: it is open again", false, ['rw unblock rw-7k2f']);
