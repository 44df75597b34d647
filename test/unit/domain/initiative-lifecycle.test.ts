import { describe, expect, it } from "vitest";
import { decideClaim, decideDone } from "../../../src/domain/decide-lifecycle.ts";
import {
  decideInitiativeApprove, decideInitiativeCancel, decideInitiativeComplete, decideInitiativeNew, decideInitiativeSubmit, decidePhaseAdd,
} from "../../../src/domain/decide-initiative.ts";
import { decideCreate } from "../../../src/domain/decide-task.ts";
import type { Decider } from "../../../src/domain/decide.ts";
import { RwError } from "../../../src/domain/errors.ts";
import { fold } from "../../../src/domain/fold.ts";
import { INITIATIVE_ACTIONS, refusal } from "../../../src/domain/initiative-lifecycle.ts";
import type { InitiativeStatus } from "../../../src/domain/types.ts";
import { DomainWorld } from "../../helpers/domain.ts";

/** A world holding initiative `in-t` (two phases) in the given status. */
function worldWith(status: InitiativeStatus): DomainWorld {
  const w = new DomainWorld();
  w.run(decideInitiativeNew({ id: "in-t", title: "Auth rewrite", phases: ["Tokens", "Login"] }));
  if (status === "draft") return w;
  w.run(decideInitiativeSubmit("in-t"));
  if (status === "review") return w;
  if (status === "cancelled") {
    w.run(decideInitiativeCancel("in-t"));
    return w;
  }
  w.run(decideInitiativeApprove("in-t", 1));
  if (status === "approved") return w;
  w.run(decideCreate({ id: "rw-a", title: "Sign tokens", initiative: "in-t", phase: 1 }));
  w.run(decideClaim("rw-a"));
  if (status === "in_progress") return w;
  w.run(decideInitiativeApprove("in-t", 2));
  w.run(decideDone("rw-a"));
  w.run(decideInitiativeComplete("in-t"));
  return w;
}

type Action = "submit" | "approve" | "cancel" | "add_phase" | "complete";
const ACTIONS: Record<Action, Decider<unknown>> = {
  submit: decideInitiativeSubmit("in-t"),
  approve: decideInitiativeApprove("in-t", 2),
  cancel: decideInitiativeCancel("in-t"),
  add_phase: decidePhaseAdd("in-t", "Migrate"),
  complete: decideInitiativeComplete("in-t"),
};

/**
 * Every action from every status: the status it leads to, or (a part of) the refusal message.
 * `complete` from approved / in_progress is refused here because phase 2 is unapproved (or a task is open).
 */
const TABLE: Record<InitiativeStatus, Record<Action, InitiativeStatus | { refused: string }>> = {
  draft: { submit: "review", approve: { refused: "it is a draft" }, cancel: "cancelled", add_phase: "draft", complete: { refused: "it is a draft" } },
  review: { submit: { refused: "it is already in review" }, approve: "approved", cancel: "cancelled", add_phase: "review", complete: { refused: "it is in review" } },
  approved: { submit: { refused: "it is approved" }, approve: "approved", cancel: "cancelled", add_phase: "approved", complete: { refused: "phase 2 is not approved" } },
  in_progress: { submit: { refused: "it is in progress" }, approve: "in_progress", cancel: "cancelled", add_phase: "in_progress", complete: { refused: "1 task is not done: rw-a" } },
  completed: { submit: { refused: "it is completed" }, approve: { refused: "it is completed" }, cancel: { refused: "it is completed" }, add_phase: { refused: "it is completed" }, complete: { refused: "it is already completed" } },
  cancelled: { submit: { refused: "it is cancelled" }, approve: { refused: "it is cancelled" }, cancel: { refused: "it is already cancelled" }, add_phase: { refused: "it is cancelled" }, complete: { refused: "it is cancelled" } },
};

