import { jsonArg } from "../args.ts";
import { withStore } from "../read.ts";
import { defineRw } from "../command.ts";
import { context } from "../context.ts";
import { paint, printJson } from "../output.ts";
import { loadAgentConfig, repoRoot } from "../../agents/load.ts";
import { checkAccounts, checkAgents } from "../../agents/check.ts";
import { accountChoice } from "../../agents/accounts.ts";

export default defineRw({
  meta: { name: "check", description: "Validate the configuration and check that each role's provider can be reached" },
  args: { ...jsonArg },
  examples: ["rw config check", "rw config check --json"],
  async run({ args }) {
    const ctx = context();
    await withStore(ctx, async (store) => {
      const cfg = loadAgentConfig(store);
      const root = repoRoot(store) ?? ctx.cwd;
      const lines = await checkAgents(cfg, ctx.env, root);
      const choice = accountChoice(cfg, store);
      const accounts = choice ? await checkAccounts(cfg, ctx.env, root, choice.rotation) : [];
      const ok = lines.every((l) => l.ok);
      if (args.json) printJson(ctx, { ok, file: store.configFile ?? null, checks: lines, accounts });
      else {
        const out = [`config ${store.configFile ?? "(defaults: no .rewind/config.toml)"} is valid`];
        for (const l of lines) {
          out.push(`${l.ok ? paint(ctx, "green", "ok  ") : paint(ctx, "red", "FAIL")}  ${l.role}${l.which === "fallback" ? " (fallback)" : ""}: ${l.provider} ${l.model} — ${l.detail}`);
          for (const w of l.warnings) out.push(`      ${paint(ctx, "yellow", "warning")}: ${w}`);
        }
        for (const a of accounts) {
          const state = a.resting_until ? paint(ctx, "yellow", `resting until ${a.resting_until}`) : "ready";
          const missing = a.exists ? "" : ` ${paint(ctx, "red", "(directory missing: log in with CLAUDE_CONFIG_DIR=… claude)")}`;
          out.push(`account ${a.name}: CLAUDE_CONFIG_DIR=${a.config_dir}${missing} — ${state}${a.roles.length ? ` (${a.roles.join(", ")})` : ""}`);
        }
        ctx.stdout(`${out.join("\n")}\n`);
      }
      if (!ok) ctx.exitCode = 1;
    });
  },
});
