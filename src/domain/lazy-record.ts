/**
 * A prototype-free record whose values are decoded on first read (issue 17).
 *
 * The index keeps every task as its own slice of one buffer, so `rw show ID` at 100,000 tasks
 * reads one task instead of parsing all of them (a 19.7 MB JSON header took 300-400 ms plus as
 * much again in garbage collection). To everything else it is the plain record the domain has
 * always used: `for-in`, `Object.keys`, `Object.hasOwn`, `tasks[id]`, assignment and `delete`
 * behave as on `recordMap()`, in the same key order. Keys are listed without decoding anything;
 * a value is decoded when it is read (through `[[Get]]`: `tasks[id]`, `Object.values`, spread).
 *
 * `recordMap(lazy)` forks it (a shallow copy, as for a plain record, that shares the decoded
 * values and the undecoded slices); `plainRecord(lazy)` decodes everything into a plain one, for
 * code that looks up many tasks (a write ranking the ready list: a Proxy trap per access adds up).
 */

const LAZY = Symbol("rw.lazyRecord");

interface Backing<T> {
  readonly keys: readonly string[];
  /** Key → position in `keys`. */
  readonly index: KeyIndex;
  readonly load: (i: number) => T;
  /** Decoded values by position, shared by every fork. */
  readonly decoded: (T | undefined)[];
  /** The encoded form of the value at a position, for re-encoding a value nobody decoded. */
  readonly raw?: (i: number) => unknown;
  /** Every value at once (for a scan of all of them: cheaper than one decode per position). */
  readonly loadAll?: () => T[];
  /** How many positions are decoded. */
  count: number;
}

class View<T> {
  /** Values set on this record (overrides of backing keys, and new keys). */
  own: Record<string, T> = Object.create(null) as Record<string, T>;
  /** Backing keys deleted from this record. */
  gone = new Set<string>();
  /** Keys set that the backing does not have, in insertion order. */
  added: string[] = [];
  private keyList: string[] | undefined;

  constructor(readonly backing: Backing<T>) {}

  has(key: string): boolean {
    return Object.hasOwn(this.own, key) || (this.backing.index.has(key) && !this.gone.has(key));
  }

  get(key: string): T | undefined {
    if (Object.hasOwn(this.own, key)) return this.own[key];
    const i = this.backing.index.get(key);
    if (i === undefined || this.gone.has(key)) return undefined;
    const { backing } = this;
    let value = backing.decoded[i];
    if (value === undefined) {
      value = backing.decoded[i] = backing.load(i);
      backing.count++;
    }
    return value;
  }

  /** The value of `key` if it is decoded (or set), without decoding it. */
  peek(key: string): T | undefined {
    if (Object.hasOwn(this.own, key)) return this.own[key];
    const i = this.backing.index.get(key);
    return i === undefined || this.gone.has(key) ? undefined : this.backing.decoded[i];
  }

  set(key: string, value: T): void {
    if (!this.has(key)) {
      if (!this.backing.index.has(key)) this.added.push(key);
      this.keyList = undefined;
    }
    this.gone.delete(key);
    this.own[key] = value;
  }

  delete(key: string): void {
    if (!this.has(key)) return;
    delete this.own[key];
    if (this.backing.index.has(key)) this.gone.add(key);
    else this.added.splice(this.added.indexOf(key), 1);
    this.keyList = undefined;
  }

  keys(): string[] {
    if (this.keyList) return this.keyList;
    const { keys } = this.backing;
    const list = this.gone.size === 0 ? keys.slice() : keys.filter((k) => !this.gone.has(k));
    for (const k of this.added) list.push(k);
    return (this.keyList = list);
  }

  values(): T[] {
    const { backing } = this;
    // A scan of a mostly undecoded record decodes everything in one go; values already decoded
    // stay the same objects (one may have been changed in place by a fold).
    if (backing.loadAll && backing.count < backing.keys.length / 2) {
      const all = backing.loadAll();
      for (let i = 0; i < all.length; i++) if (backing.decoded[i] === undefined) backing.decoded[i] = all[i];
      backing.count = all.length;
    }
    // Untouched since it was read: the values are the backing's, in its order.
    if (this.gone.size === 0 && this.added.length === 0 && Object.keys(this.own).length === 0 && backing.count === backing.keys.length) return backing.decoded.slice() as T[];
    const keys = this.keys();
    const out = new Array<T>(keys.length);
    for (let i = 0; i < keys.length; i++) out[i] = this.get(keys[i]!)!;
    return out;
  }

  fork(): View<T> {
    const copy = new View(this.backing);
    Object.assign(copy.own, this.own);
    copy.gone = new Set(this.gone);
    copy.added = this.added.slice();
    return copy;
  }

  /** The encoded slice of `key` when its value is still the backing's and was never decoded (so never changed in place). */
  rawOf(key: string): unknown {
    if (!this.backing.raw || Object.hasOwn(this.own, key) || this.gone.has(key)) return undefined;
    const i = this.backing.index.get(key);
    return i !== undefined && this.backing.decoded[i] === undefined ? this.backing.raw(i) : undefined;
  }
}

