import type { Nodes } from "mdast";
import { loadParser } from "../format/criteria.ts";

/**
 * Task bodies to HTML for the board, safe by construction: the Markdown is parsed by remark (the
 * parser rw already uses for acceptance criteria) and the syntax tree is written out by this
 * allow-list. Every text is escaped; raw HTML in a body is shown as text, never interpreted;
 * links keep only http(s), mailto and in-page targets; images become links (nothing is fetched).
 * An agent writes task text, so it is untrusted input: no script can come from it.
 */

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c]!);

/** A URL the page may link to, or undefined (javascript:, data:, vbscript: and anything odd are dropped). */
export function safeHref(url: string): string | undefined {
  const u = url.trim();
  if (/^(https?:|mailto:)/i.test(u)) return u;
  if (/^[#/]/.test(u) && !u.startsWith("//")) return u;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(u) && !u.includes("\\") && !u.startsWith("//")) return u; // relative path
  return undefined;
}

export async function markdownToHtml(body: string): Promise<string> {
  const tree = (await loadParser())(body);
  return render(tree);
}

function children(node: { children?: Nodes[] }): string {
  return (node.children ?? []).map(render).join("");
}

function render(node: Nodes): string {
  switch (node.type) {
    case "root":
      return children(node);
    case "paragraph":
      return `<p>${children(node)}</p>`;
    case "heading":
      return `<h${node.depth}>${children(node)}</h${node.depth}>`;
    case "text":
      return escapeHtml(node.value);
    case "emphasis":
      return `<em>${children(node)}</em>`;
    case "strong":
      return `<strong>${children(node)}</strong>`;
    case "delete":
      return `<del>${children(node)}</del>`;
    case "inlineCode":
      return `<code>${escapeHtml(node.value)}</code>`;
    case "code":
      return `<pre><code${node.lang ? ` data-lang="${escapeHtml(node.lang)}"` : ""}>${escapeHtml(node.value)}</code></pre>`;
    case "blockquote":
      return `<blockquote>${children(node)}</blockquote>`;
    case "list": {
      const tag = node.ordered ? "ol" : "ul";
      const start = node.ordered && typeof node.start === "number" && node.start !== 1 ? ` start="${node.start}"` : "";
      return `<${tag}${start}>${children(node)}</${tag}>`;
    }
    case "listItem": {
      const box = typeof node.checked === "boolean" ? `<input type="checkbox" disabled${node.checked ? " checked" : ""}> ` : "";
      // A tight list's paragraphs are inline text, as in every Markdown renderer.
      const inner = node.spread ? children(node) : (node.children ?? []).map((c) => (c.type === "paragraph" ? children(c) : render(c))).join("");
      return `<li${box ? ' class="task"' : ""}>${box}${inner}</li>`;
    }
    case "thematicBreak":
      return "<hr>";
    case "break":
      return "<br>";
    case "link": {
      const href = safeHref(node.url);
      const inner = children(node);
      return href ? `<a href="${escapeHtml(href)}" rel="noopener noreferrer nofollow" target="_blank">${inner}</a>` : inner;
    }
    case "image": {
      const href = safeHref(node.url);
      const alt = escapeHtml(node.alt ?? node.url);
      return href ? `<a href="${escapeHtml(href)}" rel="noopener noreferrer nofollow" target="_blank">[image: ${alt}]</a>` : `[image: ${alt}]`;
    }
    case "table": {
      const [head, ...rows] = node.children;
      const cells = (r: typeof head, tag: string): string => (r ? `<tr>${r.children.map((c) => `<${tag}>${children(c)}</${tag}>`).join("")}</tr>` : "");
      return `<table><thead>${cells(head, "th")}</thead><tbody>${rows.map((r) => cells(r, "td")).join("")}</tbody></table>`;
    }
    case "html":
      // Raw HTML from the body is shown as its source text.
      return `<code>${escapeHtml(node.value)}</code>`;
    default:
      return "value" in node && typeof node.value === "string" ? escapeHtml(node.value) : "children" in node ? children(node) : "";
  }
}
