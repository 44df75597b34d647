import { z } from "zod";
import { loadAgentConfig, repoRoot } from "../agents/load.ts";
import { readDomainNotes } from "../agents/domain-notes.ts";
import { fillTemplate, loadPromptTemplate, promptVars } from "../agents/prompt.ts";
import { runAgentSession } from "../agents/session.ts";
import { generateStructured } from "../agents/structured.ts";
import type { AgentConfig } from "../agents/config.ts";
import type { Progress, Role } from "../agents/types.ts";
import type { Store } from "../store/store.ts";
import { addUsage, noUsage, type Executor, type VerifyRequest, type WorkRequest } from "./executor.ts";

const VerdictSchema = z.object({
  verdicts: z.array(z.object({ index: z.number().int(), met: z.boolean(), evidence: z.string() })),
});

function progressLogger(req: WorkRequest): (p: Progress) => void {
  let usage = noUsage();
  return (p) => {
    if (p.type === "text") return req.log(p.delta);
    if (p.type === "turn") {
      req.log(`\n[turn ${p.turn} · ${p.provider} ${p.model}]\n`);
      return req.onProgress({ step: `turn ${p.turn}` });
    }
    if (p.type === "tool") {
      req.log(`\n[${p.ok ? "ok" : "error"}] ${p.tool} ${p.args}${p.result ? ` -> ${p.result}` : ""}\n`);
      return req.onProgress({ step: p.tool });
    }
    if (p.type === "usage") {
      usage = addUsage(usage, p);
      return req.onProgress({ usage });
    }
    req.log(`\n[note] ${p.text}\n`);
  };
}

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60);

/**
 * A fake provider's `script` may name `{id}` or `{slug}` (the task's title, slugged), so a
 * scripted run (the demo, tests) gives each task its own turns.
 */
export function forTask(cfg: AgentConfig, role: Role, task: { id: string; title: string }): AgentConfig {
  const r = cfg.roles[role];
  if (!r.script || !/\{(id|slug)\}/.test(r.script)) return cfg;
  const script = r.script.replace(/\{id\}/g, task.id).replace(/\{slug\}/g, slug(task.title));
  return { ...cfg, roles: { ...cfg.roles, [role]: { ...r, script } } };
}

/**
 * The executor backed by the agent layer: the worker role runs an agent session confined to the
 * task's worktree; the verifier role judges each criterion through structured output. The
 * configuration is validated here, before any task is claimed.
 */
export async function createAgentExecutor(store: Store, env: Record<string, string | undefined>): Promise<Executor> {
  const config = loadAgentConfig(store);
  const root = repoRoot(store);
  const sessionId = (): string => `as-${store.nextEventId(store.ctx.now().toISOString())}`;
  const escalate = config.roles.worker.escalate;
  /** The worker role on its `escalate` settings, for a task that failed the same way twice. */
  const escalated = (): AgentConfig => (escalate ? { ...config, roles: { ...config.roles, worker: { ...config.roles.worker, ...escalate, fallback: undefined } } } : config);
  const domainNotes = await readDomainNotes(root);
  return {
    escalation: escalate ? `${escalate.provider}:${escalate.model}` : undefined,
    async work(req) {
      const res = await runAgentSession({
        role: "worker", task: req.task.id, prompt: req.prompt, worktree: req.cwd, config: forTask(req.escalated ? escalated() : config, "worker", req.task), store, actor: req.actor, env, root,
        session: sessionId(), signal: req.signal, onProgress: progressLogger(req), now: () => store.ctx.now().getTime(),
      });
      req.log(`\n[${res.stop_reason}] ${res.summary}\n`);
      return { finished: res.finished, summary: res.summary, usage: res.usage, ...(res.finished ? {} : { error: `${res.stop_reason}: ${res.error ?? res.summary}` }) };
    },
    async verify(req: VerifyRequest) {
      const { text } = await loadPromptTemplate("verifier", root);
      const criteria = req.criteria.map((c) => `${c.index}. ${c.text}`).join("\n");
      const gates = req.gates.map((g) => `$ ${g.gate} -> ${g.timed_out ? "timed out" : `exit ${g.exit_code ?? "?"}`}\n${g.output_tail}`).join("\n");
      const evidence = `### Diff\n\`\`\`diff\n${req.diff.slice(0, 60_000)}\n\`\`\`\n${gates ? `### Gate results\n${gates}\n` : ""}`;
      const vars = promptVars({ task: req.task, role: "verifier", configGates: [], events: [], evidence, domainNotes });
      const prompt = `${fillTemplate(text, { ...vars, acceptance_criteria: criteria })}\nGive one verdict per criterion, by its number (index).`;
      req.log(`\n--- verifier ---\n`);
      const res = await generateStructured({
        role: "verifier", prompt, schema: VerdictSchema, name: "verdict", config: forTask(config, "verifier", req.task), store, actor: req.actor, env, root: req.cwd,
        session: sessionId(), task: req.task.id, signal: req.signal,
      });
      for (const v of res.value.verdicts) req.log(`criterion ${v.index}: ${v.met ? "met" : "NOT met"} — ${v.evidence}\n`);
      return { verdicts: res.value.verdicts, usage: res.usage };
    },
  };
}
