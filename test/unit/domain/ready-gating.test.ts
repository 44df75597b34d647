import { describe, expect, it } from "vitest";
import { decideClaim } from "../../../src/domain/decide-lifecycle.ts";
import { decideInitiativeApprove, decideInitiativeCancel, decideInitiativeNew, decideInitiativeSubmit } from "../../../src/domain/decide-initiative.ts";
import { decideCreate } from "../../../src/domain/decide-task.ts";
import { explainReady, readyTasks } from "../../../src/domain/ready.ts";
import { DomainWorld } from "../../helpers/domain.ts";

type Stage = "draft" | "review" | "phase 1 approved" | "both approved" | "cancelled";

function world(stage: Stage): DomainWorld {
  const w = new DomainWorld();
  w.run(decideInitiativeNew({ id: "in-3m8d", title: "Auth", phases: ["Tokens", "Login"] }));
  w.run(decideCreate({ id: "rw-p1", title: "in phase 1", initiative: "in-3m8d", phase: 1 }));
  w.run(decideCreate({ id: "rw-p2", title: "in phase 2", initiative: "in-3m8d", phase: 2 }));
  w.run(decideCreate({ id: "rw-np", title: "no phase", initiative: "in-3m8d" }));
  w.run(decideCreate({ id: "rw-free", title: "no initiative" }));
  if (stage === "draft") return w;
  w.run(decideInitiativeSubmit("in-3m8d"));
  if (stage === "cancelled") w.run(decideInitiativeCancel("in-3m8d"));
  if (stage === "phase 1 approved" || stage === "both approved") w.run(decideInitiativeApprove("in-3m8d", 1));
  if (stage === "both approved") w.run(decideInitiativeApprove("in-3m8d", 2));
  return w;
}

const NOT_P1 = "phase 1 of in-3m8d is not approved yet";
const NOT_P2 = "phase 2 of in-3m8d is not approved yet";

/** Per stage, the reason each task waits ("" = ready). */
const TABLE: Record<Stage, Record<string, string>> = {
  draft: { "rw-p1": NOT_P1, "rw-p2": NOT_P2, "rw-np": "initiative in-3m8d is not approved yet (draft)", "rw-free": "" },
  review: { "rw-p1": NOT_P1, "rw-p2": NOT_P2, "rw-np": "initiative in-3m8d is not approved yet (review)", "rw-free": "" },
  "phase 1 approved": { "rw-p1": "", "rw-p2": NOT_P2, "rw-np": "", "rw-free": "" },
  "both approved": { "rw-p1": "", "rw-p2": "", "rw-np": "", "rw-free": "" },
  cancelled: { "rw-p1": "initiative in-3m8d is cancelled", "rw-p2": "initiative in-3m8d is cancelled", "rw-np": "initiative in-3m8d is cancelled", "rw-free": "" },
};

describe("rolling approval gates readiness", () => {
  for (const [stage, expected] of Object.entries(TABLE) as [Stage, Record<string, string>][]) {
    it(`when ${stage}`, () => {
      const w = world(stage);
      const explained = Object.fromEntries(explainReady(w.state, w.now).map((x) => [x.id, x.reasons.join("; ")]));
      expect(explained).toEqual(expected);
      const ready = readyTasks(w.state, w.now).map((r) => r.task.id).sort();
      expect(ready).toEqual(Object.keys(expected).filter((id) => expected[id] === "").sort());
    });
  }

  it("claiming a task of an unapproved phase is refused with the reason; unknown phases are refused at create", () => {
    const w = world("phase 1 approved");
    expect(() => w.run(decideCreate({ title: "x", initiative: "in-3m8d", phase: 9 }))).toThrow("in-3m8d has no phase 9");
    expect(() => w.run(decideClaim("rw-p2"))).toThrow(`rw-p2 is not claimable: ${NOT_P2}`);
  });
});
