import { configDefaults, defineConfig } from "vitest/config";

/** The race tests start 8 OS processes each; they run last and alone, so they starve no other test. */
const RACES = ["test/integration/race*.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests spawn many git and node processes; two cores are the budget.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: "rw", include: ["test/**/*.test.ts"], exclude: [...configDefaults.exclude, ...RACES], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: "races", include: RACES, sequence: { groupOrder: 1 }, maxWorkers: 1 } },
    ],
  },
});
