import { RwError } from "../domain/errors.ts";
import type { Store } from "../store/store.ts";
import type { Executor } from "./executor.ts";

/** The executor backed by the agent layer (worker and verifier roles from the configuration). */
export async function createAgentExecutor(_store: Store, _env: Record<string, string | undefined>): Promise<Executor> {
  throw new RwError("config", "this build of rw has no agent layer yet", { hint: "configure [roles.worker] once src/agents is available" });
}
