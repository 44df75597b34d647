import type * as ChildProcesses from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { RwError } from "../domain/errors.ts";
import { PackReader } from "./pack-read.ts";

/**
 * node:child_process, loaded on first use: a read whose objects are all loose never starts git
 * (CatFile), and loading the module (with net and streams under it) was ~4 ms of every start.
 */
export const childProcesses = (): typeof ChildProcesses => process.getBuiltinModule("node:child_process");

export interface GitResult { stdout: string; stderr: string; code: number }

/**
 * Runs git and returns its output; never throws for a non-zero exit (callers decide what that
 * means). NOTE: LC_ALL=C keeps git's messages stable for the few places that read them, and
 * GIT_OPTIONAL_LOCKS=0 stops read-only commands from taking the index lock in user checkouts.
 */
export function git(args: string[], opts: { cwd: string; input?: string; env?: NodeJS.ProcessEnv } = { cwd: "." }): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = childProcesses().execFile(
      "git",
      args,
      { cwd: opts.cwd, env: { ...(opts.env ?? process.env), LC_ALL: "C", GIT_OPTIONAL_LOCKS: "0" }, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === "string") {
          reject(new RwError("git", `could not run git: ${err.message}`, { hint: "is git installed and on PATH?" }));
          return;
        }
        resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export async function gitOk(args: string[], opts: { cwd: string; input?: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  const r = await git(args, opts);
  if (r.code !== 0) throw new RwError("git", `git ${args[0] ?? ""} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout;
}

export interface GitObject { oid: string; type: string; data: Buffer }

/**
 * One long-lived `git cat-file --batch`: reads any object (loose, packed, alternates, any ref
 * backend) without a process per object. Requests are answered in order, so a FIFO of waiters
 * pairs each answer with its question. Given `objectsDir`, an object named by its ID is first
 * looked for as a loose file there (what rw's own commits are until maintenance packs them), then
 * in its packs (store/pack-read.ts), so `rw show` or `rw claim` reads the tip without starting
 * git; anything else, or an object that does not decode, is git's to answer (a missing one included).
 */
export class CatFile {
  private child: ChildProcesses.ChildProcess | undefined;
  private buf: Buffer = Buffer.alloc(0);
  // Chunks not yet joined to `buf`: a big object (a 15 MB shard) arrives in ~64 KB chunks, and
  // joining on every chunk copies quadratically (measured: 3 s to read 100k events, 0.3 s now).
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes `buf` must hold before the object at its head is complete (0: unknown, drain on any data). */
  private need = 0;
  private waiters: Array<{ resolve: (o: GitObject | null) => void; reject: (e: Error) => void }> = [];

  private readonly packs: PackReader | undefined;

  constructor(private readonly gitDir: string, private readonly objectsDir?: string) {
    this.packs = objectsDir === undefined ? undefined : new PackReader(objectsDir);
  }

  private start(): ChildProcesses.ChildProcess {
    const child = childProcesses().spawn("git", ["--git-dir", this.gitDir, "cat-file", "--batch"], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, LC_ALL: "C", GIT_OPTIONAL_LOCKS: "0" },
    });
    child.stdout.on("data", (chunk: Buffer) => {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.buf.length + this.pendingBytes < this.need) return;
      this.buf = this.buf.length === 0 && this.pending.length === 1 ? chunk : Buffer.concat([this.buf, ...this.pending]);
      this.pending = [];
      this.pendingBytes = 0;
      this.drain();
    });
    const fail = (err: Error): void => {
      for (const w of this.waiters.splice(0)) w.reject(new RwError("git", `git cat-file failed: ${err.message}`));
      this.child = undefined;
    };
    child.on("error", fail);
    child.on("exit", (code) => {
      if (this.waiters.length > 0) fail(new Error(`exited with ${code}`));
      this.child = undefined;
    });
    this.child = child;
    return child;
  }

  private drain(): void {
    for (;;) {
      const waiter = this.waiters[0];
      if (!waiter) return;
      const nl = this.buf.indexOf(10);
      if (nl < 0) return;
      const header = this.buf.subarray(0, nl).toString("utf8");
      if (header.endsWith(" missing") || header.endsWith(" ambiguous")) {
        this.buf = this.buf.subarray(nl + 1);
        this.waiters.shift();
        waiter.resolve(null);
        continue;
      }
      const [oid, type, sizeText] = header.split(" ");
      const size = Number(sizeText);
      if (this.buf.length < nl + 1 + size + 1) {
        this.need = nl + 1 + size + 1;
        return;
      }
      this.need = 0;
      const data = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + size));
      this.buf = this.buf.subarray(nl + 1 + size + 1);
      this.waiters.shift();
      waiter.resolve({ oid: oid!, type: type!, data });
    }
  }

  /** Reads an object by oid or any revision expression (`refs/heads/x`, `<oid>:path`); null if missing. */
  read(name: string): Promise<GitObject | null> {
    if (name.includes("\n")) return Promise.reject(new RwError("git", "object name contains a newline"));
    const local = this.objectsDir !== undefined && OBJECT_ID.test(name) ? (readLoose(this.objectsDir, name) ?? this.packs!.read(name)) : undefined;
    if (local) return Promise.resolve(local);
    const child = this.child ?? this.start();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      child.stdin!.write(`${name}\n`);
    });
  }

  close(): void {
    this.packs?.close();
    this.child?.stdin?.end();
    this.child = undefined;
  }
}

/** A full object ID (SHA-1 or SHA-256), as opposed to a ref name or a revision expression. */
export const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const OBJECT_TYPES = new Set(["blob", "tree", "commit", "tag"]);

/** The loose object `oid` under `dir` (`xx/yyyy…`: zlib of `<type> <size>\0<data>`), or undefined when there is none that decodes. */
export function readLoose(dir: string, oid: string): GitObject | undefined {
  let raw: Buffer;
  try {
    raw = readFileSync(join(dir, oid.slice(0, 2), oid.slice(2)));
  } catch {
    return undefined; // packed, in an alternate, or missing: git knows
  }
  try {
    const all = inflateSync(raw);
    const nul = all.indexOf(0);
    const header = nul > 0 && nul < 32 ? all.toString("latin1", 0, nul) : "";
    const [type, size] = header.split(" ");
    if (!OBJECT_TYPES.has(type!) || !/^\d+$/.test(size ?? "") || all.length - nul - 1 !== Number(size)) return undefined;
    return { oid, type: type!, data: all.subarray(nul + 1) };
  } catch {
    return undefined; // torn or corrupt: git reports it
  }
}

