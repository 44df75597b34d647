import { describe, expect, it } from "vitest";
import { markdownToHtml, safeHref } from "../../../src/board/markdown.ts";

/** Task bodies are written by agents: whatever they contain, the board's HTML runs no script. */
describe("markdownToHtml", () => {
  it.each([
    ["raw HTML is shown as text", '<script>alert(1)</script>', "&lt;script&gt;alert(1)&lt;/script&gt;"],
    ["an inline img with an event handler is text", 'see <img src=x onerror="alert(1)">', "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"],
    ["javascript: links lose their link", "[click](javascript:alert(1))", "<p>click</p>"],
    ["data: links lose their link", "[x](data:text/html,<script>alert(1)</script>)", "<p>x</p>"],
    ["images become links (nothing is fetched)", "![diagram](https://example.com/d.png)", '<a href="https://example.com/d.png" rel="noopener noreferrer nofollow" target="_blank">[image: diagram]</a>'],
    ["quotes in a URL cannot leave the attribute", '[x](https://e.com/"onmouseover="alert(1))', 'href="https://e.com/&quot;onmouseover=&quot;alert(1)"'],
    ["code keeps its text, escaped", "```html\n<b>hi</b>\n```", '<pre><code data-lang="html">&lt;b&gt;hi&lt;/b&gt;</code></pre>'],
    ["task lists get disabled checkboxes", "- [x] done\n- [ ] open", '<li class="task"><input type="checkbox" disabled checked> done</li>'],
    ["headings and emphasis", "## Why\n\n*really* **now**", "<h2>Why</h2><p><em>really</em> <strong>now</strong></p>"],
    ["tables (GFM)", "| a | b |\n| - | - |\n| 1 | <i>2</i> |", "<td><code>&lt;i&gt;</code>2<code>&lt;/i&gt;</code></td>"],
  ])("%s", async (_name, body, expected) => {
    const html = await markdownToHtml(body);
    expect(html).toContain(expected);
    // No element the browser would run or load: no script/img/iframe tag, no on* attribute, no javascript: URL.
    expect(html).not.toMatch(/<(script|img|iframe)|<[^>]*\son[a-z]+=|href="\s*javascript:/i);
  });

  it.each([
    ["https://example.com/x", "https://example.com/x"],
    ["mailto:a@b.c", "mailto:a@b.c"],
    ["#section", "#section"],
    ["docs/notes.md", "docs/notes.md"],
    ["javascript:alert(1)", undefined],
    [" JavaScript:alert(1)", undefined],
    ["vbscript:x", undefined],
    ["data:text/html,x", undefined],
    ["//evil.example/x", undefined],
  ])("safeHref(%j)", (url, expected) => {
    expect(safeHref(url)).toBe(expected);
  });
});
