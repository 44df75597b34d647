import { configDefaults, defineConfig } from "vitest/config";

/** The race tests start 8 OS processes each; they run last and alone, so they starve no other test. */
const RACES = ["test/integration/race*.test.ts"];

export default defineConfig({
  test: {
    // Generous: integration tests run dozens of rw and git processes, and a loaded 2-core machine
    // (CI shares one) can take several times as long as a quiet one. A hang still fails.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Integration tests spawn many git and node processes; two cores are the budget.
    maxWorkers: 2,
    globalSetup: ["test/helpers/global-setup.ts"],
    projects: [
      { extends: true, test: { name: "rw", include: ["test/**/*.test.ts"], exclude: [...configDefaults.exclude, ...RACES], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: "races", include: RACES, sequence: { groupOrder: 1 }, maxWorkers: 1 } },
    ],
  },
});
