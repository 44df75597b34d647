import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "bench/.data/**", "coverage/**", "templates/demo/**"] },
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    // The domain is pure: no IO, no clock, no processes, no git.
    files: ["src/domain/**/*.ts", "src/views/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        { group: ["node:*", "fs", "path", "child_process", "os"], message: "domain/ and views/ are pure: pass IO in from store/ or cli/." },
        { group: ["execa", "isomorphic-git", "@anthropic-ai/*", "openai"], message: "domain/ and views/ are pure." },
      ] }],
      "no-restricted-globals": ["error", { name: "process", message: "Pass env/cwd/clock in through the Context." }],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/cli/main.ts"],
    rules: {
      "no-restricted-properties": ["error", { object: "process", property: "exit", message: "Only src/cli/main.ts exits: throw an RwError." }],
    },
  },
  { files: ["**/*.js", "**/*.mjs"], ...tseslint.configs.disableTypeChecked },
);