function proxyOf<T>(view: View<T>): Record<string, T> {
  return new Proxy(Object.create(null) as Record<string, T>, {
    get: (_t, key) => (key === LAZY ? view : typeof key === "string" ? view.get(key) : undefined),
    has: (_t, key) => typeof key === "string" && view.has(key),
    set: (_t, key, value) => {
      if (typeof key !== "string") return false;
      view.set(key, value as T);
      return true;
    },
    deleteProperty: (_t, key) => {
      if (typeof key === "string") view.delete(key);
      return true;
    },
    defineProperty: (_t, key, desc) => {
      if (typeof key !== "string" || !("value" in desc)) return false;
      view.set(key, desc.value as T);
      return true;
    },
    ownKeys: () => view.keys(),
    // Listing keys (for-in, Object.keys, Object.hasOwn) asks for each key's descriptor: an
    // accessor answers without decoding (reading it goes through `get` above); a decoded value
    // is reported as the data property it is.
    getOwnPropertyDescriptor: (_t, key) => {
      if (typeof key !== "string" || !view.has(key)) return undefined;
      const value = view.peek(key);
      return value !== undefined ? { configurable: true, enumerable: true, writable: true, value } : { configurable: true, enumerable: true, get: () => view.get(key) };
    },
  });
}

/**
 * Where each key is. A Map of 100,000 keys costs ~20 ms to build, more than `rw show` spends on
 * anything else at that size; given the keys' positions in sorted order (`byKey`, saved in the
 * index file), the first lookups are binary searches (17 string compares each) and the Map is
 * built only once a command has made enough of them to pay for it.
 */
class KeyIndex {
  private map: Map<string, number> | undefined;
  private searches = 0;

  /** Whether `byKey` was checked against the keys (on the first lookup: a command may make none). */
  private checked = false;

  constructor(private readonly keys: readonly string[], private byKey: Uint32Array | undefined) {}

  get(key: string): number | undefined {
    if (this.map) return this.map.get(key);
    if (!this.checked) {
      this.checked = true;
      if (this.byKey && !fitsKeys(this.keys, this.byKey)) this.byKey = undefined;
    }
    const sorted = this.byKey;
    if (!sorted || ++this.searches > MAP_AFTER) return this.build().get(key);
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[sorted[mid]!]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo < sorted.length && this.keys[sorted[lo]!] === key ? sorted[lo] : undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** A Map: a key called "constructor" is just a key. */
  private build(): Map<string, number> {
    const map = new Map<string, number>();
    for (let i = 0; i < this.keys.length; i++) map.set(this.keys[i]!, i);
    this.byKey = undefined;
    return (this.map = map);
  }
}

const MAP_AFTER = 4096;

/** Positions of `keys` in sorted order (what `lazyRecord` searches), as a base keeps them. */
export function sortedPositions(keys: readonly string[]): Uint32Array {
  return Uint32Array.from(keys.keys()).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
}

/** Whether `byKey` lists every position of `keys` once, in strictly increasing key order (else it is not used). */
function fitsKeys(keys: readonly string[], byKey: Uint32Array): boolean {
  if (byKey.length !== keys.length) return false;
  for (let i = 0; i < byKey.length; i++) {
    if (byKey[i]! >= keys.length) return false;
    if (i > 0 && !(keys[byKey[i - 1]!]! < keys[byKey[i]!]!)) return false;
  }
  return true;
}

/**
 * A lazy record of `keys` (in that order) whose value at position i is `load(i)`, decoded once.
 * `byKey`: the keys' positions in sorted order (sortedPositions), if the caller has them.
 */
export function lazyRecord<T>(keys: readonly string[], load: (i: number) => T, raw?: (i: number) => unknown, loadAll?: () => T[], byKey?: Uint32Array): Record<string, T> {
  const index = new KeyIndex(keys, byKey);
  return proxyOf(new View<T>({ keys, index, load, decoded: new Array<T | undefined>(keys.length), raw, loadAll, count: 0 }));
}

function viewOf<T>(record: Readonly<Record<string, T>> | undefined): View<T> | undefined {
  if (record === undefined || record === null) return undefined;
  return (record as unknown as { [LAZY]?: View<T> })[LAZY];
}

export const isLazyRecord = (record: Readonly<Record<string, unknown>>): boolean => viewOf(record) !== undefined;

/** The values of a lazy record in key order, without a Proxy trap per key (undefined for any other record). */
export function lazyValues<T>(record: Readonly<Record<string, T>>): T[] | undefined {
  return viewOf(record)?.values();
}

/** The keys of a lazy record in order, without a descriptor trap per key (undefined for any other record). */
export function lazyKeys(record: Readonly<Record<string, unknown>>): readonly string[] | undefined {
  return viewOf(record)?.keys();
}

/** A shallow copy of a lazy record (still lazy), or undefined for any other record. */
export function forkLazy<T>(record: Readonly<Record<string, T>> | undefined): Record<string, T> | undefined {
  const view = viewOf(record);
  return view ? proxyOf(view.fork()) : undefined;
}

/** The encoded slice behind `key` if its value was never decoded (re-encoding it would give the same bytes). */
export function rawEntry(record: Readonly<Record<string, unknown>>, key: string): unknown {
  return viewOf(record)?.rawOf(key);
}

/** `record` as a plain prototype-free record (every value decoded), or `record` itself when it is one already. */
export function plainRecord<T>(record: Record<string, T>): Record<string, T> {
  const view = viewOf(record);
  if (!view) return record;
  const out = Object.create(null) as Record<string, T>;
  const keys = view.keys();
  const values = view.values();
  for (let i = 0; i < keys.length; i++) out[keys[i]!] = values[i]!;
  return out;
}
