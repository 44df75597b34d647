import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

/*
 * rw remembers the git user between commands (store/git-identity.ts) instead of starting
 * `git config` for every write. What a user would notice if that went wrong: a commit authored
 * by a name they have since changed. So every test here changes the config and looks at the
 * author of the next state commit, and counts the `git config` processes rw started (a `git`
 * first on PATH that logs its arguments and runs the real one).
 */
let repo: TempRepo;
let home: string;
let shim: string;
let log: string;

beforeEach(() => {
  repo = makeRepo({ init: true });
  repo.git(["config", "--unset", "user.name"]);
  repo.git(["config", "--unset", "user.email"]);
  home = mkdtempSync(join(tmpdir(), "rw-home-"));
  shim = join(home, "bin");
  log = join(home, "git-calls.log");
  mkdirSync(shim);
  const realGit = process.env.PATH!.split(":").map((d) => join(d, "git")).find((p) => {
    try {
      return readFileSync(p).length > 0;
    } catch {
      return false;
    }
  })!;
  writeFileSync(join(shim, "git"), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realGit}' "$@"\n`);
  chmodSync(join(shim, "git"), 0o755);
});
afterEach(() => {
  repo?.cleanup();
  rmSync(home, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}): Record<string, string> => ({ HOME: home, PATH: `${shim}:${process.env.PATH}`, XDG_CONFIG_HOME: join(home, ".config"), ...extra });
const configCalls = (): number => readFileSync(log, "utf8").split("\n").filter((l) => l.startsWith("config ") && l.includes("user")).length;
const author = (): string => repo.git(["log", "-1", "--format=%an <%ae>", "refs/heads/rewind"]).trim();

/** Sets a file's mtime to one fixed time in the past, as a config file a user edited yesterday has. */
const PAST = new Date(Date.now() - 3_600_000);
function settle(...paths: string[]): void {
  const past = PAST;
  for (const p of paths) utimesSync(p, past, past);
}

function writeGlobal(text: string): string {
  const path = join(home, ".gitconfig");
  writeFileSync(path, text);
  return path;
}

describe("the git user is remembered between commands", () => {
  it("asks git once, then not again until a config file changes, and authors every commit with the current user", async () => {
    const global = writeGlobal("[user]\n\tname = Ann Example\n\temail = ann@example.com\n");
    settle(global, join(repo.dir, ".git", "config"));
    writeFileSync(log, "");
    await repo.rwOk(["create", "First"], { env: env() });
    expect(author()).toBe("Ann Example <ann@example.com>");
    expect(configCalls()).toBe(1);
    await repo.rwOk(["create", "Second"], { env: env() });
    await repo.rwOk(["claim", "--next"], { env: env() });
    expect(author()).toBe("Ann Example <ann@example.com>");
    expect(configCalls()).toBe(1);

    // The same length, the same mtime: only the inode and ctime tell this edit apart.
    writeGlobal("[user]\n\tname = Bob Example\n\temail = bob@example.com\n");
    settle(global);
    await repo.rwOk(["create", "Third"], { env: env() });
    expect(author()).toBe("Bob Example <bob@example.com>");
    expect(configCalls()).toBe(2);

    // A repository setting now overrides the global one.
    repo.git(["config", "user.name", "Cy Local"]);
    await repo.rwOk(["create", "Fourth"], { env: env() });
    expect(author()).toBe("Cy Local <bob@example.com>");
  });

  it("sees a config file that did not exist before", async () => {
    settle(join(repo.dir, ".git", "config"));
    mkdirSync(join(home, ".config", "git"), { recursive: true });
    writeGlobal("[user]\n\tname = Ann Example\n\temail = ann@example.com\n");
    settle(join(home, ".gitconfig"));
    await repo.rwOk(["create", "First"], { env: env() });
    expect(author()).toBe("Ann Example <ann@example.com>");
    const xdg = join(home, ".config", "git", "config");
    writeFileSync(xdg, "[user]\n\temail = dee@example.com\n");
    settle(xdg);
    // ~/.gitconfig is read after the XDG file, so Ann's email still wins; the name is unchanged.
    await repo.rwOk(["create", "Second"], { env: env() });
    expect(author()).toBe("Ann Example <ann@example.com>");
    writeGlobal("[user]\n\tname = Ann Example\n");
    settle(join(home, ".gitconfig"));
    await repo.rwOk(["create", "Third"], { env: env() });
    expect(author()).toBe("Ann Example <dee@example.com>");
  });

  it("asks git every time when the user comes from an included file or from the environment", async () => {
    const included = join(home, "who.gitconfig");
    writeFileSync(included, "[user]\n\tname = Cat Example\n\temail = cat@example.com\n");
    const global = writeGlobal(`[include]\n\tpath = ${included}\n`);
    settle(included, global, join(repo.dir, ".git", "config"));
    writeFileSync(log, "");
    await repo.rwOk(["create", "First"], { env: env() });
    expect(author()).toBe("Cat Example <cat@example.com>");
    // Same length, same mtime, in a file the key could not know of.
    writeFileSync(included, "[user]\n\tname = Dan Example\n\temail = dan@example.com\n");
    settle(included);
    await repo.rwOk(["create", "Second"], { env: env() });
    expect(author()).toBe("Dan Example <dan@example.com>");
    expect(configCalls()).toBe(2);

    const fromEnv = { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "user.name", GIT_CONFIG_VALUE_0: "Eve Example" };
    await repo.rwOk(["create", "Third"], { env: env(fromEnv) });
    expect(author()).toBe("Eve Example <dan@example.com>");
    await repo.rwOk(["create", "Fourth"], { env: env({ ...fromEnv, GIT_CONFIG_VALUE_0: "Fay Example" }) });
    expect(author()).toBe("Fay Example <dan@example.com>");
    expect(configCalls()).toBe(4);
  });

  it("does not remember a file changed in the last seconds, which a second edit could change unseen", async () => {
    writeGlobal("[user]\n\tname = Ann Example\n\temail = ann@example.com\n");
    settle(join(repo.dir, ".git", "config"));
    writeFileSync(log, "");
    await repo.rwOk(["create", "First"], { env: env() });
    writeGlobal("[user]\n\tname = Bob Example\n\temail = bob@example.com\n");
    await repo.rwOk(["create", "Second"], { env: env() });
    expect(author()).toBe("Bob Example <bob@example.com>");
    expect(configCalls()).toBe(2);
  });
});
