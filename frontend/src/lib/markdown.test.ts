import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown";

describe("renderMarkdown", () => {
  it("renders headings, emphasis, lists and tables", () => {
    const html = renderMarkdown("# Title\n\nSome *words*.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
    expect(html).toContain("<h1>Title</h1>");
    expect(html).toContain("<em>words</em>");
    expect(html).toContain("<li>one</li>");
    expect(html).toContain("<td>1</td>");
  });

  it("drops scripts, handlers, javascript: links and inline styles", () => {
    const html = renderMarkdown(
      '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n[click](javascript:alert(3))\n\n<p style="color:red">x</p>',
    );
    expect(html).not.toMatch(/<script|onerror|javascript:|style=/i);
  });

  it("opens links apart from the app", () => {
    expect(renderMarkdown("[site](https://example.com)")).toContain('rel="noopener noreferrer"');
  });
});
