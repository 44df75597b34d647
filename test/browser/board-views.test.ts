import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { boardRig, NO_BROWSER, openBrowser, startBoard } from "../helpers/browser.ts";
import { makeRepo } from "../helpers/repo.ts";

/**
 * The board at 1,000 tasks in Chromium: virtualised columns (the DOM holds only what is in view),
 * filters, keyboard navigation, and the light and dark themes (text contrast checked in both).
 * The tasks come in through `rw import` of an rw export (one transaction), as a user would move them.
 */
const { rig, it } = boardRig("board views browser tests");

const N = 1000;
const id = (i: number): string => `t-${String(i).padStart(4, "0")}`;

/** The few DOM shapes the page functions below touch (tests compile without the DOM library). */
interface El { scrollTop: number; scrollHeight: number; getAttribute(name: string): string | null; querySelector(s: string): El | null }
interface Doc { activeElement: El | null; body: El; documentElement: { dataset: Record<string, string | undefined> }; querySelector(s: string): El | null }

/** WCAG contrast ratio of two computed `rgb(...)` colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string): number => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).slice(0, 3).map((x) => Number(x) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe.skipIf(NO_BROWSER !== undefined)("rw board at 1,000 tasks", () => {
  it("renders only the cards in view, filters, moves by keyboard, and is readable in light and dark", async () => {
    const repo = (rig.repo = makeRepo());
    await repo.rwOk(["init"]);
    const base = Date.parse("2026-01-01T00:00:00Z");
    const tasks = Array.from({ length: N }, (_, i) => ({
      id: id(i), title: `Task number ${i}`, status: "open", priority: i % 5, type: "task", labels: i % 3 === 0 ? ["docs"] : ["api"],
      deps: [], gates: [], created_at: new Date(base + i * 1000).toISOString(), body: "", notes: [],
    }));
    writeFileSync(join(repo.dir, "tasks.json"), JSON.stringify({ v: 1, kind: "rw-export", initiatives: [], tasks }));
    await repo.rwOk(["import", "tasks.json", "--from", "rw"]);
    const board = (rig.board = await startBoard(repo, { actor: "Board Person" }));
    const { page } = (rig.session = await openBrowser());
    await page.goto(board.url);
    const open = page.locator('section.column[data-status="open"]');
    await open.locator(".card").first().waitFor();
    await expect(open.locator("h2 .n").innerText()).resolves.toBe(String(N));

    // Virtualised: a thousand cards in the column, a few dozen in the DOM; scrolling brings the last one in.
    const inDom = await page.locator(".card").count();
    expect(inDom).toBeGreaterThan(3);
    expect(inDom).toBeLessThan(80);
    // Column order: priority, then age: P0 first (t-0000), the newest P4 last (t-0999).
    await expect(open.locator(".card").first().getAttribute("data-id")).resolves.toBe(id(0));
    await open.locator(".cards").evaluate((el: El) => (el.scrollTop = el.scrollHeight));
    await open.locator(`.card[data-id="${id(999)}"]`).waitFor();
    expect(await page.locator(".card").count()).toBeLessThan(80);
    await expect(open.locator(`.card[data-id="${id(0)}"]`).count()).resolves.toBe(0);
    await open.locator(".cards").evaluate((el: El) => (el.scrollTop = 0));
    await open.locator(`.card[data-id="${id(0)}"]`).waitFor();

    // Filters: text (ID or title) and label; the count says how many of all are shown.
    const search = page.getByRole("searchbox", { name: "filter by text" });
    await search.fill("number 42");
    await page.locator(".filters .count", { hasText: `11 of ${N} tasks` }).waitFor();
    await search.fill("");
    await page.getByRole("combobox", { name: "filter by label" }).selectOption("docs");
    await page.locator(".filters .count", { hasText: `334 of ${N} tasks` }).waitFor();
    expect(await open.locator(".card .label", { hasText: "api" }).count()).toBe(0);
    await page.getByRole("combobox", { name: "filter by label" }).selectOption("");
    await page.locator(".filters .count", { hasText: `${N} tasks` }).waitFor();

    // Keyboard: `/` goes to the filter; j/k move between cards; Enter opens one; Esc comes back.
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("/");
    await expect(page.evaluate(() => (globalThis as unknown as { document: Doc }).document.activeElement?.getAttribute("aria-label"))).resolves.toBe("filter by text");
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    const focused = (): Promise<string | null | undefined> => page.evaluate(() => (globalThis as unknown as { document: Doc }).document.activeElement?.getAttribute("data-id"));
    await page.keyboard.press("j");
    await expect.poll(focused).toBe(id(0));
    await page.keyboard.press("j");
    await page.keyboard.press("j");
    const third = await open.locator(".card").nth(2).getAttribute("data-id");
    await expect.poll(focused).toBe(third);
    await page.keyboard.press("k");
    const second = await open.locator(".card").nth(1).getAttribute("data-id");
    await expect.poll(focused).toBe(second);
    // Enter opens the card that has the focus (read again: a live update may re-render the column).
    const chosen = (await focused()) ?? second;
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1 }).filter({ hasText: `Task number ${Number(chosen!.slice(2))}` }).waitFor();
    expect(new URL(page.url()).hash).toBe(`#/task/${chosen}`);
    await page.keyboard.press("Escape");
    await open.locator(".card").first().waitFor();
    // Keys switch views.
    await page.keyboard.press("a");
    await page.getByRole("heading", { name: "Analytics" }).waitFor();
    await page.keyboard.press("b");
    await open.locator(".card").first().waitFor();

    // Light and dark: `t` cycles auto → dark → light; the system preference applies under auto.
    const colours = (): Promise<{ theme: string | undefined; bg: string; text: string; card: string }> => page.evaluate(() => {
      const w = globalThis as unknown as { document: Doc; getComputedStyle: (e: El) => { color: string; backgroundColor: string } };
      const c = w.document.querySelector(".card")!;
      return { theme: w.document.documentElement.dataset.theme, bg: w.getComputedStyle(w.document.body).backgroundColor, text: w.getComputedStyle(c.querySelector(".title")!).color, card: w.getComputedStyle(c).backgroundColor };
    });
    const light = await colours();
    expect(light.theme).toBe("auto");
    await page.keyboard.press("t");
    await expect.poll(async () => (await colours()).theme).toBe("dark");
    const dark = await colours();
    expect(dark.bg).not.toBe(light.bg);
    for (const c of [light, dark]) expect(contrast(c.text, c.card)).toBeGreaterThanOrEqual(7);
    await page.keyboard.press("t");
    await expect.poll(async () => (await colours()).theme).toBe("light");
    expect((await colours()).bg).toBe(light.bg);
    await page.keyboard.press("t"); // auto again, and the system asks for dark
    await expect.poll(async () => (await colours()).theme).toBe("auto");
    await page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(async () => (await colours()).bg).toBe(dark.bg);
    // The choice survives a reload.
    await page.keyboard.press("t");
    await page.reload();
    await open.locator(".card").first().waitFor();
    expect((await colours()).theme).toBe("dark");
  }, 240_000);
});