describe("initiative lifecycle: every action from every status", () => {
  for (const [from, row] of Object.entries(TABLE) as [InitiativeStatus, (typeof TABLE)[InitiativeStatus]][]) {
    for (const [action, expected] of Object.entries(row) as [Action, InitiativeStatus | { refused: string }][]) {
      it(`${action} from ${from} -> ${typeof expected === "string" ? expected : "refused"}`, () => {
        const w = worldWith(from);
        expect(w.state.initiatives["in-t"]!.status).toBe(from);
        if (typeof expected === "string") {
          w.run(ACTIONS[action]);
          expect(w.state.initiatives["in-t"]!.status).toBe(expected);
          // The folded log agrees with the incrementally applied state.
          expect(fold(w.log).initiatives["in-t"]).toEqual(w.state.initiatives["in-t"]);
        } else {
          const before = w.state;
          let err: unknown;
          try {
            w.run(ACTIONS[action]);
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(RwError);
          expect((err as RwError).message).toContain(expected.refused);
          expect((err as RwError).hint).toBeTruthy();
          expect(w.state).toBe(before);
        }
      });
    }
  }
});

describe("initiative commands refuse bad input clearly", () => {
  const refused = (w: DomainWorld, d: Decider<unknown>): RwError => {
    try {
      w.run(d);
    } catch (e) {
      return e as RwError;
    }
    throw new Error("expected a refusal");
  };

  it("approving a phase that does not exist names the phases there are", () => {
    const err = refused(worldWith("review"), decideInitiativeApprove("in-t", 3));
    expect(err.code).toBe("not_found");
    expect(err.message).toBe("in-t has no phase 3");
    expect(err.hint).toBe("its phases: 1, 2");
  });

  it("approving a phase twice is refused", () => {
    expect(refused(worldWith("approved"), decideInitiativeApprove("in-t", 1)).message).toBe("phase 1 of in-t is already approved");
  });

  it("submitting an initiative without phases is refused", () => {
    const w = new DomainWorld();
    w.run(decideInitiativeNew({ id: "in-e", title: "Empty" }));
    const err = refused(w, decideInitiativeSubmit("in-e"));
    expect(err.message).toBe("cannot submit in-e: it has no phases");
    expect(err.hint).toContain("rw initiative phase add in-e");
  });

  it("an unknown or invalid initiative ID is refused", () => {
    const w = new DomainWorld();
    expect(refused(w, decideInitiativeSubmit("in-nope")).code).toBe("not_found");
    expect(refused(w, decideInitiativeSubmit("../x")).code).toBe("invalid_id");
  });

  it("tasks must name an initiative and phase that exist, and not a cancelled initiative", () => {
    const w = worldWith("review");
    expect(refused(w, decideCreate({ title: "x", initiative: "in-zzz" })).message).toBe("initiative in-zzz not found");
    expect(refused(w, decideCreate({ title: "x", initiative: "in-t", phase: 5 })).message).toBe("in-t has no phase 5");
    expect(refused(w, decideCreate({ title: "x", phase: 1 })).message).toBe("--phase needs --initiative");
    const c = worldWith("cancelled");
    expect(refused(c, decideCreate({ title: "x", initiative: "in-t" })).message).toBe("initiative in-t is cancelled: it takes no new tasks");
  });

  it("new initiatives get hash IDs like in-3m8d", () => {
    const w = new DomainWorld();
    const { result } = w.run(decideInitiativeNew({ title: "Auth rewrite" }));
    expect(result.id).toMatch(/^in-[0-9a-z]{4}$/);
    expect(w.state.initiatives[result.id]).toMatchObject({ title: "Auth rewrite", status: "draft", phases: [] });
  });
});

describe("the lifecycle table, exhaustively (derived actions included)", () => {
  // Written out independently of ALLOWED_FROM: y = allowed.
  const MATRIX: Record<string, string> = {
    //            draft review approved in_progress completed cancelled
    submit:      "y     .      .        .           .         .",
    approve:     ".     y      y        y           .         .",
    start:       ".     .      y        .           .         .",
    complete:    ".     .      y        y           .         .",
    reopen:      ".     .      .        .           y         .",
    cancel:      "y     y      y        y           .         .",
    add_phase:   "y     y      y        y           .         .",
  };
  const statuses = ["draft", "review", "approved", "in_progress", "completed", "cancelled"] as const;
  for (const action of INITIATIVE_ACTIONS) {
    const row = MATRIX[action]!.split(/\s+/);
    for (const [k, status] of statuses.entries()) {
      it(`${action} from ${status}: ${row[k] === "y" ? "allowed" : "refused"}`, () => {
        const i = { id: "in-t", title: "t", status, phases: [], created_at: "", updated_at: "", body: "" };
        const err = refusal(i, action);
        if (row[k] === "y") expect(err).toBeUndefined();
        else {
          expect(err?.message).toMatch(/^cannot .* in-t: it is /);
          expect(err?.hint).toBeTruthy();
        }
      });
    }
  }
});
